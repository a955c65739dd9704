package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * Every distinct Java {@code String} key is a distinct Redis key, or is refused: a lone surrogate
 * has no UTF-8 form, so {@code u:\uD800}, {@code u:\uDFFF} and {@code u:?} would share one key.
 */
class UnicodeKeyTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private TierCache tier;
  private Cache<String, String> cache;

  @BeforeEach
  void open() {
    tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("u")
        .maxKeyLength(64)
        .cache("c", s -> s.valueType(String.class).l1(false))
        .build();
    cache = tier.cache("c");
  }

  @AfterEach
  void close() {
    tier.close();
  }

  private static void refused(Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
  }

  /** The Redis keys of cached values, without Tiercache's own (the invalidation stream). */
  private static List<Object> cacheKeys() {
    try (Resp resp = redis.connect()) {
      List<Object> keys = new ArrayList<>((List<?>) resp.command("KEYS", "*"));
      keys.removeIf(key -> String.valueOf(key).startsWith("u:__"));
      return keys;
    }
  }

  @Test
  void loneSurrogates_areRefusedByEveryCall_beforeTheyReachRedis() {
    String longTail = "x".repeat(80) + "\uD800";
    for (String key : List.of("u:\uD800", "u:\uDFFF", "\uDC00", "a\uD800b", "z\uDBFF", longTail)) {
      refused(() -> cache.get(key, k -> "loaded"));
      refused(() -> cache.getAsync(key, k -> CompletableFuture.completedFuture("x")));
      refused(() -> cache.getAll(List.of("fine", key), ks -> Map.of()));
      refused(() -> cache.getIfPresent(key));
      refused(() -> cache.put(key, "v"));
      refused(() -> cache.invalidate(key));
      refused(() -> tier.invalidate(key));
      refused(() -> tier.invalidatePattern(key + "*"));
    }
    assertEquals(List.of(), cacheKeys(), "nothing was written under a refused key");
    assertEquals("fine", cache.get("fine", k -> "fine"), "a refused getAll left no load behind");
  }

  @Test
  void distinctKeys_areDistinctRedisKeys_surrogatePairsIncluded() {
    List<String> keys = List.of("u:?", "u:\uD83D\uDE00", "u:\uD83D\uDE01", "u:\u00E4", "u:a\u0308");
    Map<String, String> expected = new HashMap<>();
    for (String key : keys) {
      cache.put(key, "value of " + key);
      expected.put(key, "value of " + key);
    }
    for (String key : keys) {
      assertEquals(expected.get(key), cache.get(key, k -> null), key);
    }
    assertEquals(
        keys.size(), cacheKeys().size(), "distinct keys shared a Redis key: " + cacheKeys());
    assertNull(cache.getIfPresent("u:absent"));
  }
}
