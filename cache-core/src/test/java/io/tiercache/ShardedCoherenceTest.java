package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.RedisClusterExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Invalidation streams sharded over the masters of a 3-master cluster: where each shard lives,
 * which shard carries which key, broadcasts applied once, two prefixes kept apart, and a change of
 * the agreed number of shards. {@link CoherenceClusterTest} runs the whole coherence contract on
 * the same layout, and {@link ClusterFailoverTest} kills the master of one shard under load.
 */
@Tag("cluster")
class ShardedCoherenceTest {

  @RegisterExtension
  static final RedisClusterExtension server = new RedisClusterExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance(String prefix, UnaryOperator<TierCacheBuilder> extra) {
    TierCache tier = extra
        .apply(TierCache.builder()
            .redisCluster(server.seedUris())
            .keyPrefix(prefix)
            .commandTimeout(Duration.ofSeconds(2)) // a cold JVM's first commands
            .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10))))
        .build();
    opened.add(tier);
    return tier;
  }

  private TierCache instance(String prefix) {
    return instance(prefix, b -> b);
  }

  private static Object command(EmbeddedRedisCluster cluster, String key, String... args) {
    try (Resp resp = cluster.connect(cluster.nodeOf(key))) {
      return resp.command(args);
    }
  }

  private static long xlen(EmbeddedRedisCluster cluster, String stream) {
    return (Long) command(cluster, stream, "XLEN", stream);
  }

  /** The k0, k1, ... fields of every entry of a stream, and the broadcast ids it carries. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, String>> entries(EmbeddedRedisCluster cluster, String stream) {
    List<Map<String, String>> bodies = new ArrayList<>();
    for (Object entry : (List<Object>) command(cluster, stream, "XRANGE", stream, "-", "+")) {
      List<Object> fields = (List<Object>) ((List<Object>) entry).get(1);
      Map<String, String> body = new HashMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        body.put((String) fields.get(i), (String) fields.get(i + 1));
      }
      bodies.add(body);
    }
    return bodies;
  }

  @Test
  void oneShardPerMaster_aKeyGoesToTheShardOnItsOwnMaster_andEveryShardIsRead(
      EmbeddedRedisCluster cluster) {
    TierCache a = instance("sh");
    TierCache b = instance("sh");
    assertEquals(
        "3",
        command(cluster, Coherence.shardsKey("sh"), "GET", Coherence.shardsKey("sh")),
        "the first instance records one shard per master");
    List<Coherence.StreamKeys> layout = Coherence.layout("sh", true, 3);
    Set<Integer> nodes = new HashSet<>();
    for (Coherence.StreamKeys shard : layout) {
      assertTrue(
          shard.stream().startsWith("sh:__tc:{sh:inval:"),
          "the tag holds the prefix: " + shard.stream());
      assertEquals(
          cluster.nodeOf(shard.stream()),
          cluster.nodeOf(shard.seq()),
          "stream and sequence share a slot");
      nodes.add(cluster.nodeOf(shard.stream()));
    }
    assertEquals(3, nodes.size(), "the three shards are on the three masters");

    Cache<String, String> onA = a.cache("c");
    Cache<String, String> onB = b.cache("c");
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      keys.add("k" + i);
      onA.put("k" + i, "old");
      assertEquals("old", onB.get("k" + i, k -> "loaded"));
    }
    for (String key : keys) {
      onA.put(key, "new");
    }
    await()
        .atMost(CoherenceContract.BOUND)
        .until(() -> keys.stream().allMatch(k -> "new".equals(onB.getIfPresent(k))));

    Map<String, Integer> shardOfKey = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      for (Map<String, String> body : entries(cluster, layout.get(i).stream())) {
        for (int k = 0; body.containsKey("k" + k); k++) {
          Integer before = shardOfKey.put(body.get("k" + k), i);
          assertTrue(before == null || before == i, body.get("k" + k) + " was sent to two shards");
        }
      }
    }
    Set<Integer> used = new HashSet<>();
    for (String key : keys) {
      int shard = shardOfKey.get(key);
      used.add(shard);
      assertEquals(Coherence.shardOf("sh:c:" + key, 3), shard, key + " goes to its shard");
      assertEquals(
          cluster.nodeOf("sh:c:" + key),
          cluster.nodeOf(layout.get(shard).stream()),
          key + "'s invalidations are on the master of the key");
    }
    assertEquals(3, used.size(), "the keys are spread over every shard");
  }

  @Test
  void aBroadcastGoesToEveryShard_andIsAppliedOnce(EmbeddedRedisCluster cluster) {
    TierCache a = instance("bc");
    TierCache b = instance("bc");
    Cache<String, String> onA = a.cache("c");
    Cache<String, String> onB = b.cache("c");
    onA.put("x", "1");
    assertEquals("1", onB.get("x", k -> "loaded"));
    await().atMost(CoherenceContract.BOUND).until(() -> b.coherenceStats().received() == 1);
    onA.invalidateAll();
    await().atMost(CoherenceContract.BOUND).until(() -> onB.getIfPresent("x") == null);
    List<Coherence.StreamKeys> layout = Coherence.layout("bc", true, 3);
    Set<String> ids = new HashSet<>();
    for (Coherence.StreamKeys shard : layout) {
      List<Map<String, String>> broadcasts = entries(cluster, shard.stream()).stream()
          .filter(body -> "c".equals(body.get("op")))
          .toList();
      assertEquals(1, broadcasts.size(), "the cache's invalidation is on every shard");
      ids.add(broadcasts.get(0).get("b"));
    }
    assertEquals(1, ids.size(), "with one id: " + ids);
    // messages after the broadcast on every shard: once B has read them all, it has read every copy
    for (int i = 0; i < 30; i++) {
      onA.put("m" + i, "v");
    }
    await()
        .atMost(CoherenceContract.BOUND)
        .until(() -> a.coherenceStats().sent() > 4
            && b.coherenceStats().received() >= a.coherenceStats().sent() - 2);
    sleep(300);
    assertEquals(
        a.coherenceStats().sent() - 2,
        b.coherenceStats().received(),
        "B applied each message once: the broadcast's three copies count once");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void twoPrefixes_neverShareAStreamOrAnyCoherenceKey(EmbeddedRedisCluster cluster) {
    Set<String> first = new HashSet<>();
    Set<String> second = new HashSet<>();
    for (Coherence.StreamKeys shard : Coherence.layout("pa", true, 3)) {
      first.addAll(List.of(shard.stream(), shard.seq(), shard.ackPrefix()));
    }
    for (Coherence.StreamKeys shard : Coherence.layout("pb", true, 3)) {
      second.addAll(List.of(shard.stream(), shard.seq(), shard.ackPrefix()));
    }
    first.addAll(List.of(Coherence.liveKey("pa", true), Coherence.shardsKey("pa")));
    second.addAll(List.of(Coherence.liveKey("pb", true), Coherence.shardsKey("pb")));
    for (String key : first) {
      assertTrue(key.contains("{pa:inval"), "pa's hash tag holds pa: " + key);
    }
    for (String key : second) {
      assertTrue(key.contains("{pb:inval"), "pb's hash tag holds pb: " + key);
    }
    first.retainAll(second);
    assertEquals(Set.of(), first, "no key in common");

    TierCache a = instance("pa");
    TierCache b = instance("pb");
    TierCache b2 = instance("pb");
    Cache<String, String> onA = a.cache("c");
    for (int i = 0; i < 30; i++) {
      onA.put("k" + i, "v");
    }
    onA.invalidateAll();
    b.cache("c").put("other", "v");
    await()
        .atMost(CoherenceContract.BOUND)
        .until(() -> b2.coherenceStats().received() == b.coherenceStats().sent());
    assertEquals(0, b.coherenceStats().received(), "pb reads nothing of pa's");
    long ofB = 0;
    for (Coherence.StreamKeys shard : Coherence.layout("pb", true, 3)) {
      for (Map<String, String> body : entries(cluster, shard.stream())) {
        assertNotEquals(
            a.coherenceStats().instanceId(), body.get("src"), "a message of pa in pb's stream");
        ofB++;
      }
    }
    assertEquals(b.coherenceStats().sent(), ofB, "pb's streams hold pb's messages alone");
    for (int node = 0; node < EmbeddedRedisCluster.NODES; node++) {
      try (Resp resp = cluster.connect(node)) {
        @SuppressWarnings("unchecked")
        List<Object> scan =
            (List<Object>) resp.command("SCAN", "0", "MATCH", "*{inval}*", "COUNT", "10000");
        assertEquals(List.of(), scan.get(1), "no stream under the tag every prefix would share");
      }
    }
  }

  @Test
  void invalidateAndWait_isAcknowledgedAcrossShards() {
    TierCache a = instance("aw");
    TierCache b = instance("aw");
    TierCache c = instance("aw");
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      InvalidationAck ack = a.invalidateAndWait("warm", Duration.ofMillis(500));
      return ack.complete() && ack.acknowledged().size() == 2;
    });
    for (int i = 0; i < 12; i++) { // keys on every shard
      String key = "price:" + i;
      b.<String, String>cache("c").put(key, "old");
      c.<String, String>cache("c").put(key, "old");
      InvalidationAck ack = a.invalidateAndWait(key, Duration.ofSeconds(2));
      assertTrue(ack.complete(), key + ": " + ack);
      assertEquals(
          Set.of(b.coherenceStats().instanceId(), c.coherenceStats().instanceId()),
          ack.acknowledged());
    }
  }

  @Test
  void aChangeOfTheAgreedNumber_isFollowedByEveryInstance_andByOneJoiningLater(
      EmbeddedRedisCluster cluster) {
    TierCache a = instance("rs");
    TierCache b = instance("rs");
    Cache<String, String> onA = a.cache("c");
    Cache<String, String> onB = b.cache("c");
    onA.put("k", "1");
    assertEquals("1", onB.get("k", x -> "loaded"));
    command(cluster, Coherence.shardsKey("rs"), "SET", Coherence.shardsKey("rs"), "2");
    // within a heartbeat both move to two streams, and clear L1 (what the old ones carried
    // meanwhile is unknown)
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.coherenceStats().gapFlushes() >= 1 && b.coherenceStats().gapFlushes() >= 1);
    List<Coherence.StreamKeys> two = Coherence.layout("rs", true, 2);
    assertEquals("1", onB.get("k", x -> "loaded"), "B reads the value from Redis again");
    onA.put("k", "2");
    await().atMost(CoherenceContract.BOUND).until(() -> "2".equals(onB.getIfPresent("k")));
    assertTrue(
        xlen(cluster, two.get(Coherence.shardOf("rs:c:k", 2)).stream()) > 0,
        "the new layout carries it");

    TierCache c = instance("rs", builder -> builder.coherenceShards(5));
    Cache<String, String> onC = c.cache("c");
    assertEquals("2", onC.get("k", x -> "loaded"));
    onA.put("k", "3");
    await().atMost(CoherenceContract.BOUND).until(() -> "3".equals(onC.getIfPresent("k")));
    onC.put("k", "4");
    await().atMost(CoherenceContract.BOUND).until(() -> "4".equals(onB.getIfPresent("k")));
    assertEquals(
        0,
        c.coherenceStats().gapFlushes(),
        "the instance joining uses the agreed 2, not the 5 it asked for, "
            + "and reads every shard from start-up");
    assertFalse(
        cluster
            .keys(cluster.nodeOf(Coherence.layout("rs", true, 5).get(0).stream()))
            .contains(Coherence.layout("rs", true, 5).get(0).stream()),
        "no stream of a layout of 5");
  }
}
