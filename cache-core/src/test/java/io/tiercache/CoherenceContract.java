package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * L1 of several instances (own connections, one JVM) kept coherent through the invalidation
 * stream: {@link CoherenceTest} on one server, {@link CoherenceClusterTest} on a 3-master cluster.
 */
abstract class CoherenceContract {

  /** The Redis of the concrete test class. */
  abstract TestRedis redis();

  /** The mode every instance of a test uses, unless the test is about another one. */
  CoherenceMode mode() {
    return CoherenceMode.STREAM;
  }

  /** Whether a change of one key reaches the other instances by client tracking, not the stream. */
  private boolean keysByTracking() {
    return mode() == CoherenceMode.TRACKING;
  }

  /** The mode of the tests of client tracking: {@link #mode} if it tracks, else STREAM_AND_TRACKING. */
  private CoherenceMode trackingMode() {
    return keysByTracking() ? CoherenceMode.TRACKING : CoherenceMode.STREAM_AND_TRACKING;
  }

  /** How soon another instance must see a change; the measured p99 is a few ms. */
  static final Duration BOUND = Duration.ofSeconds(1);

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance(CoherenceMode mode, UnaryOperator<TierCacheBuilder> extra) {
    TierCacheBuilder builder = redis()
        .connect(TierCache.builder())
        .keyPrefix("co")
        .coherence(mode)
        .commandTimeout(Duration.ofMillis(200))
        .probeInterval(Duration.ofMillis(100))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .cache("d", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)));
    TierCache tier = extra.apply(builder).build();
    opened.add(tier);
    return tier;
  }

  private TierCache instance() {
    return instance(mode(), b -> b);
  }

  /** Reads through L1; the loader marks a value that did not come from any cache. */
  private static String read(TierCache tier, String cache, String key) {
    return tier.<String, String>cache(cache).get(key, k -> "loaded");
  }

  private static void awaitValue(TierCache tier, String cache, String key, String expected) {
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> expected.equals(l1(tier, cache, key)));
  }

  /** The value only L1 (or Redis) has, without loading. */
  private static String l1(TierCache tier, String cache, String key) {
    return tier.<String, String>cache(cache).getIfPresent(key);
  }

  @Test
  void put_onA_isSeenByBAndC() {
    TierCache a = instance();
    TierCache b = instance();
    TierCache c = instance();
    a.<String, String>cache("c").put("k", "v1");
    assertEquals("v1", read(b, "c", "k"));
    assertEquals("v1", read(c, "c", "k"));
    a.<String, String>cache("c").put("k", "v2");
    awaitValue(b, "c", "k", "v2");
    awaitValue(c, "c", "k", "v2");
    CoherenceStats stats = b.coherenceStats();
    if (keysByTracking()) {
      assertTrue(stats.trackingInvalidations() >= 1, stats.toString());
      assertEquals(0, a.coherenceStats().trackingInvalidations(), "no push for its own writes");
      assertEquals(0, a.coherenceStats().sent(), "Redis announces the writes, not the stream");
      assertEquals(0, stats.received(), stats.toString());
      return;
    }
    assertTrue(stats.received() >= 1, stats.toString());
    assertTrue(
        stats.lagSamples() >= 1 && stats.lagP99Micros() < BOUND.toNanos() / 1000, stats.toString());
    assertEquals(0, a.coherenceStats().received(), "an instance ignores its own messages");
    assertTrue(a.coherenceStats().sent() >= 2);
  }

  /**
   * Two instances write the same three keys from two threads each, and read them between the
   * writes: once the writes stop, the L1 of each agrees with Redis within the bound. A write's
   * reply followed at once by the announcement of another instance's later write (client tracking
   * pushes it right behind the reply, on the same connection) must not leave the earlier value in
   * the writer's L1; nor may a read that raced a write.
   */
  @Test
  void writesOfFewKeys_fromTwoInstancesAtOnce_leaveEachL1AsRedisHasIt() throws Exception {
    TierCache a = instance();
    TierCache b = instance();
    TierCache judge = instance();
    List<Cache<String, String>> caches = List.of(a.cache("c"), b.cache("c"));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Cache<String, String> c = caches.get(i % 2);
      String writer = "w" + i;
      Thread t = new Thread(
          () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            try {
              for (int n = 0; !stop.get(); n++) {
                String key = "k" + random.nextInt(3);
                int what = random.nextInt(8);
                if (what == 0) {
                  c.get(key, k -> "loaded");
                } else if (what == 1) {
                  c.getIfPresent(key);
                } else {
                  c.put(key, writer + "-" + n);
                }
              }
            } catch (Throwable e) {
              failure.compareAndSet(null, e);
            }
          },
          "writer-" + i);
      threads.add(t);
      t.start();
    }
    Thread.sleep(1_500);
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertNull(failure.get(), () -> String.valueOf(failure.get()));
    Cache<String, String> truth = judge.cache("c");
    for (String key : List.of("k0", "k1", "k2")) {
      String inRedis = truth.getBypassingL1(key, k -> "absent");
      for (int i = 0; i < caches.size(); i++) {
        Cache<String, String> c = caches.get(i);
        String instance = i == 0 ? "A" : "B";
        await()
            .atMost(BOUND)
            .pollInterval(Duration.ofMillis(5))
            .untilAsserted(() -> assertEquals(
                inRedis, c.getIfPresent(key), instance + "'s L1 disagrees with Redis on " + key));
      }
    }
  }

  @Test
  void invalidate_onA_evictsBsL1() {
    TierCache a = instance();
    TierCache b = instance();
    a.<String, String>cache("c").put("k", "v1");
    assertEquals("v1", read(b, "c", "k"));
    a.<String, String>cache("c").invalidate("k");
    await().atMost(BOUND).until(() -> "loaded".equals(read(b, "c", "k")));
  }

  @Test
  void patternAndKey_acrossCaches() {
    TierCache a = instance();
    TierCache b = instance();
    a.<String, String>cache("c").put("project:1:info", "i1");
    a.<String, String>cache("d").put("project:1:stats", "s1");
    a.<String, String>cache("c").put("project:11:info", "i11");
    assertEquals("i1", read(b, "c", "project:1:info"));
    assertEquals("s1", read(b, "d", "project:1:stats"));
    assertEquals("i11", read(b, "c", "project:11:info"));
    assertEquals(2, a.invalidatePattern("project:" + Keys.segment(1) + ":*"));
    await()
        .atMost(BOUND)
        .until(() -> l1(b, "c", "project:1:info") == null && l1(b, "d", "project:1:stats") == null);
    assertEquals("i11", l1(b, "c", "project:11:info"));
    a.invalidate("project:11:info");
    await().atMost(BOUND).until(() -> l1(b, "c", "project:11:info") == null);
  }

  @Test
  void invalidateAll_clearsThatCacheOnEveryInstance() {
    TierCache a = instance();
    TierCache b = instance();
    Cache<Long, String> ca = a.cache("c", String.class);
    Cache<Long, String> cb = b.cache("c", String.class);
    ca.put(1L, "one");
    b.<String, String>cache("d").put("other", "kept");
    assertEquals("one", cb.get(1L, k -> "loaded"));
    ca.invalidateAll();
    await().atMost(BOUND).until(() -> cb.getIfPresent(1L) == null);
    assertEquals("kept", l1(b, "d", "other"));
  }

  @Test
  void writeBackFlush_evictsOtherInstances() {
    Map<String, String> store = new ConcurrentHashMap<>();
    UnaryOperator<TierCacheBuilder> wb = builder -> builder.cache(
        "w",
        s -> s.valueType(String.class)
            .strategy(Strategy.WRITE_BACK)
            .writer((String k, String v) -> store.put(k, v))
            .writeBackInterval(Duration.ofHours(1)));
    TierCache a = instance(mode(), wb);
    TierCache b = instance(mode(), wb);
    a.<String, String>cache("w").put("k", "v1");
    a.flush();
    assertEquals("v1", read(b, "w", "k"));
    a.<String, String>cache("w").put("k", "v2");
    assertEquals("v1", l1(b, "w", "k"), "not flushed yet: B still has the old value");
    a.flush();
    await().atMost(BOUND).until(() -> "v2".equals(l1(b, "w", "k")));
    assertEquals("v2", store.get("k"));
  }

  @Test
  void events_invalidatePatternsFilledFromThePayload_onEveryInstance() {
    UnaryOperator<TierCacheBuilder> ev =
        builder -> builder.event("product_updated", "product:{id}:*", "inventory:*:{id}:*");
    TierCache a = instance(mode(), ev);
    TierCache b = instance(mode(), ev);
    Cache<String, String> ca = a.cache("c");
    ca.put("product:42:info", "p");
    ca.put("inventory:east:42:stock", "s");
    ca.put("inventory:east:7:stock", "other");
    ca.put("product:7:info", "other");
    assertEquals("p", read(b, "c", "product:42:info"));
    assertEquals("s", read(b, "c", "inventory:east:42:stock"));
    assertEquals(2, a.events().publish("product_updated", Map.of("id", 42)));
    await()
        .atMost(BOUND)
        .until(() ->
            l1(b, "c", "product:42:info") == null && l1(b, "c", "inventory:east:42:stock") == null);
    assertEquals("other", l1(b, "c", "inventory:east:7:stock"));
    assertEquals("other", l1(b, "c", "product:7:info"));
    // A payload value is a segment, never a glob: "*" deletes nothing else.
    assertEquals(0, a.events().publish("product_updated", Map.of("id", "*")));
    assertEquals("other", l1(a, "c", "product:7:info"));
    IllegalArgumentException missing = assertThrows(
        IllegalArgumentException.class,
        () -> a.events().publish("product_updated", Map.of("sku", 1)));
    assertTrue(
        missing.getMessage().startsWith("event 'product_updated' needs a value for '{id}'"),
        missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> a.events().publish("nope", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> a.events().register("e", "product:{id"));
  }

  @Test
  void namespaceBump_movesEveryInstanceToTheNextVersion() {
    TierCache a = instance();
    TierCache b = instance();
    Namespace na = a.namespace("catalogue");
    Namespace nb = b.namespace("catalogue");
    assertEquals("catalogue:v0:product:42", na.key("product", 42));
    a.<String, String>cache("c").put(na.key("product", 42), "old");
    assertEquals("old", read(b, "c", nb.key("product", 42)));
    assertEquals(1, na.bump());
    await().atMost(BOUND).until(() -> nb.version() == 1);
    assertEquals("catalogue:v1:product:42", nb.key("product", 42));
    assertEquals(
        "loaded", read(b, "c", nb.key("product", 42)), "the old generation is not reached");
    assertThrows(IllegalArgumentException.class, () -> a.namespace("a*"));
  }

  @Test
  void lostMessages_clearL1() {
    assumeFalse(keysByTracking(), "a key's change is not a stream message: see the tracking tests");
    TierCache a = instance();
    TierCache b = instance();
    a.<String, String>cache("c").put("k", "v1");
    a.<String, String>cache("d").put("unrelated", "u");
    assertEquals("v1", read(b, "c", "k"));
    assertEquals("u", read(b, "d", "unrelated"));
    await().atMost(BOUND).until(() -> b.coherenceStats().received() >= 2);
    // As if B had been away while the stream was trimmed past what it had read: on a cluster,
    // only the stream of the shard that carries k2 (the other shards' keys are in L1 as well).
    try (TestRedis resp = redis()) {
      int shards = redis().cluster()
          ? Integer.parseInt((String) resp.command("GET", Coherence.shardsKey("co")))
          : 1;
      List<Coherence.StreamKeys> layout = Coherence.layout("co", redis().cluster(), shards);
      resp.command("INCRBY", layout.get(Coherence.shardOf("co:c:k2", shards)).seq(), "1000");
    }
    a.<String, String>cache("c").put("k2", "x");
    await().atMost(BOUND).until(() -> b.coherenceStats().gapFlushes() == 1);
    assertEquals(0, b.stats().get("c").l1Size(), "the whole L1 is cleared, every cache");
    assertEquals(0, b.stats().get("d").l1Size());
    assertEquals("u", read(b, "d", "unrelated"), "values come back from Redis");
    await()
        .atMost(BOUND)
        .until(() -> a.coherenceStats().gapFlushes() == 1); // A reads the same stream
  }

  @Test
  void redisRestart_whileAnotherInstanceWrites_leavesNoStaleL1() {
    TierCache a = instance();
    TierCache b = instance();
    Map<String, String> truth = new ConcurrentHashMap<>();
    truth.put("k", "v1");
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    assertEquals("v1", cb.get("k", truth::get));
    redis().stopNodeOf("co:c:k");
    truth.put("k", "v2");
    ca.put("k", "v2"); // Redis is down: A keeps it in L1 and remembers the key
    // more calls to that node (the hash tag puts "co:c:{co:c:k}" in the slot of "co:c:k") until A's
    // breaker opens
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      ca.getIfPresent("{co:c:k}");
      return !a.isRedisAvailable();
    });
    redis().restartNodeOf("co:c:k");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.isRedisAvailable() && b.isRedisAvailable());
    await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cb.get("k", truth::get)));
  }

  /** Two instances with client tracking, each with k = v1 in its L1. */
  private List<TierCache> twoTrackingInstancesHoldingK() {
    TierCache a = instance(trackingMode(), builder -> builder);
    TierCache b = instance(trackingMode(), builder -> builder);
    a.<String, String>cache("c").put("k", "v1");
    assertEquals("v1", read(a, "c", "k"));
    assertEquals("v1", read(b, "c", "k"));
    return List.of(a, b);
  }

  @Test
  void tracking_writesByAPlainClientEvictL1() {
    List<TierCache> both = twoTrackingInstancesHoldingK();
    TierCache a = both.get(0);
    TierCache b = both.get(1);
    byte[] frame = ("\u0001\u0000\"external\"").getBytes(StandardCharsets.UTF_8);
    try (TestRedis resp = redis()) {
      resp.commandBytes(
          "SET".getBytes(StandardCharsets.UTF_8), "co:c:k".getBytes(StandardCharsets.UTF_8), frame);
    }
    await()
        .atMost(BOUND)
        .until(() -> "external".equals(l1(a, "c", "k")) && "external".equals(l1(b, "c", "k")));
    assertTrue(b.coherenceStats().trackingInvalidations() >= 1);
  }

  /**
   * An operator's {@code FLUSHALL} takes the stream with it and leaves nothing to read; Redis
   * pushes a flush to every tracking connection, and every L1 empties.
   */
  @Test
  void tracking_aFlushallByAnOperator_emptiesEveryL1() {
    List<TierCache> both = twoTrackingInstancesHoldingK();
    TierCache a = both.get(0);
    TierCache b = both.get(1);
    try (TestRedis resp = redis()) {
      resp.command("FLUSHALL");
    }
    await().atMost(BOUND).until(() -> l1(a, "c", "k") == null && l1(b, "c", "k") == null);
  }

  /** Tracking and the L1 clear come back on every reconnect, the first one included. */
  @Test
  void tracking_isTurnedOnAgainAfterEachOfTwoRestarts_andL1IsCleared() {
    TierCache a = instance(trackingMode(), builder -> builder);
    TierCache b = instance(trackingMode(), builder -> builder);
    for (int restart = 1; restart <= 2; restart++) {
      String before = "before-" + restart;
      a.<String, String>cache("c").put("k", before);
      await()
          .atMost(BOUND)
          .until(() -> before.equals(read(b, "c", "k"))); // B may still hold the last round's value
      redis().stopNodeOf("co:c:k");
      redis().restartNodeOf("co:c:k");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> a.isRedisAvailable() && b.isRedisAvailable() && trackingClients() >= 2);
      // Redis lost the value: an L1 that outlived the restart without a clear would still answer it
      await().atMost(BOUND).until(() -> l1(b, "c", "k") == null);
      a.<String, String>cache("c").put("k", "v" + restart);
      awaitValue(b, "c", "k", "v" + restart);
      byte[] frame = ("\u0001\u0000\"external-" + restart + "\"").getBytes(StandardCharsets.UTF_8);
      try (TestRedis resp = redis()) {
        resp.commandBytes(
            "SET".getBytes(StandardCharsets.UTF_8),
            "co:c:k".getBytes(StandardCharsets.UTF_8),
            frame);
      }
      String external = "external-" + restart;
      await()
          .atMost(BOUND)
          .until(() -> external.equals(l1(a, "c", "k")) && external.equals(l1(b, "c", "k")));
    }
  }

  /** Connections with broadcast client tracking on. */
  private long trackingClients() {
    try (TestRedis resp = redis()) {
      String list = String.valueOf(resp.command("CLIENT", "LIST"));
      return Arrays.stream(list.split("\n"))
          .filter(line -> line.matches(".* flags=\\S*B\\S* .*"))
          .count();
    }
  }

  @Test
  void trackingOff_aPlainClientWriteIsNotSeenUntilL1Expires() {
    TierCache a = instance(CoherenceMode.STREAM, b -> b);
    a.<String, String>cache("c").put("k", "v1");
    try (TestRedis resp = redis()) {
      resp.command("SET", "co:c:k", "\u0001\u0000\"external\"");
    }
    AtomicInteger reads = new AtomicInteger();
    for (int i = 0; i < 20; i++) {
      assertEquals("v1", read(a, "c", "k"));
      reads.incrementAndGet();
    }
    assertEquals(20, reads.get());
  }
}
