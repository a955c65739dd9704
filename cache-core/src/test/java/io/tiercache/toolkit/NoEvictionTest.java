package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.RedisUnavailableException;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The toolkit on a Redis whose memory is full and that evicts nothing. */
class NoEvictionTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension(List.of("maxmemory-policy noeviction"));

  /** Every write that needs memory is refused from now on. */
  private static void fillMemory() {
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory", "1");
    }
  }

  @AfterEach
  void freeMemory() {
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory", "0");
    }
  }

  @Test
  void counterIncrement_outOfMemory_isRedisUnavailable_notANonIntegerCounter() {
    try (Fixture fixture = Fixture.open(redis)) {
      Counters counters = fixture.toolkit.counters();
      assertEquals(1, counters.increment("hits"));
      fillMemory();
      RedisUnavailableException e =
          assertThrows(RedisUnavailableException.class, () -> counters.increment("hits"));
      assertTrue(e.getMessage().contains("OOM"), e.getMessage());
      freeMemory();
      assertEquals(2, counters.increment("hits"));
    }
  }

  @Test
  void batchedDeltas_outOfMemory_stayInMemoryUntilAFlushSucceeds() {
    try (Fixture fixture = Fixture.open(redis)) {
      Counters counters =
          fixture.toolkit.counters(CounterSpec.defaults().withBatchInterval(Duration.ofHours(1)));
      counters.add("views", 5);
      fillMemory();
      try {
        counters.flush();
      } catch (RedisUnavailableException expected) {
        // either way, the delta must still be pending
      }
      assertEquals(
          1, counters.pendingCount(), "the refused delta is kept, not dropped as 'not an integer'");
      freeMemory();
      counters.flush();
      assertEquals(0, counters.pendingCount());
      try (Resp resp = redis.connect()) {
        assertEquals("5", resp.command("GET", "t:__tk:counter:views"));
      }
    }
  }
}
