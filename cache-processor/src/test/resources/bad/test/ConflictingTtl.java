package test;

import io.tiercache.annotation.Cached;

interface ConflictingTtl {
  @Cached(cache = "info", key = "a:{id}", ttl = "2h")
  String a(long id);

  @Cached(cache = "info", key = "b:{id}", ttl = "120m")
  String b(long id);

  @Cached(cache = "info", key = "c:{id}", ttl = "1h")
  String c(long id);
}
