package test;

import io.tiercache.annotation.Cached;

public interface RefreshTooLong {
  @Cached(cache = "stats", key = "project:{id}:stats", ttl = "1h", refresh = "2h")
  String stats(long id);
}
