package test;

import io.tiercache.annotation.Cached;

interface BadDuration {
  @Cached(cache = "c", key = "a:{id}", ttl = "2 hours")
  String a(long id);

  @Cached(cache = "d", key = "b:{id}", nullTtl = "0s")
  String b(long id);

  @Cached(cache = "e", key = "c:{id}", refresh = "soon")
  String c(long id);
}
