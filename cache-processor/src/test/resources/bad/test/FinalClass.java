package test;

import io.tiercache.annotation.Cached;

public final class FinalClass {
  @Cached(cache = "c", key = "project:{id}")
  public String info(long id) {
    return "";
  }
}
