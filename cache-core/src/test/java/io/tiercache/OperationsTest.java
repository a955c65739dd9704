package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tiercache.metrics.TierCacheMetrics;
import io.tiercache.test.MutableClock;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Refresh-ahead, period-boundary expiry, warm-up, stats snapshot and Micrometer. */
class OperationsTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache tier(
      UnaryOperator<CacheSpec.Builder> spec, UnaryOperator<TierCacheBuilder> extra) {
    TierCache tier = extra
        .apply(TierCache.builder()
            .redisUri(redis.uri())
            .keyPrefix("ops")
            .cache("c", s -> spec.apply(s.valueType(String.class))))
        .build();
    opened.add(tier);
    return tier;
  }

  private static boolean onRefreshThread() {
    return Thread.currentThread().getName().startsWith("tiercache-refresh");
  }

  @Test
  void refresh_hotKeyIsReloadedBeforeExpiry_readersNeverWaitForTheLoader() {
    MutableClock clock = new MutableClock();
    // L1 only: the refresh lease between instances is kept in Redis's time, which the clock does
    // not move
    Cache<String, String> cache = tier(
            s -> s.l2(false).ttl(Duration.ofMillis(1_000)).refreshAfter(Duration.ofMillis(250)),
            b -> b.clock(clock))
        .cache("c");
    AtomicInteger readerLoads = new AtomicInteger();
    AtomicInteger version = new AtomicInteger();
    Function<String, String> loader = k -> {
      if (!onRefreshThread()) {
        readerLoads.incrementAndGet();
      }
      return "v" + version.incrementAndGet();
    };
    String last = cache.get("hot", loader);
    // 2.6 s of the clock, read every 5 ms: L1 (TTL 1 s of the clock) would have lost the key twice
    for (int step = 1; step <= 520; step++) {
      clock.advance(Duration.ofMillis(5));
      if (step % 50 == 0) { // a pass is due: wait for it, as the time between reads would allow it
        long refreshes = step / 50;
        await().atMost(Duration.ofSeconds(5)).until(() -> cache.stats().refreshes() >= refreshes);
      }
      last = cache.get("hot", loader);
    }
    assertEquals(1, readerLoads.get(), "only the first read waited for the loader");
    assertEquals(10, cache.stats().refreshes(), "one refresh per 250 ms of the clock");
    assertEquals("v11", last, "readers see refreshed values");
    assertEquals(1.0, cache.stats().refreshSuccessRate());
  }

  @Test
  void refresh_threeInstances_eachKeyReloadedOncePerPeriod() {
    Map<String, AtomicInteger> refreshLoads = new ConcurrentHashMap<>();
    List<Cache<String, String>> caches = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      caches.add(tier(
              s -> s.ttl(Duration.ofSeconds(10))
                  .refreshAfter(Duration.ofMillis(500))
                  .refreshIdlePeriods(100),
              b -> b)
          .cache("c"));
    }
    for (Cache<String, String> cache : caches) {
      for (int k = 0; k < 10; k++) {
        cache.get("k" + k, key -> {
          if (onRefreshThread()) {
            refreshLoads.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
          }
          return "value";
        });
      }
    }
    sleep(2_600); // about 5 periods
    for (int k = 0; k < 10; k++) {
      int n = refreshLoads.getOrDefault("k" + k, new AtomicInteger()).get();
      // Without the lease each of the 3 instances would reload every key each period (~15).
      assertTrue(
          n >= 3 && n <= 7, "key k" + k + " reloaded " + n + " times in ~5 periods by 3 instances");
    }
  }

  @Test
  void refresh_registryStaysBounded() {
    Cache<String, String> cache = tier(
            s -> s.l2(false)
                .ttl(Duration.ofHours(1))
                .refreshAfter(Duration.ofMinutes(30))
                .refreshMaxKeys(1_000),
            b -> b)
        .cache("c");
    for (int i = 0; i < 100_000; i++) {
      cache.get("once:" + i, k -> "x");
    }
    long size = ((DefaultCache<String, String>) cache).refreshRegistrySize();
    assertTrue(size <= 1_000, "registry holds " + size);
  }

  @Test
  void refresh_aKeyNoLongerRead_leavesTheRegistry_althoughItsReloadsSucceed() {
    MutableClock clock = new MutableClock();
    // L1 only: the refresh lease between instances is kept in Redis's time, which the clock does
    // not move
    Cache<String, String> cache = tier(
            s -> s.l2(false)
                .ttl(Duration.ofSeconds(30))
                .refreshAfter(Duration.ofMillis(100))
                .refreshIdlePeriods(2),
            b -> b.clock(clock))
        .cache("c");
    AtomicInteger loads = new AtomicInteger();
    AtomicInteger witnessLoads = new AtomicInteger();
    Function<String, String> witness =
        k -> "w" + witnessLoads.incrementAndGet(); // read every period
    cache.get("k", k -> "v" + loads.incrementAndGet());
    cache.get("w", witness);
    DefaultCache<String, String> inside = (DefaultCache<String, String>) cache;
    assertEquals(2, inside.refreshRegistrySize());
    clock.advance(Duration.ofMillis(100));
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 2 && witnessLoads.get() == 2);
    cache.get("w", witness);
    // 250 ms after its only read "k" has been idle longer than 2 periods; "w" was read 150 ms ago
    clock.advance(Duration.ofMillis(150));
    assertEquals(1, inside.refreshRegistrySize(), "the idle key left the registry");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> witnessLoads.get() == 3); // the pass at 250 ms is done
    assertEquals(2, loads.get(), "no reload once the key left the registry");
  }

  @Test
  void refresh_getIfPresent_keepsARegisteredKey_andRegistersNone() {
    MutableClock clock = new MutableClock();
    Cache<String, String> cache = tier(
            s -> s.ttl(Duration.ofSeconds(30))
                .refreshAfter(Duration.ofMillis(100))
                .refreshIdlePeriods(2),
            b -> b.clock(clock))
        .cache("c");
    DefaultCache<String, String> inside = (DefaultCache<String, String>) cache;
    cache.put("other", "x");
    assertEquals("x", cache.getIfPresent("other"));
    assertEquals(0, inside.refreshRegistrySize(), "getIfPresent has no loader to register");
    cache.get("k", k -> "v");
    for (int i = 0; i < 100; i++) {
      clock.advance(Duration.ofMillis(10));
      assertEquals("v", cache.getIfPresent("k"));
    }
    assertEquals(
        1,
        inside.refreshRegistrySize(),
        "read through getIfPresent for 10 idle periods, still refreshed");
    clock.advance(Duration.ofMillis(200));
    assertEquals(0, inside.refreshRegistrySize(), "2 periods without a read: no longer refreshed");
  }

  @Test
  void refresh_keysReadThroughGetAll_areReloadedOneAtATimeByTheBulkLoader() {
    Cache<String, String> cache = tier(
            s -> s.ttl(Duration.ofSeconds(30))
                .refreshAfter(Duration.ofMillis(200))
                .refreshIdlePeriods(100),
            b -> b)
        .cache("c");
    List<Set<String>> calls = new CopyOnWriteArrayList<>();
    AtomicInteger version = new AtomicInteger();
    Function<Set<String>, Map<String, String>> bulk = keys -> {
      calls.add(Set.copyOf(keys));
      int v = version.incrementAndGet();
      Map<String, String> values = new HashMap<>();
      keys.forEach(k -> values.put(k, k + v));
      return values;
    };
    assertEquals(Map.of("a", "a1", "b", "b1"), cache.getAll(List.of("a", "b"), bulk));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> calls.contains(Set.of("a")) && calls.contains(Set.of("b")));
    assertEquals(Set.of("a", "b"), calls.get(0));
    assertTrue(
        calls.subList(1, calls.size()).stream().allMatch(c -> c.size() == 1), "reloads: " + calls);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> !"a1".equals(cache.getIfPresent("a")) && !"b1".equals(cache.getIfPresent("b")));
    assertTrue(cache.stats().refreshes() >= 2);
  }

  @Test
  void invalidatePattern_reachesKeysShortenedForBeingTooLong() {
    TierCache tier = tier(s -> s, b -> b.maxKeyLength(128));
    Cache<String, String> cache = tier.cache("c");
    String name = "x".repeat(300);
    cache.put("doc:" + name + ":meta", "stale");
    cache.put("doc:" + name + ":body", "stale");
    cache.put("doc:short:meta", "kept");
    assertEquals("stale", cache.getIfPresent("doc:" + name + ":meta"));
    assertTrue(tier.invalidatePattern("doc:" + name + ":*") >= 2);
    assertNull(cache.getIfPresent("doc:" + name + ":meta"), "L1 and L2");
    assertNull(cache.getIfPresent("doc:" + name + ":body"));
    assertEquals("kept", cache.getIfPresent("doc:short:meta"));
    try (Resp resp = redis.connect()) {
      assertEquals(
          0L, resp.command("EXISTS", "ops:c:" + Keys.bounded("doc:" + name + ":meta", 128)));
    }
  }

  @Test
  void refresh_failureKeepsTheOldValue() {
    AtomicBoolean failing = new AtomicBoolean();
    // read once, so kept registered for 100 periods: two failed reloads must fit however late they
    // run
    Cache<String, String> cache = tier(
            s -> s.ttl(Duration.ofSeconds(30))
                .refreshAfter(Duration.ofMillis(200))
                .refreshIdlePeriods(100),
            b -> b)
        .cache("c");
    assertEquals("good", cache.get("k", k -> {
      if (failing.get()) {
        throw new IllegalStateException("upstream down");
      }
      return "good";
    }));
    failing.set(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> cache.stats().refreshFailures() >= 2);
    assertEquals("good", cache.get("k", k -> "reader must not load"));
    assertTrue(cache.stats().refreshSuccessRate() < 1.0);
  }

  @Test
  void earlyRefresh_xfetchReloadsOnRead() {
    Cache<String, String> cache = tier(
            s ->
                s.ttl(Duration.ofHours(2)).refreshAfter(Duration.ofHours(1)).earlyRefreshBeta(1e12),
            b -> b)
        .cache("c");
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", k -> "v" + loads.incrementAndGet());
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      cache.get("k", k -> "v" + loads.incrementAndGet());
      return cache.stats().refreshes() >= 1;
    });
  }

  @Test
  void boundaryExpiry_endsAtTheNextMidnightOfTheZone() {
    ZoneId shanghai = ZoneId.of("Asia/Shanghai");
    Instant lateEvening = ZonedDateTime.of(2026, 11, 22, 23, 59, 0, 0, shanghai).toInstant();
    Clock clock = Clock.fixed(lateEvening, ZoneId.of("UTC"));
    TierCache tier = tier(
        s -> s.ttl(Duration.ofHours(1)),
        b -> b.clock(clock)
            .cache(
                "daily",
                s -> s.valueType(String.class)
                    .ttl(Duration.ofMinutes(30))
                    .expireAtNextMidnight("Asia/Shanghai"))
            .cache(
                "quarter",
                s -> s.valueType(String.class)
                    .ttl(Duration.ofHours(1))
                    .expireAtBoundary(Duration.ofMinutes(15), "Asia/Shanghai")));
    tier.<String, String>cache("daily").put("project:1:daily-stats", "s");
    tier.<String, String>cache("c").put("project:1:stats", "s");
    try (Resp resp = redis.connect()) {
      long daily = (Long) resp.command("PTTL", "ops:daily:project:1:daily-stats");
      assertTrue(daily > 55_000 && daily <= 60_000, "expires at midnight, in " + daily + " ms");
      long normal = (Long) resp.command("PTTL", "ops:c:project:1:stats");
      assertTrue(normal > 3_500_000, "other caches keep their TTL: " + normal);
    }
    assertEquals(60_000, Expiries.untilNextBoundaryMillis(Duration.ofDays(1), shanghai, clock));
    Clock tenSeven =
        Clock.fixed(ZonedDateTime.of(2026, 11, 22, 10, 7, 0, 0, shanghai).toInstant(), shanghai);
    assertEquals(
        Duration.ofMinutes(8).toMillis(),
        Expiries.untilNextBoundaryMillis(Duration.ofMinutes(15), shanghai, tenSeven));
    IllegalArgumentException zone = assertThrows(
        IllegalArgumentException.class,
        () -> CacheSpec.builder().expireAtNextMidnight("Mars/Olympus"));
    assertEquals(
        "zone 'Mars/Olympus' is unknown: use an id such as 'UTC' or 'Asia/Shanghai'",
        zone.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> CacheSpec.builder().expireAtBoundary(Duration.ofMinutes(7), "UTC"));
  }

  @Test
  void warmUp_neverExceedsItsConcurrency() {
    Cache<String, String> cache = tier(s -> s, b -> b).cache("c");
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    List<Integer> progress = new CopyOnWriteArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      keys.add("w:" + i);
    }
    WarmUpResult result = cache.warmUp(
        keys,
        k -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          sleep(3);
          running.decrementAndGet();
          return "v";
        },
        4,
        (done, total) -> progress.add(done));
    assertTrue(maxRunning.get() <= 4, "at most 4 at once, saw " + maxRunning.get());
    assertTrue(maxRunning.get() >= 2, "ran in parallel: " + maxRunning.get());
    assertEquals(new WarmUpResult(200, 200, 0, 0, result.took()), result);
    assertEquals(200, progress.size());
    assertEquals(200, progress.stream().mapToInt(Integer::intValue).max().orElse(0));
    WarmUpResult again = cache.warmUp(keys, k -> "reloaded", 4, null);
    assertEquals(200, again.alreadyCached());
    assertTrue(cache.hottestKeys(5).size() == 5, cache.hottestKeys(5).toString());
    assertEquals(
        "concurrency must be at least 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> cache.warmUp(keys, k -> "v", 0, null))
            .getMessage());
  }

  @Test
  void scheduleEvery_runsRepeatedly() {
    TierCache tier = tier(s -> s, b -> b);
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> task = tier.scheduleEvery(Duration.ofMillis(50), runs::incrementAndGet);
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
    task.cancel(false);
    ScheduledFuture<?> daily =
        tier.scheduleDaily(LocalTime.of(6, 0), ZoneId.of("UTC"), runs::incrementAndGet);
    assertTrue(daily.getDelay(TimeUnit.HOURS) <= 24);
    daily.cancel(false);
    assertThrows(IllegalArgumentException.class, () -> tier.scheduleEvery(Duration.ZERO, () -> {}));
  }

  @Test
  void snapshot_exactNumbersAfterAScriptedSequence_andMicrometerAgrees() {
    TierCache tier = tier(s -> s, b -> b);
    Cache<String, String> cache = tier.cache("c");
    cache.get("a", k -> "A"); // miss, load
    cache.get("a", k -> "A"); // L1 hit
    cache.put("b", "B");
    cache.invalidate("b");
    cache.getIfPresent("zz"); // miss
    try {
      cache.get("boom", k -> {
        throw new IllegalStateException("no");
      });
    } catch (IllegalStateException expected) {
      // counted as a load failure
    }
    StatsSnapshot snapshot = tier.snapshot();
    CacheStats c = snapshot.caches().get("c");
    assertEquals(4, c.requests());
    assertEquals(1, c.l1Hits());
    assertEquals(0, c.l2Hits());
    assertEquals(3, c.misses());
    assertEquals(1, c.loads());
    assertEquals(1, c.loadFailures());
    assertEquals(1, c.puts());
    assertEquals(1, c.invalidations());
    assertEquals(0.25, c.hitRate());
    assertEquals(
        c, tier.stats("c"), "one cache's snapshot is the same as its entry in the whole one");
    assertNull(tier.stats("never-used"));
    assertEquals(
        "cacheName must not be null",
        assertThrows(NullPointerException.class, () -> tier.stats(null)).getMessage());
    assertTrue(snapshot.redis().configured() && snapshot.redis().available());
    assertTrue(snapshot.redis().keysUnderPrefix() >= 1, snapshot.toString());
    assertTrue(snapshot.redis().usedMemoryBytes() > 0);
    assertTrue(snapshot.redis().connectedClients() >= 1);
    assertTrue(
        snapshot.redis().redisVersion().startsWith("6."), snapshot.redis().redisVersion());
    String json = snapshot.toJson();
    assertTrue(
        json.contains("\"hitRate\" : 0.25")
            && json.contains("\"l1Hits\" : 1")
            && json.contains("\"keyPrefix\" : \"ops\""),
        json);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new TierCacheMetrics(tier).bindTo(registry);
    assertEquals(
        1.0,
        registry
            .get("tiercache.cache.gets")
            .tags("cache", "c", "level", "l1")
            .functionCounter()
            .count());
    assertEquals(
        0.0,
        registry
            .get("tiercache.cache.gets")
            .tags("cache", "c", "level", "l2")
            .functionCounter()
            .count());
    assertEquals(
        1.0,
        registry
            .get("cache.gets")
            .tags("cache", "c", "result", "hit")
            .functionCounter()
            .count());
    assertEquals(
        3.0,
        registry
            .get("cache.gets")
            .tags("cache", "c", "result", "miss")
            .functionCounter()
            .count());
    assertEquals(
        2.0,
        registry.get("cache.puts").tags("cache", "c").functionCounter().count(),
        "one put, one load");
    assertEquals(
        1.0,
        registry
            .get("cache.load")
            .tags("cache", "c", "result", "failure")
            .functionCounter()
            .count());
    assertEquals(
        c.totalLoadTimeNanos() / 1e9,
        registry.get("cache.load.duration").tags("cache", "c").timeGauge().value(TimeUnit.SECONDS));
    assertEquals(
        1.0,
        registry
            .get("tiercache.cache.invalidations")
            .tags("cache", "c")
            .functionCounter()
            .count());
    assertEquals(1.0, registry.get("tiercache.redis.available").gauge().value());
    cache.get("a", k -> "A");
    assertEquals(
        2.0,
        registry
            .get("tiercache.cache.gets")
            .tags("cache", "c", "level", "l1")
            .functionCounter()
            .count(),
        "meters read the live counters");
  }

  @Test
  void distributedLoad_threeInstancesMissingOneKeyCallTheLoaderOnce() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    List<Cache<String, String>> caches = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      caches.add(tier(s -> s.distributedLoad(Duration.ofSeconds(5)), b -> b).cache("c"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (Cache<String, String> cache : caches) {
        results.add(pool.submit(() -> cache.get("expensive", k -> {
          loads.incrementAndGet();
          sleep(300);
          return "built once";
        })));
      }
      for (Future<String> result : results) {
        assertEquals("built once", result.get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, loads.get(), "one instance loads, the others wait for its value in Redis");
    long l2Hits = caches.stream().mapToLong(c -> c.stats().l2Hits()).sum();
    assertEquals(2, l2Hits);
  }

  @Test
  void distributedLoad_waitIsBounded() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    Cache<String, String> slow =
        tier(s -> s.distributedLoad(Duration.ofMillis(200)), b -> b).cache("c");
    Cache<String, String> other =
        tier(s -> s.distributedLoad(Duration.ofMillis(200)), b -> b).cache("c");
    Thread first = new Thread(() -> slow.get("k", k -> {
      loads.incrementAndGet();
      sleep(1_500);
      return "slow";
    }));
    first.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 1);
    long start = System.nanoTime();
    assertEquals("mine", other.get("k", k -> {
      loads.incrementAndGet();
      return "mine";
    }));
    assertTrue(
        System.nanoTime() - start < Duration.ofMillis(1_400).toNanos(),
        "did not wait for the slow load");
    assertEquals(2, loads.get());
    first.join(5_000);
    assertThrows(
        IllegalStateException.class,
        () ->
            CacheSpec.builder().l2(false).distributedLoad(Duration.ofSeconds(1)).build());
  }

  @Test
  void writeLoadedAsync_theCallerHasTheValue_otherInstancesFindItInRedisSoonAfter() {
    AtomicInteger loads = new AtomicInteger();
    Cache<String, String> loader = tier(
            s -> s.writeLoadedAsync(true).distributedLoad(Duration.ofSeconds(5)), b -> b)
        .cache("c");
    Cache<String, String> reader = tier(s -> s, b -> b).cache("c");
    assertEquals("built", loader.get("k", k -> {
      loads.incrementAndGet();
      return "built";
    }));
    await().atMost(Duration.ofSeconds(5)).until(() -> "built".equals(reader.getIfPresent("k")));
    assertEquals(
        "built", loader.get("k", k -> "loaded twice"), "the loader's own L1 has the value");
    assertEquals(1, loads.get());
    try (Resp resp = redis.connect()) {
      long ttl = (Long) resp.command("PTTL", "ops:c:k");
      assertTrue(ttl > 0, "written with the cache's TTL, PTTL " + ttl);
      // The load lease is released once the write is done, in the background too.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Long.valueOf(0).equals(resp.command("EXISTS", "ops:__tc:load:c:k")));
    }
  }

  @Test
  void writeLoadedAsync_anInvalidationDuringTheLoadKeepsTheLoadedValueOutOfRedis() {
    Cache<String, String> loading = tier(s -> s.writeLoadedAsync(true), b -> b).cache("c");
    Cache<String, String> writer = tier(s -> s, b -> b).cache("c");
    String first = loading.get("k", k -> {
      writer.invalidate("k"); // the store changed while this value was being read from it
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> opened.get(0).coherenceStats().received() > 0);
      return "before the change";
    });
    assertEquals("before the change", first, "the caller still gets what its loader returned");
    sleep(200); // time for a background write, had one been sent
    try (Resp resp = redis.connect()) {
      assertEquals(
          0L, resp.command("EXISTS", "ops:c:k"), "the possibly stale value was not written");
    }
    assertEquals("after the change", loading.get("k", k -> "after the change"), "nor kept in L1");
    assertThrows(
        IllegalStateException.class,
        () -> CacheSpec.builder().l2(false).writeLoadedAsync(true).build());
  }

  @Test
  void badConfiguration_failsAtConfigurationTime() {
    assertEquals(
        "refreshAfter (PT2H) must be shorter than ttl (PT1H): a key must be refreshed before it expires",
        assertThrows(
                IllegalStateException.class,
                () -> CacheSpec.builder().refreshAfter(Duration.ofHours(2)).build())
            .getMessage());
    assertEquals(
        "refreshAfter must be positive, was PT0S",
        assertThrows(
                IllegalArgumentException.class,
                () -> CacheSpec.builder().refreshAfter(Duration.ZERO))
            .getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> CacheSpec.builder().earlyRefreshBeta(1).build());
    assertThrows(IllegalArgumentException.class, () -> CacheSpec.builder().earlyRefreshBeta(-1));
    assertThrows(IllegalArgumentException.class, () -> CacheSpec.builder().refreshIdlePeriods(0));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
