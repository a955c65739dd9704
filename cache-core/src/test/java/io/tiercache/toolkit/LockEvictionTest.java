package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Locks on a Redis that evicts any key when it reaches its memory limit. */
class LockEvictionTest {

  @RegisterExtension
  static final RedisExtension redis =
      new RedisExtension(List.of("maxmemory 4mb", "maxmemory-policy allkeys-lru"));

  @Test
  void fencingToken_keepsIncreasing_whenAllkeysLruEvictsTheFence() {
    String fence = "t:__tk:lock_fence:{report}";
    try (Fixture fixture = Fixture.open(redis);
        Resp resp = redis.connect()) {
      Locks locks = fixture.toolkit.locks();
      long previous = 0;
      for (int i = 0; i < 20; i++) {
        try (Lock lock = locks.acquire("report", Duration.ofSeconds(5), Duration.ZERO)) {
          assertTrue(lock.fencingToken() > previous);
          previous = lock.fencingToken();
        }
      }
      String value = "x".repeat(16 * 1024); // 4 MB is full after about 250 of these
      int written = 0;
      while ((Long) resp.command("EXISTS", fence) == 1) {
        assertTrue(written < 5_000, "allkeys-lru never evicted the fence key");
        for (int j = 0; j < 10; j++) {
          resp.command("SET", "filler:" + written++, value);
        }
      }
      String stats = (String) resp.command("INFO", "stats");
      assertTrue(!stats.contains("evicted_keys:0\r"), "the fence key went by eviction");
      try (Lock lock = locks.acquire("report", Duration.ofSeconds(5), Duration.ZERO)) {
        assertTrue(
            lock.fencingToken() > previous, "token " + lock.fencingToken() + " after " + previous);
        assertEquals(Long.toString(lock.fencingToken()), resp.command("GET", fence));
      }
    }
  }
}
