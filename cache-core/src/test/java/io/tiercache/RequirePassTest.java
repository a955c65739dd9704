package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tiercache.test.RedisExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** docs/testing.md's requirepass example, as written there: two tests, each after a flush. */
class RequirePassTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension(List.of("requirepass secret"));

  private static void putAndRead() {
    try (TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .redisCredentials(null, redis.password())
        .cache("p", c -> c.valueType(String.class))
        .build()) {
      Cache<String, String> cache = tier.cache("p");
      assertEquals("loaded", cache.get("k", k -> "loaded"), "each test starts with an empty Redis");
      cache.put("k", "v");
      assertEquals(0, cache.stats().degradedCalls());
    }
  }

  @Test
  void first() {
    putAndRead();
  }

  @Test
  void second() {
    putAndRead();
  }
}
