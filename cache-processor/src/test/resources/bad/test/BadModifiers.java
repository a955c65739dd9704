package test;

import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;

class BadModifiers {
  @Cached(cache = "c", key = "private:{id}")
  private String hidden(long id) {
    return "";
  }

  @Cached(cache = "c", key = "static:{id}")
  static String shared(long id) {
    return "";
  }

  @Invalidate(key = "final:{id}")
  public final void sealed(long id) {}
}
