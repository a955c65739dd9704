package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every read path that loads ({@code get}, {@code getAsync}, {@code getAll}) honours every read
 * setting of its cache: refresh-ahead, distributed load, null caching, TTL jitter, expiry at a
 * boundary, and an invalidation that overtakes a load. One test per setting, run once per path.
 */
class ReadPathContractTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  /** Where the loaders of {@link ReadPath#GET_ASYNC} and the concurrent readers run. */
  private static final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "read-path-test");
    thread.setDaemon(true);
    return thread;
  });

  /** One way of reading a key through a cache, with a loader of one key. */
  enum ReadPath {
    GET {
      @Override
      String read(Cache<String, String> cache, String key, Function<String, String> loader) {
        return cache.get(key, loader);
      }
    },
    GET_ASYNC {
      @Override
      String read(Cache<String, String> cache, String key, Function<String, String> loader)
          throws Exception {
        return cache
            .getAsync(key, k -> CompletableFuture.supplyAsync(() -> loader.apply(k), pool))
            .get(20, TimeUnit.SECONDS);
      }
    },
    GET_ALL {
      @Override
      String read(Cache<String, String> cache, String key, Function<String, String> loader) {
        return cache
            .getAll(List.of(key), keys -> {
              Map<String, String> values = new HashMap<>();
              for (String k : keys) {
                String value = loader.apply(k);
                if (value != null) {
                  values.put(k, value);
                }
              }
              return values;
            })
            .get(key);
      }
    };

    abstract String read(Cache<String, String> cache, String key, Function<String, String> loader)
        throws Exception;
  }

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  @AfterAll
  static void stopPool() {
    pool.shutdownNow();
  }

  private Cache<String, String> cache(UnaryOperator<CacheSpec.Builder> spec) {
    return cache(spec, b -> b);
  }

  private Cache<String, String> cache(
      UnaryOperator<CacheSpec.Builder> spec, UnaryOperator<TierCacheBuilder> extra) {
    TierCache tier = extra
        .apply(TierCache.builder()
            .redisUri(redis.uri())
            .keyPrefix("rp")
            .cache("c", s -> spec.apply(s.valueType(String.class))))
        .build();
    opened.add(tier);
    return tier.cache("c");
  }

  /** The Redis key of cache "c"'s key, or of its load lease ("__tc:load:" + key). */
  private static String redisKey(String key) {
    return key.startsWith("__tc:load:")
        ? "rp:__tc:load:c:" + key.substring("__tc:load:".length())
        : "rp:c:" + key;
  }

  private static long pttl(String key) {
    try (Resp resp = redis.connect()) {
      return (Long) resp.command("PTTL", redisKey(key));
    }
  }

  private static long exists(String key) {
    try (Resp resp = redis.connect()) {
      return (Long) resp.command("EXISTS", redisKey(key));
    }
  }

  /** GETs and MGETs Redis has served: how a waiting instance's polls show. */
  private static long valueReads() {
    TestRedis raw = TestRedis.standalone(redis);
    return raw.commandCalls("get") + raw.commandCalls("getrange") + raw.commandCalls("mget");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void refreshAhead_reloadsAKeyReadThroughThePathBeforeItExpires(ReadPath path) throws Exception {
    Cache<String, String> cache = cache(s -> s.ttl(Duration.ofSeconds(30))
        .refreshAfter(Duration.ofMillis(150))
        .refreshIdlePeriods(1_000));
    AtomicInteger version = new AtomicInteger();
    assertEquals("v1", path.read(cache, "hot", k -> "v" + version.incrementAndGet()));
    // No read with a loader from here on: a new value can only come from the background reload.
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !"v1".equals(cache.getIfPresent("hot")) && cache.stats().refreshes() >= 1);
    String next = path.read(cache, "hot", k -> "loaded by the reader");
    assertTrue(
        next.startsWith("v") && !"v1".equals(next),
        "the reader gets the refreshed value, got " + next);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void distributedLoad_twoInstancesMissingOneKeyAtOnce_callTheLoaderOnce(ReadPath path)
      throws Exception {
    Cache<String, String> first = cache(s -> s.distributedLoad(Duration.ofSeconds(10)));
    Cache<String, String> second = cache(s -> s.distributedLoad(Duration.ofSeconds(10)));
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Function<String, String> loader = k -> {
      loads.incrementAndGet();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "built";
    };
    Future<String> one = pool.submit(() -> path.read(first, "expensive", loader));
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 1);
    long reads = valueReads();
    Future<String> two = pool.submit(() -> path.read(second, "expensive", loader));
    // The second instance either loads too (the defect) or misses, finds the lease taken and
    // polls Redis for the value: its first read and at least one poll.
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() > 1 || valueReads() >= reads + 2);
    release.countDown();
    assertEquals("built", one.get(20, TimeUnit.SECONDS));
    assertEquals("built", two.get(20, TimeUnit.SECONDS));
    assertEquals(1, loads.get(), "one instance loads, the other waits for its value in Redis");
    assertEquals(1, second.stats().l2Hits(), "the waiting instance found the value in Redis");
    await().atMost(Duration.ofSeconds(5)).until(() -> exists("__tc:load:expensive") == 0);
  }

  /**
   * A load slower than its lease: the lease expires, a second instance takes a new one and loads
   * too. When the first finishes, its value is written (and its release leaves the second's lease
   * alone), so a third instance finds the value and does not load.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void distributedLoad_aLoadSlowerThanItsLease_isWrittenBeforeTheLeaseGoes_andNoThirdLoadFollows(
      ReadPath path) throws Exception {
    UnaryOperator<CacheSpec.Builder> spec =
        s -> s.l1(false).distributedLoad(Duration.ofMillis(300));
    Cache<String, String> first = cache(spec);
    Cache<String, String> second = cache(spec);
    Cache<String, String> third = cache(spec);
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch releaseSecond = new CountDownLatch(1);
    Future<String> one = pool.submit(() -> path.read(first, "slow", k -> {
      loads.incrementAndGet();
      hold(releaseFirst);
      return "from the first";
    }));
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 1);
    Future<String> two = pool.submit(() -> path.read(second, "slow", k -> {
      loads.incrementAndGet();
      hold(releaseSecond);
      return "from the second";
    }));
    // the first lease expires after 300 ms: the second instance stops waiting and loads itself
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 2);
    releaseFirst.countDown();
    assertEquals("from the first", one.get(20, TimeUnit.SECONDS));
    await().atMost(Duration.ofSeconds(5)).until(() -> exists("slow") == 1);
    assertEquals("from the first", path.read(third, "slow", k -> {
      loads.incrementAndGet();
      return "from the third";
    }));
    releaseSecond.countDown();
    assertEquals("from the second", two.get(20, TimeUnit.SECONDS));
    assertEquals(2, loads.get(), "the third instance read the first one's value");
    assertEquals("from the first", third.get("slow", k -> "loaded again"));
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void distributedLoad_theWaitIsBounded_thenTheWaiterLoadsItself(ReadPath path) throws Exception {
    Cache<String, String> slow = cache(s -> s.distributedLoad(Duration.ofMillis(300)));
    Cache<String, String> waiter = cache(s -> s.distributedLoad(Duration.ofMillis(300)));
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger slowLoads = new AtomicInteger();
    Future<String> held = pool.submit(() -> path.read(slow, "k", k -> {
      slowLoads.incrementAndGet();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "slow";
    }));
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> slowLoads.get() == 1);
      // The lease holder never finishes while the other waits: the wait must end by itself.
      assertEquals("mine", path.read(waiter, "k", k -> "mine"));
    } finally {
      release.countDown();
    }
    assertEquals("slow", held.get(20, TimeUnit.SECONDS));
  }

  /**
   * With distributed load, the read that finds no value takes the lease in the same round trip
   * (one script): by the time the loader runs, Redis has received exactly one command from this
   * miss, and the lease is held.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(
      value = ReadPath.class,
      names = {"GET", "GET_ASYNC"})
  void distributedLoad_aMissTakesTheLeaseInTheRoundTripOfItsRead(ReadPath path) throws Exception {
    Cache<String, String> cache = cache(s -> s.distributedLoad(Duration.ofSeconds(10)));
    TestRedis raw = TestRedis.standalone(redis);
    String key = "one-trip-" + path;
    long evalsBefore = raw.commandCalls("eval");
    long setsBefore = raw.commandCalls("set");
    long readsBefore = valueReads();
    long[] seen = new long[3];
    long[] leaseHeld = new long[1];
    assertEquals("v", path.read(cache, key, k -> {
      seen[0] = raw.commandCalls("eval") - evalsBefore;
      seen[1] = raw.commandCalls("set") - setsBefore;
      seen[2] = valueReads() - readsBefore;
      leaseHeld[0] = exists("__tc:load:" + k);
      return "v";
    }));
    assertEquals(1, seen[0], "one script before the loader");
    assertEquals(1, seen[1], "the lease's SET NX, inside the script");
    assertEquals(1, seen[2], "the value's read, inside the script");
    assertEquals(1, leaseHeld[0], "the lease is held while the loader runs");
    // a hit sends the read alone, and takes no lease
    Cache<String, String> other =
        cache(s -> s.distributedLoad(Duration.ofSeconds(10)).l1(false));
    long setsBeforeHit = raw.commandCalls("set");
    assertEquals("v", path.read(other, key, k -> {
      throw new AssertionError("in Redis already");
    }));
    assertEquals(setsBeforeHit, raw.commandCalls("set"));
  }

  @Test
  void distributedLoad_getAll_loadsTheKeysItLeasedAtOnce_andTakesTheOthersFromRedis()
      throws Exception {
    Cache<String, String> cache = cache(s -> s.distributedLoad(Duration.ofSeconds(10)));
    Cache<String, String> other = cache(s -> s);
    try (Resp resp = redis.connect()) {
      // another instance is loading y
      assertEquals(
          "OK", resp.command("SET", "rp:__tc:load:c:y", "someone else", "PX", "10000", "NX"));
    }
    List<Set<String>> calls = new CopyOnWriteArrayList<>();
    Future<Map<String, String>> read = pool.submit(() -> cache.getAll(List.of("x", "y"), keys -> {
      calls.add(Set.copyOf(keys));
      Map<String, String> values = new HashMap<>();
      keys.forEach(k -> values.put(k, k + " loaded here"));
      return values;
    }));
    // x is loaded without waiting for y, whose lease another instance holds
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.contains(Set.of("x")));
    // and written to Redis, its lease released, while y's lease is still held
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> exists("x") == 1 && exists("__tc:load:x") == 0);
    assertFalse(read.isDone(), "still waiting for y");
    other.put("y", "y loaded elsewhere");
    assertEquals(
        Map.of("x", "x loaded here", "y", "y loaded elsewhere"), read.get(20, TimeUnit.SECONDS));
    assertEquals(List.of(Set.of("x")), calls, "one bulk call, with the key this call leased");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void cacheNulls_aNullResultIsCachedInRedisForTheNullTtl(ReadPath path) throws Exception {
    Cache<String, String> cache =
        cache(s -> s.ttl(Duration.ofHours(1)).nullTtl(Duration.ofMinutes(1)));
    AtomicInteger loads = new AtomicInteger();
    Function<String, String> absent = k -> {
      loads.incrementAndGet();
      return null;
    };
    assertNull(path.read(cache, "missing", absent));
    long ttl = pttl("missing");
    assertTrue(ttl > 50_000 && ttl <= 60_000, "null cached for nullTtl, PTTL " + ttl);
    assertNull(path.read(cache, "missing", absent));
    assertEquals(1, loads.get(), "the cached null is served");
    Cache<String, String> other =
        cache(s -> s.ttl(Duration.ofHours(1)).nullTtl(Duration.ofMinutes(1)));
    assertNull(
        path.read(other, "missing", k -> "loaded"), "another instance reads the null from Redis");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void cacheNullsOff_aNullResultIsNotCached(ReadPath path) throws Exception {
    Cache<String, String> cache = cache(s -> s.cacheNulls(false));
    AtomicInteger loads = new AtomicInteger();
    Function<String, String> absent = k -> {
      loads.incrementAndGet();
      return null;
    };
    assertNull(path.read(cache, "missing", absent));
    assertEquals(0, exists("missing"), "nothing written to Redis");
    assertNull(path.read(cache, "missing", absent));
    assertEquals(2, loads.get(), "nor kept in L1: the next read loads again");
  }

  @Test
  void cacheNullsOff_getAsync_whatTheCallerDoesNextNeverFindsTheUncachedNull() throws Exception {
    Cache<String, String> cache = cache(s -> s.cacheNulls(false));
    CompletableFuture<String> gate = new CompletableFuture<>();
    AtomicInteger loads = new AtomicInteger();
    CompletableFuture<String> next = cache
        .getAsync("missing", k -> {
          loads.incrementAndGet();
          return gate;
        })
        .thenApply(none -> cache.get("missing", k -> "loaded"));
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 1);
    gate.complete(null); // the rest runs on this thread, the caller's callback included
    assertEquals(
        "loaded", next.get(20, TimeUnit.SECONDS), "the null was dropped before the caller got it");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void ttlJitter_spreadsTheRedisTtlsOfLoadedKeysWithinTheRange(ReadPath path) throws Exception {
    Cache<String, String> cache = cache(s -> s.ttl(Duration.ofSeconds(100)).ttlJitter(0.2));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 12; i++) {
      path.read(cache, "j" + i, k -> "v");
      long ttl = pttl("j" + i);
      // 100 s ± 20%, less the few seconds the test may take
      assertTrue(ttl > 75_000 && ttl <= 120_000, "PTTL " + ttl + " outside 100 s ± 20%");
      min = Math.min(min, ttl);
      max = Math.max(max, ttl);
    }
    // Without jitter all 12 would lie within the test's own duration of each other.
    assertTrue(max - min > 2_000, "12 keys spread over only " + (max - min) + " ms");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void boundaryExpiry_capsTheRedisTtlOfALoadedKeyAtTheNextMidnight(ReadPath path) throws Exception {
    ZoneId shanghai = ZoneId.of("Asia/Shanghai");
    Instant lateEvening = ZonedDateTime.of(2026, 11, 22, 23, 59, 0, 0, shanghai).toInstant();
    Cache<String, String> cache = cache(
        s -> s.ttl(Duration.ofMinutes(30)).expireAtNextMidnight("Asia/Shanghai"),
        b -> b.clock(Clock.fixed(lateEvening, ZoneId.of("UTC"))));
    assertEquals("daily", path.read(cache, "daily-stats", k -> "daily"));
    long ttl = pttl("daily-stats");
    assertTrue(ttl > 55_000 && ttl <= 60_000, "expires at midnight, in " + ttl + " ms");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ReadPath.class)
  void invalidationDuringTheLoad_keepsTheLoadedValueOutOfRedisAndL1(ReadPath path)
      throws Exception {
    Cache<String, String> cache = cache(s -> s);
    String first = path.read(cache, "k", k -> {
      cache.invalidate(k); // the source changed while this value was read from it
      return "before the change";
    });
    assertEquals("before the change", first, "the caller still gets what its loader returned");
    assertEquals(0, exists("k"), "the possibly stale value was not written to Redis");
    assertEquals(
        "after the change", path.read(cache, "k", k -> "after the change"), "nor kept in L1");
    assertFalse(exists("k") == 0, "a load nobody overtook is written");
  }
}
