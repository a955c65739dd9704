package io.tiercache.processor.runtime;

import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;

/** A class: its generated decorator extends it and mirrors its constructor. */
public class CatalogRepository {
  private final String prefix;
  /** How many times {@link #title} ran. */
  public int loads;
  /** Read by the constructor through an annotated method, before a decorator has its caches. */
  public final String first;

  public CatalogRepository(String prefix) {
    this.prefix = prefix;
    this.first = title(0);
  }

  @Cached(cache = "catalog", key = "catalog:{id}")
  public String title(long id) {
    loads++;
    return prefix + id;
  }

  @Invalidate(key = "catalog:{id}")
  public void rename(long id) {}
}
