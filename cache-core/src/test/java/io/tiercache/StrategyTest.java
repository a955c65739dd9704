package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The three write strategies, as {@link Strategy} defines them. */
class StrategyTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  /** A system of record that counts its calls. */
  static final class Store implements CacheWriter<String, Integer> {
    final Map<String, Integer> rows = new ConcurrentHashMap<>();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    volatile RuntimeException failure;

    @Override
    public void write(String key, Integer value) {
      RuntimeException f = failure;
      if (f != null) {
        throw f;
      }
      writes.incrementAndGet();
      rows.put(key, value);
    }

    @Override
    public void writeAll(Map<String, Integer> entries) {
      RuntimeException f = failure;
      if (f != null) {
        throw f;
      }
      batches.incrementAndGet();
      writes.addAndGet(entries.size());
      rows.putAll(entries);
    }
  }

  private Cache<String, Integer> cache(Levels levels, UnaryOperator<CacheSpec.Builder> spec) {
    TierCacheBuilder builder = TierCache.builder()
        .keyPrefix("s")
        .cache("c", s -> spec.apply(levels.apply(s.valueType(Integer.class))));
    if (levels.l2) {
      builder.redisUri(redis.uri());
    }
    TierCache tier = builder.build();
    opened.add(tier);
    return tier.cache("c");
  }

  private static Object redisValue(String key) {
    try (Resp resp = redis.connect()) {
      return resp.command("EXISTS", key);
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void cacheAside_putWritesBothLevelsAndNeverTheStore(Levels levels) {
    Cache<String, Integer> cache = cache(levels, s -> s);
    cache.put("a", 1);
    assertEquals(1, cache.getIfPresent("a"));
    if (levels.l2) {
      assertEquals(1L, redisValue("s:c:a"));
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void writeThrough_callsWriterThenCaches(Levels levels) {
    Store store = new Store();
    Cache<String, Integer> cache =
        cache(levels, s -> s.strategy(Strategy.WRITE_THROUGH).writer(store));
    cache.put("a", 1);
    assertEquals(Map.of("a", 1), store.rows);
    assertEquals(1, cache.get("a", k -> 99));
    if (levels.l2) {
      assertEquals(1L, redisValue("s:c:a"));
    }
  }

  /** A write that did not reach Redis is not reported as done; Redis never serves the replaced value. */
  @Test
  void writeThrough_redisDown_thePutThrowsAfterTheWriter_andTheOldValueNeverComesBack() {
    Store store = new Store();
    Cache<String, Integer> cache =
        cache(Levels.L1_L2, s -> s.strategy(Strategy.WRITE_THROUGH).writer(store));
    cache.put("a", 1);
    redis.stop();
    RedisUnavailableException e =
        Assertions.assertThrows(RedisUnavailableException.class, () -> cache.put("a", 2));
    Assertions.assertTrue(
        e.getMessage().contains("written by the writer but not to Redis"), e.getMessage());
    assertEquals(Map.of("a", 2), store.rows, "the writer has the value");
    assertEquals(2, cache.get("a", k -> 99), "and so does this instance's L1");
    redis.restart();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> opened.get(opened.size() - 1).isRedisAvailable());
    assertEquals(0L, redisValue("s:c:a"), "no stale value in Redis");
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void writeThrough_writerFailureLeavesCacheUntouched(Levels levels) {
    Store store = new Store();
    Cache<String, Integer> cache =
        cache(levels, s -> s.strategy(Strategy.WRITE_THROUGH).writer(store));
    cache.put("a", 1);
    IllegalStateException cause = new IllegalStateException("database down");
    store.failure = cause;
    CacheWriterException e = assertThrows(CacheWriterException.class, () -> cache.put("a", 2));
    assertSame(cause, e.getCause());
    assertTrue(e.getMessage().contains("'c'") && e.getMessage().contains("'a'"), e.getMessage());
    assertEquals(1, cache.getIfPresent("a"), "the old value stays: nothing half-written");
    assertEquals(1, store.rows.get("a"));
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void writeBack_putReturnsBeforeTheStoreIsWritten(Levels levels) {
    Store store = new Store();
    Cache<String, Integer> cache = cache(
        levels,
        s -> s.strategy(Strategy.WRITE_BACK).writer(store).writeBackInterval(Duration.ofHours(1)));
    cache.put("a", 1);
    assertEquals(1, cache.getIfPresent("a"), "reads see the pending value");
    assertEquals(1, cache.get("a", k -> 99));
    assertEquals(0, store.writes.get());
    assertEquals(1, cache.stats().writeBackQueueDepth());
    cache.flush();
    assertEquals(Map.of("a", 1), store.rows);
    assertEquals(0, cache.stats().writeBackQueueDepth());
    if (levels.l2) {
      assertEquals(1L, redisValue("s:c:a"));
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void writeBack_10000PutsOver100Keys_closeLeavesTheLastValueOfEveryKey(Levels levels)
      throws Exception {
    Store store = new Store();
    TierCacheBuilder builder = TierCache.builder()
        .keyPrefix("s")
        .cache(
            "c",
            s -> levels.apply(s.valueType(Integer.class)
                .strategy(Strategy.WRITE_BACK)
                .writer(store)
                .writeBackInterval(Duration.ofMillis(20))
                .writeBackBatchSize(50)));
    if (levels.l2) {
      builder.redisUri(redis.uri());
    }
    TierCache tier = builder.build();
    Cache<String, Integer> cache = tier.cache("c");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        // Each thread owns 25 keys, so "last value" is well defined: 2,500 puts per thread.
        for (int i = 0; i < 2_500; i++) {
          cache.put("k" + (thread * 25 + i % 25), i);
        }
      }));
    }
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    tier.close();
    assertEquals(100, store.rows.size());
    for (int key = 0; key < 100; key++) {
      int last = 2_500 - 25 + key % 25;
      assertEquals(last, store.rows.get("k" + key), "key k" + key);
    }
    assertTrue(store.writes.get() < 10_000, "writes coalesce per key: " + store.writes.get());
    if (levels.l2) {
      TierCache reader = TierCache.builder()
          .redisUri(redis.uri())
          .keyPrefix("s")
          .cache("c", s -> s.valueType(Integer.class).l1(false))
          .build();
      opened.add(reader);
      Cache<String, Integer> fromRedis = reader.cache("c");
      for (int key = 0; key < 100; key++) {
        assertEquals(
            2_500 - 25 + key % 25, fromRedis.getIfPresent("k" + key), "Redis holds the last value");
      }
    }
  }

  @Test
  void writeBack_failingWriterRetriesThenDeadLetters() {
    Store store = new Store();
    store.failure = new IllegalStateException("database down");
    List<String> dead = new CopyOnWriteArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    CacheWriter<String, Integer> counting = new CacheWriter<>() {
      @Override
      public void write(String key, Integer value) {
        store.write(key, value);
      }

      @Override
      public void writeAll(Map<String, Integer> entries) {
        attempts.incrementAndGet();
        store.writeAll(entries);
      }
    };
    Cache<String, Integer> cache = cache(
        Levels.L1_L2,
        s -> s.strategy(Strategy.WRITE_BACK)
            .writer(counting)
            .writeBackInterval(Duration.ofHours(1))
            .writeBackMaxAttempts(3)
            .writeBackBackoff(Duration.ofMillis(10))
            .deadLetterListener((name, key, value, cause) ->
                dead.add(name + ":" + key + "=" + value + " " + cause.getMessage())));
    cache.put("a", 1);
    cache.put("b", 2);
    cache.flush();
    assertEquals(3, attempts.get());
    assertEquals(
        List.of("c:a=1 database down", "c:b=2 database down"),
        dead.stream().sorted().toList());
    assertEquals(2, cache.stats().deadLetters());
    assertEquals(0, cache.stats().writeBackQueueDepth());
    assertEquals(0L, redisValue("s:c:a"), "a write the store refused is not put into Redis");
  }

  @Test
  void writeBack_writerRecoveringWithinRetriesLosesNothing() {
    Store store = new Store();
    AtomicInteger calls = new AtomicInteger();
    CacheWriter<String, Integer> flaky = new CacheWriter<>() {
      @Override
      public void write(String key, Integer value) {
        throw new AssertionError("batched");
      }

      @Override
      public void writeAll(Map<String, Integer> entries) {
        if (calls.incrementAndGet() < 3) {
          throw new IllegalStateException("transient");
        }
        store.writeAll(entries);
      }
    };
    Cache<String, Integer> cache = cache(
        Levels.L1_L2,
        s -> s.strategy(Strategy.WRITE_BACK)
            .writer(flaky)
            .writeBackInterval(Duration.ofHours(1))
            .writeBackBackoff(Duration.ofMillis(10)));
    cache.put("a", 1);
    cache.flush();
    assertEquals(Map.of("a", 1), store.rows);
    assertEquals(0, cache.stats().deadLetters());
  }

  @Test
  void writeBack_fullQueueMakesTheCallerFlush() {
    Store store = new Store();
    Cache<String, Integer> cache = cache(
        Levels.L1_ONLY,
        s -> s.strategy(Strategy.WRITE_BACK)
            .writer(store)
            .writeBackInterval(Duration.ofHours(1))
            .writeBackCapacity(10)
            .writeBackBatchSize(10));
    for (int i = 0; i < 10; i++) {
      cache.put("k" + i, i);
    }
    // The batch-size trigger may already have flushed in the background; wait for a stable state.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.rows.size() == 10 || cache.stats().writeBackQueueDepth() == 10);
    cache.put("k10", 10);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.rows.size() >= 10);
    assertTrue(cache.stats().writeBackQueueDepth() <= 10, "the queue never exceeds its capacity");
    cache.flush();
    assertEquals(11, store.rows.size());
  }

  @Test
  void writeBack_periodicFlush() {
    Store store = new Store();
    Cache<String, Integer> cache = cache(
        Levels.L1_L2,
        s ->
            s.strategy(Strategy.WRITE_BACK).writer(store).writeBackInterval(Duration.ofMillis(50)));
    cache.put("a", 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> store.rows.containsKey("a"));
    await().atMost(Duration.ofSeconds(5)).until(() -> cache.stats().writeBackQueueDepth() == 0);
  }

  @Test
  void writeBack_invalidateKeepsTheAcknowledgedWrite() {
    Store store = new Store();
    Cache<String, Integer> cache = cache(
        Levels.L1_L2,
        s -> s.strategy(Strategy.WRITE_BACK).writer(store).writeBackInterval(Duration.ofHours(1)));
    cache.put("a", 1);
    cache.invalidate("a");
    cache.flush();
    assertEquals(Map.of("a", 1), store.rows);
  }

  @Test
  void spec_strategyWithoutWriterIsRejected() {
    IllegalStateException e = assertThrows(
        IllegalStateException.class,
        () -> CacheSpec.builder().strategy(Strategy.WRITE_BACK).build());
    assertEquals(
        "strategy WRITE_BACK requires a writer: call writer(...) on the spec", e.getMessage());
    assertNull(CacheSpec.defaults().writer());
  }
}
