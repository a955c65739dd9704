package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tiercache.Cache;
import io.tiercache.TierCache;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisExtensionTest {
  // One real Redis for the class, flushed before every test.
  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  private static TierCache tier() {
    return TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("shop")
        .cache("greetings", c -> c.valueType(String.class))
        .build();
  }

  @Test
  void get_writesTheCachesOwnKey() {
    try (TierCache tier = tier(); Resp resp = redis.connect()) {
      Cache<String, String> greetings = tier.cache("greetings");
      greetings.get("hello:en", key -> "Hello");
      // Each cache has its own key space: {prefix}:{cache}:{key}.
      assertEquals(1L, resp.command("EXISTS", "shop:greetings:hello:en"));
    }
  }

  @Test
  void get_whileRedisIsDown_stillAnswers() {
    AtomicInteger loads = new AtomicInteger();
    try (TierCache tier = tier()) {
      Cache<String, String> greetings = tier.cache("greetings");
      redis.stop();                                        // clients see connection refused
      assertEquals("Hallo", greetings.get("hello:de", key -> {
        loads.incrementAndGet();
        return "Hallo";
      }));
      assertEquals("Hallo", greetings.get("hello:de", key -> "not called: L1 has it"));
      redis.restart();                                     // same port, empty data set
      assertEquals(1, loads.get());
    }
  }
}
