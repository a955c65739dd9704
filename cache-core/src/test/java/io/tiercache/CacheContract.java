package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.SlotHash;
import io.tiercache.internal.redis.RedisTier;
import io.tiercache.test.Resp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The read and write paths of {@link Cache}, over L1 only, L2 only and L1+L2, on a real Redis:
 * {@link CacheTest} runs them on one server, {@link CacheClusterTest} on a 3-master cluster.
 */
abstract class CacheContract {

  /** The Redis of the concrete test class. */
  abstract TestRedis redis();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache tier(Levels levels, UnaryOperator<CacheSpec.Builder> spec) {
    TierCacheBuilder builder =
        TierCache.builder().keyPrefix("t").cache("c", s -> spec.apply(levels.apply(s)));
    if (levels.l2) {
      redis().connect(builder);
    }
    TierCache tier = builder.build();
    opened.add(tier);
    return tier;
  }

  private Cache<String, Project> projects(Levels levels, UnaryOperator<CacheSpec.Builder> spec) {
    return tier(levels, spec).cache("c", Project.class);
  }

  private static Project project(long id) {
    return new Project(id, "project " + id, List.of("a", "b"));
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void get_loadsOnceThenHits(Levels levels) {
    Cache<String, Project> cache = projects(levels, s -> s);
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 5; i++) {
      Project p = cache.get("project:1:info", k -> {
        loads.incrementAndGet();
        return project(1);
      });
      assertEquals(project(1), p);
    }
    assertEquals(1, loads.get(), "L2-only still loads once: the value is read back from Redis");
    CacheStats stats = cache.stats();
    assertEquals(5, stats.requests());
    assertEquals(1, stats.misses());
    assertEquals(1, stats.loads());
    assertEquals(4, stats.l1Hits() + stats.l2Hits());
    assertEquals(levels.l1 ? 4 : 0, stats.l1Hits());
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void getIfInL1_answersFromL1Only_andCountsOnlyHits(Levels levels) {
    Cache<String, Project> cache = projects(levels, s -> s);
    assertNull(cache.getIfInL1("project:1:info"));
    assertEquals(
        0,
        cache.stats().requests(),
        "a null counts nothing: the get that follows counts the request");
    cache.get("project:1:info", k -> project(1));
    cache.get("project:2:info", k -> null); // a cached null
    Project hit = cache.getIfInL1("project:1:info");
    assertNull(cache.getIfInL1("project:2:info"));
    CacheStats stats = cache.stats();
    if (levels.l1) {
      assertEquals(project(1), hit);
      assertEquals(3, stats.requests());
      assertEquals(1, stats.l1Hits());
    } else {
      assertNull(hit, "L1 off: never a value, even with the key in Redis");
      assertEquals(2, stats.requests());
      assertEquals(0, stats.l1Hits());
    }
    assertEquals(
        "key must not be null",
        assertThrows(NullPointerException.class, () -> cache.getIfInL1(null)).getMessage());
    // With refresh-ahead every read must reach get, which keeps the key fresh.
    Cache<String, Project> refreshing = tier(
            levels, s -> s.ttl(Duration.ofMinutes(10)).refreshAfter(Duration.ofMinutes(5)))
        .cache("c", Project.class);
    refreshing.get("project:3:info", k -> project(3));
    assertNull(refreshing.getIfInL1("project:3:info"));
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void get_sharedAcrossInstancesThroughRedis(Levels levels) {
    Cache<String, Project> a = projects(levels, s -> s);
    Cache<String, Project> b = projects(levels, s -> s);
    a.get("project:2:info", k -> project(2));
    AtomicInteger loads = new AtomicInteger();
    Project fromB = b.get("project:2:info", k -> {
      loads.incrementAndGet();
      return project(99);
    });
    if (levels.l2) {
      assertEquals(project(2), fromB);
      assertEquals(0, loads.get());
      assertEquals(1, b.stats().l2Hits());
    } else {
      assertEquals(project(99), fromB, "L1-only instances share nothing");
      assertEquals(1, loads.get());
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void get_genericValueType(Levels levels) {
    TierCache tier = tier(levels, s -> s);
    Cache<String, List<Project>> cache = tier.cache("c", new TypeRef<List<Project>>() {});
    List<Project> list = List.of(project(1), project(2));
    cache.get("projects:ongoing", k -> list);
    // A second instance decodes from Redis: the elements must be Projects, not maps.
    TierCache other = tier(levels, s -> s);
    List<Project> read = other
        .<String, List<Project>>cache("c", new TypeRef<List<Project>>() {})
        .get("projects:ongoing", k -> List.of());
    if (levels.l2) {
      assertEquals(list, read);
      assertEquals(Project.class, read.get(0).getClass());
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void nullResult_isCachedForNullTtl(Levels levels) {
    Cache<String, Project> cache =
        projects(levels, s -> s.nullTtl(Duration.ofMillis(300)).ttl(Duration.ofMinutes(5)));
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      assertNull(cache.get("project:404:info", k -> {
        loads.incrementAndGet();
        return null;
      }));
    }
    assertEquals(1, loads.get());
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        long pttl = (Long) resp.command("PTTL", "t:c:project:404:info");
        assertTrue(pttl > 0 && pttl <= 300, "null TTL applied in Redis, was " + pttl);
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      cache.get("project:404:info", k -> {
        loads.incrementAndGet();
        return project(404);
      });
      return loads.get() == 2;
    });
    assertEquals(project(404), cache.get("project:404:info", k -> null));
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void nullResult_notCachedWhenTurnedOff(Levels levels) {
    Cache<String, Project> cache = projects(levels, s -> s.cacheNulls(false));
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      assertNull(cache.get("project:404:info", k -> {
        loads.incrementAndGet();
        return null;
      }));
    }
    assertEquals(3, loads.get());
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void ttl_expires(Levels levels) {
    Cache<String, Project> cache = projects(levels, s -> s.ttl(Duration.ofMillis(400)));
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", k -> project(loads.incrementAndGet()));
    assertEquals(project(1), cache.get("k", k -> project(loads.incrementAndGet())));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> cache.get("k", k -> project(loads.incrementAndGet())).id() == 2);
  }

  @ParameterizedTest
  @EnumSource(
      value = Levels.class,
      names = {"L2_ONLY", "L1_L2"})
  void ttlJitter_staysInRange(Levels levels) {
    Cache<String, Project> cache =
        projects(levels, s -> s.ttl(Duration.ofSeconds(100)).ttlJitter(0.2));
    long start = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      cache.put("j:" + i, project(i));
    }
    Set<Long> distinct = new HashSet<>();
    try (TestRedis resp = redis()) {
      for (int i = 0; i < 200; i++) {
        long pttl = (Long) resp.command("PTTL", "t:c:j:" + i);
        // a TTL runs down while the test runs: allow for the time since the first put
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        assertTrue(
            pttl >= 80_000 - elapsed - 1 && pttl <= 120_000,
            "TTL " + pttl + " outside 100s ± 20%" + " (" + elapsed + " ms after the first put)");
        distinct.add(pttl / 1000);
      }
    }
    assertTrue(
        distinct.size() > 10,
        "jitter spreads expiry, got " + distinct.size() + " distinct seconds");
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void concurrentCallers_shareOneLoad(Levels levels) throws Exception {
    Cache<String, Project> cache = projects(levels, s -> s);
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(100);
    try {
      List<Future<Project>> results = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return cache.get("cold", k -> {
            loads.incrementAndGet();
            sleep(200); // long enough for every caller to arrive while the load runs
            return project(7);
          });
        }));
      }
      start.countDown();
      for (Future<Project> result : results) {
        assertEquals(project(7), result.get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, loads.get());
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void loaderFailure_reachesAllWaitersAndCachesNothing(Levels levels) {
    Cache<String, Project> cache = projects(levels, s -> s);
    IllegalStateException thrown = assertThrows(
        IllegalStateException.class,
        () -> cache.get("boom", k -> {
          throw new IllegalStateException("upstream down");
        }));
    assertEquals("upstream down", thrown.getMessage());
    assertEquals(1, cache.stats().loadFailures());
    assertEquals(project(3), cache.get("boom", k -> project(3)));
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void getAll_loadsExactlyTheMissesOnce(Levels levels) {
    Cache<Long, Project> cache = tier(levels, s -> s).cache("c", Project.class);
    cache.get(1L, k -> project(1));
    cache.get(2L, k -> project(2));
    List<Set<Long>> calls = new ArrayList<>();
    Map<Long, Project> result = cache.getAll(List.of(1L, 2L, 3L, 4L, 3L), missing -> {
      calls.add(Set.copyOf(missing));
      Map<Long, Project> loaded = new HashMap<>();
      missing.forEach(id -> loaded.put(id, project(id)));
      return loaded;
    });
    assertEquals(List.of(Set.of(3L, 4L)), calls);
    assertEquals(List.of(1L, 2L, 3L, 4L), new ArrayList<>(result.keySet()));
    assertEquals(project(4), result.get(4L));
    // Everything is cached now: no further bulk load.
    Map<Long, Project> again = cache.getAll(List.of(1L, 2L, 3L, 4L), missing -> {
      throw new AssertionError("nothing should be missing, got " + missing);
    });
    assertEquals(result, again);
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void getAll_absentKeysAreCachedAsNull(Levels levels) {
    Cache<Long, Project> cache = tier(levels, s -> s).cache("c", Project.class);
    AtomicInteger calls = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      Map<Long, Project> result = cache.getAll(List.of(1L, 2L), missing -> {
        calls.incrementAndGet();
        return Map.of(1L, project(1));
      });
      assertEquals(Map.of(1L, project(1)), result);
    }
    assertEquals(1, calls.get());
    assertNull(cache.get(2L, k -> project(2)), "key 2 is remembered as absent");
  }

  @ParameterizedTest
  @EnumSource(
      value = Levels.class,
      names = {"L2_ONLY", "L1_L2"})
  void getAll_readsRedisInOneRoundTrip(Levels levels) {
    Cache<Long, Project> writer = tier(levels, s -> s).cache("c", Project.class);
    for (long id = 0; id < 100; id++) {
      writer.put(id, project(id));
    }
    Cache<Long, Project> reader = tier(levels, s -> s).cache("c", Project.class);
    long before = commandCount("eval");
    long getsBefore = commandCount("get");
    List<Long> ids = new ArrayList<>();
    for (long id = 0; id < 100; id++) {
      ids.add(id);
    }
    Map<Long, Project> all = reader.getAll(ids, missing -> {
      throw new AssertionError("all 100 are in Redis, missing " + missing);
    });
    assertEquals(100, all.size());
    // One bounded multi-read script (GETRANGE per key, so a huge value costs a bounded read)
    if (redis().cluster()) {
      // split by slot and pipelined: never more scripts than keys, and never a GET
      long scripts = commandCount("eval") - before;
      assertTrue(scripts >= 1 && scripts <= 100, scripts + " scripts");
    } else {
      assertEquals(before + 1, commandCount("eval"));
    }
    assertEquals(getsBefore, commandCount("get"));
    assertEquals(100, reader.stats().l2Hits());
  }

  static List<String> dataKeys(TestRedis resp) {
    return resp.dataKeys();
  }

  /** Every key but the coherence stream and its sequence. */
  static List<String> dataKeys(Resp resp) {
    List<String> keys = new ArrayList<>();
    for (Object key : (List<?>) resp.command("KEYS", "*")) {
      if (!((String) key).contains(":__tc:")) {
        keys.add((String) key);
      }
    }
    return keys;
  }

  /**
   * With distributed load, a miss reads the value and takes the lease in one script, on a cluster
   * too (the lease key carries the value's slot); two instances missing at once load once.
   */
  @ParameterizedTest
  @EnumSource(
      value = Levels.class,
      names = {"L2_ONLY", "L1_L2"})
  void distributedLoad_oneScriptPerMiss_andOneLoadForTwoInstances(Levels levels) throws Exception {
    UnaryOperator<CacheSpec.Builder> spec = s -> s.distributedLoad(Duration.ofSeconds(10));
    Cache<Long, Project> first = tier(levels, spec).cache("c", Project.class);
    Cache<Long, Project> second = tier(levels, spec).cache("c", Project.class);
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch inLoader = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    long evalsBefore = commandCount("eval");
    CompletableFuture<Project> a = CompletableFuture.supplyAsync(() -> first.get(7L, k -> {
      loads.incrementAndGet();
      inLoader.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return project(k);
    }));
    assertTrue(inLoader.await(10, TimeUnit.SECONDS));
    assertEquals(evalsBefore + 1, commandCount("eval"), "the miss's read and lease in one script");
    CompletableFuture<Project> b = CompletableFuture.supplyAsync(() -> second.get(7L, k -> {
      loads.incrementAndGet();
      return project(k);
    }));
    Thread.sleep(100); // the second instance finds the lease held and polls
    release.countDown();
    assertEquals(project(7), a.get(10, TimeUnit.SECONDS));
    assertEquals(project(7), b.get(10, TimeUnit.SECONDS));
    assertEquals(1, loads.get());
  }

  /**
   * Keys outside ASCII: getAll groups them by slot from their UTF-8 bytes, as the connection sends
   * them (not the JVM's default charset), so a cluster never refuses a group as CROSSSLOT.
   */
  @ParameterizedTest
  @EnumSource(
      value = Levels.class,
      names = {"L2_ONLY"})
  void getAll_nonAsciiKeys_allFromRedis(Levels levels) {
    List<String> keys = List.of("é", "ü", "日本", "ключ", "😀", "plain");
    Cache<String, Project> writer = projects(levels, s -> s);
    for (int i = 0; i < keys.size(); i++) {
      writer.put(keys.get(i), project(i));
    }
    Cache<String, Project> reader = projects(levels, s -> s);
    Map<String, Project> all = reader.getAll(keys, missing -> {
      throw new AssertionError("all are in Redis, missing " + missing);
    });
    assertEquals(keys.size(), all.size());
    assertEquals(project(2), all.get("日本"));
    assertEquals(0, reader.stats().degradedCalls());
    for (String key : keys) {
      assertEquals(SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8)), RedisTier.slot(key));
    }
  }

  /**
   * A key of another type (a hash, written by someone else) under a cache key reads as absent in
   * the bounded multi-read and in the read that takes a lease: a miss, loaded, never an error.
   */
  @ParameterizedTest
  @EnumSource(
      value = Levels.class,
      names = {"L2_ONLY"})
  void aKeyOfAnotherType_isAMissForGetAllAndForTheLeaseRead(Levels levels) {
    try (TestRedis resp = redis()) {
      resp.command("HSET", "t:c:hashed", "f", "v");
      resp.command("HSET", "t:c:leased", "f", "v");
    }
    Cache<String, Project> cache = projects(levels, s -> s);
    cache.put("plain", project(1));
    Map<String, Project> all = cache.getAll(List.of("hashed", "plain"), missing -> {
      assertEquals(Set.of("hashed"), missing);
      return Map.of("hashed", project(2));
    });
    assertEquals(Map.of("hashed", project(2), "plain", project(1)), all);
    Cache<String, Project> leasing =
        projects(levels, s -> s.distributedLoad(Duration.ofSeconds(5)));
    assertEquals(project(3), leasing.get("leased", k -> project(3)));
  }

  private long commandCount(String command) {
    return redis().commandCalls(command);
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void put_thenInvalidate(Levels levels) {
    Cache<String, Project> cache = projects(levels, s -> s);
    cache.put("p", project(1));
    assertEquals(project(1), cache.getIfPresent("p"));
    cache.put("p", project(2));
    assertEquals(project(2), cache.get("p", k -> project(99)));
    cache.invalidate("p");
    assertNull(cache.getIfPresent("p"));
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        assertEquals(0L, resp.command("EXISTS", "t:c:p"));
      }
    }
    assertEquals(1, cache.stats().invalidations());
    assertEquals(2, cache.stats().puts());
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void invalidateAll_clearsTheCachesNamespace(Levels levels) {
    TierCache tier = tier(levels, s -> s);
    Cache<Long, Project> cache = tier.cache("c", Project.class);
    cache.put(1L, project(1));
    cache.put(2L, project(2));
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        resp.command("SET", "t:other", "kept");
        assertEquals(1L, resp.command("EXISTS", "t:c:1"));
      }
    }
    cache.invalidateAll();
    assertNull(cache.getIfPresent(1L));
    assertNull(cache.getIfPresent(2L));
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        assertEquals(0L, resp.command("EXISTS", "t:c:1", "t:c:2"));
        assertEquals("kept", resp.command("GET", "t:other"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void getAsync_sharesTheLoadAndCaches(Levels levels) throws Exception {
    Cache<String, Project> cache = projects(levels, s -> s);
    AtomicInteger loads = new AtomicInteger();
    CompletableFuture<Project> gate = new CompletableFuture<>();
    CompletableFuture<Project> first = cache.getAsync("a", k -> {
      loads.incrementAndGet();
      return gate;
    });
    CompletableFuture<Project> second = cache.getAsync("a", k -> {
      loads.incrementAndGet();
      return CompletableFuture.completedFuture(project(0));
    });
    await().atMost(Duration.ofSeconds(5)).until(() -> loads.get() == 1);
    gate.complete(project(5));
    assertEquals(project(5), first.get(5, TimeUnit.SECONDS));
    assertEquals(project(5), second.get(5, TimeUnit.SECONDS));
    assertEquals(
        project(5),
        cache
            .getAsync("a", k -> CompletableFuture.completedFuture(project(0)))
            .get(5, TimeUnit.SECONDS));
    assertEquals(1, loads.get());
    CompletableFuture<Project> failed =
        cache.getAsync("b", k -> CompletableFuture.failedFuture(new IllegalStateException("no")));
    Exception e = assertThrows(Exception.class, () -> failed.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
    assertEquals(
        project(6),
        cache
            .getAsync("b", k -> CompletableFuture.completedFuture(project(6)))
            .get(5, TimeUnit.SECONDS));
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void keysWithSpecialCharacters_neverCollide(Levels levels) {
    Cache<Object, String> cache = tier(levels, s -> s).cache("c", String.class);
    List<String> tricky = List.of(
        "a:b",
        "a",
        "b",
        "a%3Ab",
        "*",
        "?",
        "[x]",
        "\\",
        "{tag}",
        "a b",
        "ä",
        "日本",
        "\uD83D\uDE00",
        "",
        "%N",
        "null",
        "a:b:c",
        "a::b",
        "a%",
        "%25");
    Map<Object, String> written = new LinkedHashMap<>();
    for (String s : tricky) {
      written.put(s + "#seg", s);
    }
    written.put(42L, "long 42");
    written.put("42", "string 42");
    // String keys are structured keys; other types are segments of the cache's namespace.
    for (Map.Entry<Object, String> e : written.entrySet()) {
      Object key = e.getKey() instanceof String ? Keys.of("k", ((String) e.getKey())) : e.getKey();
      cache.put(key, e.getValue());
    }
    Set<String> seen = new HashSet<>();
    for (Map.Entry<Object, String> e : written.entrySet()) {
      Object key = e.getKey() instanceof String ? Keys.of("k", ((String) e.getKey())) : e.getKey();
      assertEquals(e.getValue(), cache.get(key, k -> "reloaded"), "key " + key);
      assertTrue(seen.add(String.valueOf(key)), "duplicate key " + key);
    }
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        assertEquals(written.size(), dataKeys(resp).size());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Levels.class,
      names = {"L2_ONLY", "L1_L2"})
  void undecodableValue_isAMissAndDeleted(Levels levels) {
    Cache<String, Project> cache = projects(levels, s -> s);
    try (TestRedis resp = redis()) {
      resp.command("SET", "t:c:bad", "this is not a frame");
      resp.commandBytes(
          "SET".getBytes(StandardCharsets.UTF_8),
          "t:c:bad2".getBytes(StandardCharsets.UTF_8),
          new byte[] {1, 0, '{', '"', 'i'});
    }
    assertEquals(project(1), cache.get("bad", k -> project(1)));
    assertNull(cache.getIfPresent("bad2"));
    assertEquals(2, cache.stats().decodeErrors());
    try (TestRedis resp = redis()) {
      assertFalse("this is not a frame".equals(resp.command("GET", "t:c:bad")));
      assertEquals(0L, resp.command("EXISTS", "t:c:bad2"));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Levels.class,
      names = {"L2_ONLY", "L1_L2"})
  void largeValues_areCompressedAndReadBack(Levels levels) {
    TierCache tier = tier(levels, s -> s.compressionThreshold(256));
    Cache<String, List<Project>> cache = tier.cache("c", new TypeRef<List<Project>>() {});
    List<Project> big = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      big.add(project(i));
    }
    cache.put("big", big);
    try (TestRedis resp = redis()) {
      byte[] stored = (byte[]) resp.commandBytes(
          "GET".getBytes(StandardCharsets.UTF_8), "t:c:big".getBytes(StandardCharsets.UTF_8));
      assertEquals(1, stored[1] & 1, "compressed flag set");
      assertTrue(stored.length < 3000, "stored " + stored.length + " bytes");
    }
    TierCache other = tier(levels, s -> s.compressionThreshold(256));
    assertEquals(
        big,
        other
            .<String, List<Project>>cache("c", new TypeRef<List<Project>>() {})
            .get("big", k -> null));
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void byteArrays_areStoredRaw(Levels levels) {
    Cache<String, byte[]> cache =
        tier(levels, s -> s.compressionThreshold(1 << 20)).cache("c", byte[].class);
    byte[] image = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
    cache.put("img", image);
    assertEquals(
        new String(image, StandardCharsets.ISO_8859_1),
        new String(cache.get("img", k -> new byte[0]), StandardCharsets.ISO_8859_1));
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        byte[] stored = (byte[]) resp.commandBytes(
            "GET".getBytes(StandardCharsets.UTF_8), "t:c:img".getBytes(StandardCharsets.UTF_8));
        assertEquals(image.length + 2, stored.length);
        assertEquals(4, stored[1], "raw flag");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void badArguments_failClearlyAndWriteNothing(Levels levels) {
    TierCache tier = tier(levels, s -> s);
    Cache<String, Project> cache = tier.cache("c", Project.class);
    assertEquals(
        "key must not be null",
        assertThrows(NullPointerException.class, () -> cache.get(null, k -> project(1)))
            .getMessage());
    assertEquals(
        "loader must not be null",
        assertThrows(NullPointerException.class, () -> cache.get("k", null)).getMessage());
    assertEquals(
        "key must not be empty",
        assertThrows(IllegalArgumentException.class, () -> cache.put("", project(1)))
            .getMessage());
    assertEquals(
        "value must not be null: use invalidate(key) to remove a key",
        assertThrows(NullPointerException.class, () -> cache.put("k", null)).getMessage());
    assertEquals(
        "keys must not contain null",
        assertThrows(
                NullPointerException.class,
                () -> cache.getAll(Arrays.asList("a", null), m -> Map.of()))
            .getMessage());
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> tier.cache("nope", Project.class));
    assertTrue(unknown.getMessage().startsWith("unknown cache name 'nope'"), unknown.getMessage());
    IllegalArgumentException abstractType =
        assertThrows(IllegalArgumentException.class, () -> tier.cache("c", Runnable.class));
    assertTrue(abstractType.getMessage().contains("abstract"), abstractType.getMessage());
    // A value Jackson cannot write fails the put before anything is stored.
    Cache<String, Unwritable> objects = tier.cache("c", Unwritable.class);
    assertThrows(CodecException.class, () -> objects.put("o", new Unwritable()));
    assertNull(objects.getIfPresent("o"));
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        assertEquals(List.of(), dataKeys(resp));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void overlongKeys_areBoundedAndDistinct(Levels levels) {
    Cache<String, String> cache = tier(levels, s -> s).cache("c", String.class);
    String base = "x".repeat(2000);
    cache.put(base + "1", "one");
    cache.put(base + "2", "two");
    assertEquals("one", cache.getIfPresent(base + "1"));
    assertEquals("two", cache.getIfPresent(base + "2"));
    if (levels.l2) {
      try (TestRedis resp = redis()) {
        List<String> keys = dataKeys(resp);
        assertEquals(2, keys.size());
        for (String key : keys) {
          // the bounded key, after the prefix and the cache's name: "t:c:"
          assertTrue(
              key.length() <= TierCacheBuilder.DEFAULT_MAX_KEY_LENGTH + 4,
              "length " + key.length());
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Levels.class)
  void views_shareOnePolicy(Levels levels) {
    TierCache tier = tier(levels, s -> s);
    Cache<String, Project> a = tier.cache("c", Project.class);
    assertSame(a, tier.cache("c", Project.class));
    Cache<String, String> b = tier.cache("c", String.class);
    a.get("p:1", k -> project(1));
    b.get("s:1", k -> "one");
    assertEquals(2, tier.stats().get("c").requests());
  }

  /** Jackson accepts the type but fails on every instance. */
  public static final class Unwritable {
    public String getName() {
      throw new IllegalStateException("cannot be read");
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
