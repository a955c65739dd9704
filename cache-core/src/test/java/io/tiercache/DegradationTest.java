package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis down, slow or back: calls never fail, and Redis never serves a value older than a write. */
@Tag("fault")
class DegradationTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache tier(boolean l1) {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("d")
        .commandTimeout(Duration.ofMillis(100))
        .connectTimeout(Duration.ofMillis(200))
        .probeInterval(Duration.ofMillis(100))
        .cache("c", s -> s.valueType(String.class).l1(l1))
        .build();
    opened.add(tier);
    return tier;
  }

  @Test
  void redisStoppedMidRun_noCallFails_andRedisIsUsedAgainAfterRestart() throws Exception {
    TierCache tier = tier(false);
    Cache<String, String> cache = tier.cache("c");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong calls = new AtomicLong();
    AtomicInteger failures = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      workers.add(pool.submit(() -> {
        int i = 0;
        while (running.get()) {
          String key = "k" + (i++ % 50);
          try {
            switch (thread) {
              case 0 -> cache.get(key, k -> "v:" + k);
              case 1 -> cache.put(key, "p:" + key);
              case 2 ->
                cache.getAll(List.of(key, key + "x"), missing -> {
                  Map<String, String> loaded = new HashMap<>();
                  missing.forEach(m -> loaded.put(m, "b:" + m));
                  return loaded;
                });
              default -> cache.invalidate(key);
            }
            calls.incrementAndGet();
          } catch (RuntimeException e) {
            failures.incrementAndGet();
            e.printStackTrace();
          }
        }
      }));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > 500);
    redis.stop();
    long atStop = calls.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > atStop + 2_000);
    assertFalse(tier.isRedisAvailable());
    redis.restart();
    await().atMost(Duration.ofSeconds(10)).until(tier::isRedisAvailable);
    long afterRestart = calls.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() > afterRestart + 500);
    running.set(false);
    for (Future<?> worker : workers) {
      worker.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(0, failures.get(), "calls that failed while Redis was down");
    assertTrue(cache.stats().degradedCalls() > 0);
    // Redis is used again: a value written now is in Redis.
    cache.put("after", "restart");
    try (Resp resp = redis.connect()) {
      assertEquals(1L, resp.command("EXISTS", "d:c:after"));
    }
  }

  @Test
  void redisDownAtStartUp_cacheAnswersFromLoaderThenUsesRedis() {
    redis.stop();
    TierCache tier = tier(true);
    assertFalse(tier.isRedisAvailable());
    Cache<String, String> cache = tier.cache("c");
    AtomicInteger loads = new AtomicInteger();
    assertEquals("v", cache.get("k", k -> {
      loads.incrementAndGet();
      return "v";
    }));
    assertEquals("v", cache.get("k", k -> "other"), "L1 still works while Redis is down");
    assertEquals(1, loads.get());
    redis.restart();
    await().atMost(Duration.ofSeconds(10)).until(tier::isRedisAvailable);
    cache.put("k2", "v2");
    try (Resp resp = redis.connect()) {
      assertEquals(1L, resp.command("EXISTS", "d:c:k2"));
    }
  }

  @Test
  void slowRedis_opensTheBreaker_callsGoToTheLoader() throws Exception {
    TierCache tier = tier(false);
    Cache<String, String> cache = tier.cache("c");
    cache.put("k", "cached");
    Thread sleeper = new Thread(() -> {
      try (Resp resp = redis.connect()) {
        resp.command("DEBUG", "SLEEP", "1.5");
      }
    });
    sleeper.start();
    // a few timeouts in a row (TierCacheBuilder.DEFAULT_BREAKER_FAILURES) open the breaker
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> "loaded".equals(cache.get("k", k -> "loaded")) && !tier.isRedisAvailable());
    long degraded = cache.stats().degradedCalls();
    assertTrue(degraded > 0);
    for (int i = 0; i < 20; i++) {
      assertEquals("loaded", cache.get("k", k -> "loaded"));
    }
    sleeper.join(5_000);
    await().atMost(Duration.ofSeconds(10)).until(tier::isRedisAvailable);
    assertEquals("cached", cache.get("k", k -> "loaded"), "Redis is read again once it answers");
  }

  @Test
  void writesDuringAnOutage_areDeletedFromRedisBeforeItIsUsedAgain() throws Exception {
    TierCache a = tier(true);
    TierCache b = tier(true);
    Cache<String, String> cacheA = a.cache("c");
    cacheA.put("k", "v1");
    cacheA.put("gone", "x");
    // Redis stays up but stops answering: the breaker opens while the data is kept.
    Thread pauser = new Thread(() -> {
      try (Resp resp = redis.connect()) {
        resp.command("CLIENT", "PAUSE", "1200", "ALL");
      }
    });
    pauser.start();
    pauser.join();
    AtomicInteger probes = new AtomicInteger();
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      cacheA.get(
          "probe" + probes.incrementAndGet(), k -> "x"); // a new key each time: L1 cannot answer it
      return !a.isRedisAvailable();
    });
    cacheA.put("k", "v2"); // cannot reach Redis, which still holds v1
    a.invalidatePattern("go*"); // cannot reach Redis either
    assertEquals("v2", cacheA.get("k", k -> "loaded"));
    await().atMost(Duration.ofSeconds(10)).until(a::isRedisAvailable);
    try (Resp resp = redis.connect()) {
      assertEquals(0L, resp.command("EXISTS", "d:c:k"), "the stale v1 was deleted on recovery");
      assertEquals(0L, resp.command("EXISTS", "d:c:gone"), "the pattern ran on recovery");
    }
    await().atMost(Duration.ofSeconds(10)).until(b::isRedisAvailable);
    assertEquals(
        "fresh", b.<String, String>cache("c").get("k", k -> "fresh"), "no instance reads v1 again");
  }
}
