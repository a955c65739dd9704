package test;

import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;

interface WildcardInCached {
  @Cached(cache = "c", key = "project:{id}:*")
  String info(long id);

  @CachePut(cache = "c", key = "project:*")
  String save(long id);
}
