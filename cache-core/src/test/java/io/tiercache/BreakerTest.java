package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The circuit breaker opens on an outage, not on one slow reply. */
class BreakerTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache tier(UnaryOperator<TierCacheBuilder> extra) {
    TierCache tier = extra
        .apply(TierCache.builder()
            .redisUri(redis.uri())
            .keyPrefix("b")
            .commandTimeout(Duration.ofMillis(100))
            .probeInterval(Duration.ofMillis(100))
            .coherence(CoherenceMode.NONE)
            .cache("c", s -> s.valueType(String.class).l1(false)))
        .build();
    opened.add(tier);
    return tier;
  }

  /** Freezes the server for {@code millis} from another connection, as a slow command would. */
  private static Thread freeze(long millis) {
    Thread sleeper = new Thread(() -> {
      try (Resp resp = redis.connect()) {
        resp.command("DEBUG", "SLEEP", Double.toString(millis / 1000.0));
      }
    });
    sleeper.start();
    return sleeper;
  }

  @Test
  void oneSlowReply_failsThatCallOnly_theBreakerStaysClosed() throws Exception {
    TierCache tier = tier(b -> b);
    Cache<String, String> cache = tier.cache("c");
    cache.put("k", "v");
    Thread sleeper = freeze(300);
    Thread.sleep(50);
    assertEquals(
        "loaded", cache.get("other", k -> "loaded"), "the slow call falls back to the loader");
    sleeper.join();
    assertTrue(tier.isRedisAvailable(), "one timeout opened the breaker");
    assertEquals("v", cache.get("k", k -> "loaded"), "the next call uses Redis at once");
    assertEquals(0, tier.snapshot().redis().breakerTrips());
  }

  @Test
  void severalFailuresInARow_openTheBreaker() throws Exception {
    TierCache tier = tier(b -> b);
    Cache<String, String> cache = tier.cache("c");
    Thread sleeper = freeze(800);
    Thread.sleep(50);
    for (int i = 0; i < TierCacheBuilder.DEFAULT_BREAKER_FAILURES; i++) {
      assertEquals("loaded", cache.get("k" + i, k -> "loaded"));
    }
    assertFalse(tier.isRedisAvailable(), "three timeouts in a row are an outage");
    long start = System.nanoTime();
    assertEquals("loaded", cache.get("fast", k -> "loaded"));
    assertTrue(System.nanoTime() - start < 90_000_000L, "an open breaker does not pay the timeout");
    sleeper.join();
  }

  @Test
  void breakerOfOne_opensOnTheFirstTimeout() throws Exception {
    TierCache tier = tier(b -> b.breaker(1, Duration.ofSeconds(1)));
    Thread sleeper = freeze(300);
    Thread.sleep(50);
    tier.<String, String>cache("c").get("k", k -> "loaded");
    assertFalse(tier.isRedisAvailable());
    sleeper.join();
  }

  @Test
  void breaker_badArguments_areRefused() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> TierCache.builder().breaker(0, Duration.ofSeconds(1)));
    assertEquals("breaker failures must be between 1 and 1000, was 0", e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class, () -> TierCache.builder().breaker(3, Duration.ofMillis(2)));
    assertEquals("breaker window must be between 10 ms and 1 minute, was PT0.002S", e.getMessage());
  }
}
