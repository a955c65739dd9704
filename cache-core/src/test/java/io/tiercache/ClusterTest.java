package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.RedisClusterExtension;
import io.tiercache.toolkit.BloomFilter;
import io.tiercache.toolkit.IssuedToken;
import io.tiercache.toolkit.Lock;
import io.tiercache.toolkit.LockSpec;
import io.tiercache.toolkit.Toolkit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A representative subset of the cache, coherence and toolkit behaviour on a real 3-master Redis
 * Cluster: keys spread over every master, multi-key reads and pattern invalidation across them.
 */
@Tag("cluster")
class ClusterTest {

  @RegisterExtension
  static final RedisClusterExtension redis = new RedisClusterExtension();

  private static final Duration BOUND = Duration.ofSeconds(5);
  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance(UnaryOperator<TierCacheBuilder> extra) {
    TierCacheBuilder builder = TierCache.builder()
        .redisCluster(redis.seedUris())
        .keyPrefix("cl")
        .commandTimeout(Duration.ofMillis(500))
        .probeInterval(Duration.ofMillis(100))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .cache("n", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .cache(
            "remote", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)).l1(false));
    TierCache tier = extra.apply(builder).build();
    opened.add(tier);
    return tier;
  }

  private TierCache instance() {
    return instance(b -> b);
  }

  /** {@code n} keys; enough that each master gets some (checked on the Redis keys after writing). */
  private static List<String> keysOnEveryNode(EmbeddedRedisCluster cluster, String base, int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(base + i);
    }
    return keys;
  }

  /** Redis keys per node that contain {@code fragment}. */
  private static int[] spread(EmbeddedRedisCluster cluster, String fragment) {
    int[] counts = new int[EmbeddedRedisCluster.NODES];
    for (int node = 0; node < EmbeddedRedisCluster.NODES; node++) {
      for (String key : cluster.keys(node)) {
        if (key.contains(fragment)) {
          counts[node]++;
        }
      }
    }
    return counts;
  }

  @Test
  void roundTrip_throughL2_onEveryMaster(EmbeddedRedisCluster cluster) {
    TierCache a = instance();
    TierCache b = instance();
    Cache<String, String> written = a.cache("remote");
    List<String> keys = keysOnEveryNode(cluster, "round:", 30);
    for (String key : keys) {
      written.put(key, "v-" + key);
    }
    int[] counts = spread(cluster, "round:");
    for (int node = 0; node < counts.length; node++) {
      assertTrue(
          counts[node] > 0, "node " + node + " holds some of the keys: " + Arrays.toString(counts));
    }
    Cache<String, String> read = b.cache("remote");
    for (String key : keys) {
      assertEquals("v-" + key, read.get(key, k -> "loaded"), "read back from Redis, not loaded");
    }
    read.invalidate(keys.get(0));
    assertEquals("loaded", read.get(keys.get(0), k -> "loaded"));
  }

  @Test
  void getAll_acrossSlots_inOneCall(EmbeddedRedisCluster cluster) {
    TierCache a = instance();
    List<String> keys = keysOnEveryNode(cluster, "multi:", 40);
    Map<String, String> values = new LinkedHashMap<>();
    keys.forEach(k -> values.put(k, "v-" + k));
    AtomicInteger loads = new AtomicInteger();
    Map<String, String> first = a.<String, String>cache("c").getAll(keys, missing -> {
      loads.incrementAndGet();
      Map<String, String> loaded = new HashMap<>();
      missing.forEach(k -> loaded.put(k, values.get(k)));
      return loaded;
    });
    assertEquals(values, first);
    assertEquals(1, loads.get());
    for (int count : spread(cluster, "multi:")) {
      assertTrue(count > 0, "every master holds some of the keys");
    }

    TierCache b = instance(); // empty L1: one MGET over three masters answers every key
    Map<String, String> second = b.<String, String>cache("c").getAll(keys, missing -> {
      throw new AssertionError("nothing to load, yet asked for " + missing);
    });
    assertEquals(values, second);
    assertEquals(
        new ArrayList<>(values.keySet()),
        new ArrayList<>(second.keySet()),
        "in the order of the keys");
  }

  @Test
  void invalidatePattern_deletesOnEveryMaster_andSparesTheRest(EmbeddedRedisCluster cluster) {
    TierCache a = instance();
    TierCache b = instance();
    Cache<String, String> cache = a.cache("c");
    List<String> doomed = keysOnEveryNode(cluster, "user:7:", 30);
    List<String> kept = keysOnEveryNode(cluster, "user:8:", 30);
    doomed.forEach(k -> cache.put(k, "old"));
    kept.forEach(k -> cache.put(k, "kept"));
    Cache<String, String> other = b.cache("c");
    doomed.forEach(k -> assertEquals("old", other.get(k, x -> "loaded")));

    long deleted = a.invalidatePattern("user:7:*");

    assertEquals(doomed.size(), deleted, "counted over every master");
    int[] left = spread(cluster, "user:7:");
    assertEquals(0, left[0] + left[1] + left[2], "no matching key left on any master");
    int[] spared = spread(cluster, "user:8:");
    assertEquals(kept.size(), spared[0] + spared[1] + spared[2]);
    assertTrue(
        spread(cluster, "__tc:")[0] + spread(cluster, "__tc:")[1] + spread(cluster, "__tc:")[2] > 0,
        "the coherence stream survives a pattern invalidation");
    await().atMost(BOUND).until(() -> other.getIfPresent(doomed.get(0)) == null);
    for (String key : doomed) {
      assertEquals("loaded", other.get(key, x -> "loaded"), "instance B's L1 was told");
    }
  }

  @Test
  void invalidateAll_deletesTheCachesKeysOnEveryMaster(EmbeddedRedisCluster cluster) {
    TierCache a = instance();
    Cache<Long, String> numbered = a.cache("n");
    for (long i = 0; i < 30; i++) {
      numbered.put(i, "v" + i);
    }
    a.<String, String>cache("c").put("other", "kept");
    int[] before = spread(cluster, "cl:n:");
    assertTrue(before[0] > 0 && before[1] > 0 && before[2] > 0, Arrays.toString(before));

    numbered.invalidateAll();

    int[] after = spread(cluster, "cl:n:");
    assertEquals(0, after[0] + after[1] + after[2], "invalidateAll reaches every master");
    assertEquals("kept", instance().<String, String>cache("c").get("other", k -> "loaded"));
  }

  @Test
  void coherence_putOnA_evictsBsL1() {
    TierCache a = instance();
    TierCache b = instance();
    a.<String, String>cache("c").put("shared", "v1");
    assertEquals("v1", b.<String, String>cache("c").get("shared", k -> "loaded"));
    a.<String, String>cache("c").put("shared", "v2");
    await()
        .atMost(BOUND)
        .until(() -> "v2".equals(b.<String, String>cache("c").getIfPresent("shared")));
    a.<String, String>cache("c").invalidate("shared");
    await().atMost(BOUND).until(() -> b.<String, String>cache("c").getIfPresent("shared") == null);
    assertTrue(a.coherenceStats().sent() > 0);
  }

  @Test
  void snapshot_gathersFactsFromEveryMaster(EmbeddedRedisCluster cluster) {
    TierCache a = instance();
    List<String> keys = keysOnEveryNode(cluster, "fact:", 30);
    keys.forEach(k -> a.<String, String>cache("remote").put(k, "v"));
    int onNodes = 0;
    for (int node = 0; node < EmbeddedRedisCluster.NODES; node++) {
      onNodes +=
          (int) cluster.keys(node).stream().filter(k -> k.startsWith("cl:")).count();
    }
    StatsSnapshot.RedisFacts facts = a.snapshot().redis();
    assertTrue(facts.available());
    assertEquals(onNodes, facts.keysUnderPrefix(), "SCAN covers every master");
    assertTrue(
        facts.connectedClients() >= 3,
        "clients of three masters add up: " + facts.connectedClients());
    assertTrue(facts.usedMemoryBytes() > 0);
    assertFalse(facts.redisVersion().isEmpty());
  }

  @Test
  void toolkit_lockCounterTokens_onTheCluster(EmbeddedRedisCluster cluster) {
    TierCache a = instance();
    TierCache b = instance();
    Toolkit kit = a.toolkit();

    Set<Integer> lockNodes = new HashSet<>();
    long lastToken = 0;
    for (int i = 0; i < 12; i++) {
      String name = "job-" + i;
      try (Lock lock =
          kit.locks().acquire(name, LockSpec.of(Duration.ofSeconds(10), Duration.ofSeconds(1)))) {
        assertTrue(lock.isHeld());
        assertTrue(b.toolkit().locks().isLocked(name));
        Optional<Lock> rival = b.toolkit()
            .locks()
            .tryAcquire(name, LockSpec.of(Duration.ofSeconds(10), Duration.ZERO));
        assertTrue(rival.isEmpty(), "mutual exclusion holds per key");
        lastToken = lock.fencingToken();
      }
      assertFalse(b.toolkit().locks().isLocked(name));
      lockNodes.add(cluster.nodeOf("{" + name + "}"));
    }
    try (Lock again =
        kit.locks().acquire("job-11", LockSpec.of(Duration.ofSeconds(10), Duration.ofSeconds(1)))) {
      assertEquals(
          lastToken + 1,
          again.fencingToken(),
          "the fence shares the lock's slot and keeps counting");
    }
    assertEquals(3, lockNodes.size(), "locks live on every master");

    for (int i = 0; i < 12; i++) {
      assertEquals(1, kit.counters().increment("hits-" + i));
      assertEquals(2, b.toolkit().counters().increment("hits-" + i));
    }

    List<IssuedToken> issued = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      issued.add(kit.tokens().issue("alice", Map.of("n", i), Duration.ofMinutes(5)));
    }
    IssuedToken bobs = kit.tokens().issue("bob", null, Duration.ofMinutes(5));
    for (IssuedToken token : issued) {
      assertTrue(b.toolkit().tokens().verify(token.token(), Map.class).isValid());
    }
    assertEquals(6, kit.tokens().sessions("alice", Map.class).size());
    assertTrue(kit.tokens().revoke(issued.get(0).token()));
    assertFalse(b.toolkit().tokens().verify(issued.get(0).token(), Map.class).isValid());
    assertEquals(5, kit.tokens().revokeAll("alice"), "token keys on several masters are deleted");
    for (IssuedToken token : issued) {
      assertFalse(b.toolkit().tokens().verify(token.token(), Map.class).isValid());
    }
    assertTrue(b.toolkit().tokens().verify(bobs.token(), Map.class).isValid());
    assertTrue(kit.tokens().sessions("alice", Map.class).isEmpty());
  }

  @Test
  void redisUriAndRedisClusterTogether_failAtBuild() {
    IllegalStateException e = assertThrows(
        IllegalStateException.class,
        () -> TierCache.builder()
            .redisUri("redis://127.0.0.1:1")
            .redisCluster(redis.seedUris())
            .build());
    assertTrue(e.getMessage().contains("redisUri and redisCluster"), e.getMessage());
  }

  @Test
  @Tag("fault")
  void killedNode_degradesWithoutHanging_thenRecovers(EmbeddedRedisCluster cluster) {
    TierCache a = instance();
    Cache<String, String> remote = a.cache("remote");
    List<String> keys = keysOnEveryNode(cluster, "fault:", 12);
    keys.forEach(k -> remote.put(k, "stored"));

    cluster.kill(2);
    long start = System.nanoTime();
    for (String key : keys) {
      String value = remote.get(key, k -> "loaded");
      assertTrue(value.equals("stored") || value.equals("loaded"));
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 5_000, "every call answered within the timeouts, took " + millis + " ms");

    cluster.restart(2);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      remote.put("after", "v");
      return a.isRedisAvailable() && "v".equals(remote.get("after", k -> "loaded"));
    });
    int[] counts = spread(cluster, "fault:");
    assertEquals(0, counts[2], "the restarted node came back empty");
    for (String key : keys) {
      String value = remote.get(key, k -> "loaded");
      assertTrue(value.equals("stored") || value.equals("loaded"));
    }
  }

  @Test
  void bloomFilters_checkRebuildAndGuard_onTheCluster(EmbeddedRedisCluster cluster) {
    TierCache a =
        instance(b -> b.cache("guarded", s -> s.valueType(String.class).bloomGuard(1_000, 0.01)));
    TierCache b =
        instance(x -> x.cache("guarded", s -> s.valueType(String.class).bloomGuard(1_000, 0.01)));
    Set<Integer> nodes = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      String name = "ids-" + i;
      BloomFilter onA = a.toolkit().bloomFilters().get(name, 1_000, 0.01);
      BloomFilter onB = b.toolkit().bloomFilters().get(name, 1_000, 0.01);
      onA.addAll(List.of("x", "y"));
      assertTrue(onB.mightContain("x"));
      assertEquals(
          1,
          onB.rebuild(List.of("z").iterator()),
          "the rebuild's RENAME stays in the filter's slot");
      assertTrue(onA.mightContain("z"));
      assertFalse(onA.mightContain("never-added"));
      nodes.add(cluster.nodeOf("{" + Keys.segment(name) + "}"));
    }
    assertTrue(nodes.size() >= 2, "filters on several masters: " + nodes);
    Cache<String, String> guarded = a.cache("guarded", String.class);
    guarded.put("k1", "v1");
    Cache<String, String> other = b.cache("guarded", String.class);
    assertEquals("v1", other.get("k1", k -> "loaded"));
    assertNull(other.get("k2", k -> "loaded"), "a key the guard never saw is absent");
  }

  @Test
  void keyEvents_fromEveryMaster(EmbeddedRedisCluster cluster) throws Exception {
    TierCache tier = instance();
    List<KeyEvent> events = new CopyOnWriteArrayList<>();
    try (AutoCloseable subscription =
        tier.onKeyEvents(Set.of(KeyEvent.Kind.DELETED), events::add)) {
      Cache<String, String> c = tier.cache("c");
      List<String> keys = keysOnEveryNode(cluster, "ev", 30);
      keys.forEach(k -> c.put(k, "v"));
      keys.forEach(c::invalidate);
      await().atMost(Duration.ofSeconds(5)).until(() -> events.size() >= 30);
      Set<Integer> nodes = new HashSet<>();
      for (KeyEvent e : events) {
        assertEquals("c", e.cacheName());
        assertTrue(keys.contains(e.key()), e.toString());
        nodes.add(cluster.nodeOf(e.redisKey()));
      }
      assertEquals(3, nodes.size(), "deletions reported by every master");
    }
  }
}
