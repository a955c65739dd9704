package test;

import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;

interface VoidCached {
  @Cached(cache = "c", key = "project:{id}")
  void refresh(long id);

  @CachePut(cache = "c", key = "project:{id}")
  void store(long id);
}
