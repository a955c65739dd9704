package test;

import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;

interface BadTemplate {
  @Cached(cache = "c", key = "project:{id:info")
  String unclosed(long id);

  @Cached(cache = "c", key = "project {id}")
  String space(long id);

  @Cached(cache = "c", key = "project:{id.}")
  String dot(long id);

  @Invalidate(key = "user:{ids[]}")
  void drop(java.util.Set<Long> ids);

  @Cached(cache = "no spaces", key = "project:{id}")
  String badCache(long id);

  @Cached(cache = "__internal", key = "project:{id}:x")
  String reservedCache(long id);

  @Cached(cache = "c", key = "__meta:{id}")
  String reservedKey(long id);

  @Cached(cache = "c", key = "pair:{a}{b}")
  String adjacent(int a, int b);
}
