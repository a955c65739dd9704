package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.RedisClusterExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CoherenceContract} with {@link CoherenceMode#TRACKING} on a 3-master Redis Cluster, where
 * every master pushes the changes of its own keys, and what is particular to it: every master
 * tracks, a write on any of them is one {@code SET}, and a master that takes over slots (a manual
 * failover keeps every connection open, so only the topology tells) is tracked within a
 * heartbeat, with L1 cleared then.
 */
@Tag("cluster")
class TrackingCoherenceClusterTest extends CoherenceContract {

  @RegisterExtension
  static final RedisClusterExtension server = new RedisClusterExtension();

  private final List<TierCache> mine = new ArrayList<>();

  @Override
  TestRedis redis() {
    return TestRedis.cluster(server);
  }

  @Override
  CoherenceMode mode() {
    return CoherenceMode.TRACKING;
  }

  @AfterEach
  void closeMine() {
    mine.forEach(TierCache::close);
  }

  private TierCache tracking(List<String> seeds) {
    TierCache tier = TierCache.builder()
        .redisCluster(seeds)
        .keyPrefix("tc")
        .coherence(CoherenceMode.TRACKING)
        .commandTimeout(Duration.ofMillis(500))
        .probeInterval(Duration.ofMillis(100))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .build();
    mine.add(0, tier);
    return tier;
  }

  /** Calls of {@code name} on every node of the cluster. */
  private static long commandCalls(EmbeddedRedisCluster cluster, String name) {
    long calls = 0;
    for (int node = 0; node < cluster.size(); node++) {
      try (Resp resp = cluster.connect(node)) {
        String stats = String.valueOf(resp.command("INFO", "commandstats"));
        for (String line : stats.split("\r?\n")) {
          String start = "cmdstat_" + name + ":calls=";
          if (line.startsWith(start)) {
            calls += Long.parseLong(line.substring(start.length(), line.indexOf(',')));
          }
        }
      }
    }
    return calls;
  }

  /** Connections of {@code node} with broadcast client tracking on. */
  private static long trackingClients(EmbeddedRedisCluster cluster, int node) {
    try (Resp resp = cluster.connect(node)) {
      return String.valueOf(resp.command("CLIENT", "LIST"))
          .lines()
          .filter(line -> line.matches(".* flags=\\S*B\\S* .*"))
          .count();
    }
  }

  @Test
  void everyMasterTracks_aWriteOnAnyOfThemIsOneSet_andTheOtherInstanceHearsOfIt() {
    EmbeddedRedisCluster cluster = server.cluster();
    TierCache a = tracking(server.seedUris());
    TierCache b = tracking(server.seedUris());
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    Set<Integer> nodes = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      ca.put("k" + i, "v1");
      assertEquals("v1", cb.get("k" + i, k -> "loaded"));
      nodes.add(cluster.nodeOf("tc:c:k" + i));
    }
    assertEquals(EmbeddedRedisCluster.NODES, nodes.size(), "the keys are on every master");
    for (int node : cluster.masters()) {
      assertTrue(trackingClients(cluster, node) >= 2, "both instances track master " + node);
    }
    long xadds = commandCalls(cluster, "xadd");
    long scripts = commandCalls(cluster, "evalsha") + commandCalls(cluster, "eval");
    long sets = commandCalls(cluster, "set");
    for (int i = 0; i < 30; i++) {
      ca.put("k" + i, "v2");
      ca.invalidate("k" + i);
    }
    assertEquals(xadds, commandCalls(cluster, "xadd"), "no write appends to a stream");
    assertEquals(
        scripts,
        commandCalls(cluster, "evalsha") + commandCalls(cluster, "eval"),
        "nor runs a script");
    assertEquals(sets + 30, commandCalls(cluster, "set"));
    await().atMost(BOUND).until(() -> {
      for (int i = 0; i < 30; i++) {
        if (cb.getIfPresent("k" + i) != null) {
          return false; // only B's L1 can still have it: Redis has nothing
        }
      }
      return true;
    });
    assertTrue(
        b.coherenceStats().trackingInvalidations() >= 30, b.coherenceStats().toString());
    assertTrue(b.coherenceStats().l1Answering());
  }

  /**
   * {@code CLUSTER FAILOVER} on a replica swaps the roles with the connections to both nodes left
   * open: no reconnect says that the slots moved. The heartbeat's {@code CLUSTER NODES} finds the
   * new master, and tracking is turned on there (with L1 cleared) within about a heartbeat. The old
   * master, a replica now, still pushes the writes it replicates; once it is gone, only the new
   * master can tell of a change of its keys.
   */
  @Test
  void aManualFailover_theNewMasterIsTrackedWithinAHeartbeat() {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch(1)) {
      TierCache a = tracking(cluster.seedUris());
      TierCache b = tracking(cluster.seedUris());
      Cache<String, String> ca = a.cache("c");
      Cache<String, String> cb = b.cache("c");
      ca.put("k", "v1");
      assertEquals("v1", cb.get("k", k -> "loaded"));
      int master = cluster.nodeOf("tc:c:k");
      int replica = cluster.replicasOf(master).get(0);
      assertEquals(0, trackingClients(cluster, replica), "nobody tracks a replica");
      try (Resp resp = cluster.connect(replica)) {
        assertEquals("OK", resp.command("CLUSTER", "FAILOVER"));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.masters().contains(replica) && cluster.nodeOf("tc:c:k") == replica);
      long promoted = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> trackingClients(cluster, replica) >= 2
              && a.coherenceStats().l1Answering()
              && b.coherenceStats().l1Answering());
      long trackedMillis = (System.nanoTime() - promoted) / 1_000_000;
      System.out.printf(
          "manual failover: both instances track the new master %d ms after it "
              + "took the slots%n",
          trackedMillis);
      assertTrue(trackedMillis < 2_500, "tracked within about a heartbeat: " + trackedMillis);

      cluster.kill(master); // a replica now: its pushes of replicated writes stop
      ca.put("k", "v2");
      assertEquals("v2", ca.get("k", k -> "loaded"));
      assertEquals("v2", cb.get("k", k -> "loaded"), "B's L1 was cleared or told");
      ca.put("k", "v3");
      await().atMost(BOUND).until(() -> "v3".equals(cb.get("k", k -> "loaded")));
      closeMine(); // before the cluster they talk to
      mine.clear();
    }
  }

  /**
   * Strict coherence on a cluster confirms every master's pushes, not one node's: a master frozen
   * for 2 s ({@code DEBUG SLEEP}) that holds neither the key nor the stream, nor answers the
   * commands without a key, still stops L1 within
   * the bound, since a change it pushed meanwhile could not be known to have arrived; L1 answers
   * again once it replies.
   */
  @Test
  void strict_aFrozenMaster_stopsL1WithinTheBound_andL1AnswersAfter() throws Exception {
    EmbeddedRedisCluster cluster = server.cluster();
    int streamNode = cluster.nodeOf(Coherence.layout("tc", true, 1).get(0).stream());
    int victim = streamNode == 1 ? 2 : 1; // nor node 0, the first seed: Lettuce's default node
    String key = null;
    for (int i = 0; key == null; i++) {
      if (cluster.nodeOf("tc:c:s" + i) != victim) {
        key = "s" + i;
      }
    }
    Duration bound = Duration.ofMillis(300);
    TierCache a = TierCache.builder()
        .redisCluster(server.seedUris())
        .keyPrefix("tc")
        .coherence(CoherenceMode.TRACKING)
        .coherenceShards(1)
        .strictCoherence(bound)
        .commandTimeout(Duration.ofMillis(500))
        .probeInterval(Duration.ofMillis(100))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .build();
    mine.add(0, a);
    Cache<String, String> c = a.cache("c");
    c.put(key, "v");
    String k = key;
    await().atMost(Duration.ofSeconds(3)).until(() -> {
      long before = c.stats().l1Hits();
      c.get(k, x -> "loaded");
      return c.stats().l1Hits() > before;
    });
    Thread sleeper = new Thread(() -> {
      try (Resp resp = cluster.connect(victim)) {
        resp.command("DEBUG", "SLEEP", "2");
      }
    });
    long frozen = System.nanoTime();
    sleeper.start();
    List<Long> hitsPastTheBound = new ArrayList<>();
    long checkFrom = frozen + bound.toNanos() + Duration.ofMillis(150).toNanos();
    while (System.nanoTime() - frozen < Duration.ofMillis(1_800).toNanos()) {
      long before = c.stats().l1Hits();
      assertEquals("v", c.get(key, x -> "loaded"));
      if (c.stats().l1Hits() > before && System.nanoTime() > checkFrom) {
        hitsPastTheBound.add((System.nanoTime() - frozen) / 1_000_000);
      }
      Thread.sleep(5);
    }
    assertEquals(List.of(), hitsPastTheBound, "L1 hits while a master could not be confirmed (ms)");
    sleeper.join(5_000);
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      long before = c.stats().l1Hits();
      c.get(k, x -> "loaded");
      return c.stats().l1Hits() > before;
    });
  }

  /**
   * One master whose ACL refuses {@code CLIENT TRACKING} is enough to keep L1 from answering: a
   * change of that master's keys would not be pushed. Once it accepts, L1 answers again.
   */
  @Test
  void oneMasterRefusingTracking_l1DoesNotAnswer_untilItAccepts() {
    EmbeddedRedisCluster cluster = server.cluster();
    List<Integer> masters = cluster.masters();
    int refusing = masters.get(masters.size() - 1);
    for (int node : masters) {
      try (Resp resp = cluster.connect(node)) {
        resp.command(
            "ACL",
            "SETUSER",
            "notrack",
            "on",
            ">secret-pw",
            "~*",
            "&*",
            "+@all",
            node == refusing ? "-client" : "+client");
      }
    }
    try {
      List<String> seeds = new ArrayList<>();
      for (String uri : server.seedUris()) {
        seeds.add(uri.replace("redis://", "redis://notrack:secret-pw@"));
      }
      TierCache limited = tracking(seeds);
      Cache<String, String> c = limited.cache("c");
      c.put("k", "v1");
      long l1Hits = c.stats().l1Hits();
      for (int i = 0; i < 5; i++) {
        assertEquals("v1", c.get("k", k -> "loaded"));
      }
      assertEquals(l1Hits, c.stats().l1Hits(), "every read went to Redis");
      assertEquals(false, limited.coherenceStats().l1Answering());
      try (Resp resp = cluster.connect(refusing)) {
        resp.command("ACL", "SETUSER", "notrack", "+client");
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        long before = c.stats().l1Hits();
        c.get("k", k -> "loaded");
        return c.stats().l1Hits() > before;
      });
      assertTrue(limited.coherenceStats().l1Answering());
      closeMine();
      mine.clear();
    } finally {
      for (int node : masters) {
        try (Resp resp = cluster.connect(node)) {
          resp.command("ACL", "DELUSER", "notrack");
        }
      }
    }
  }

  /**
   * A master with no replica that crashes is flagged as failed by the others, and stays flagged
   * for seconds after it is back, while it already takes writes to its slots again. It must be
   * tracked as soon as its connection is back, flagged or not: B heard nothing of the writes made
   * there before (it was down), and must hear of those after.
   */
  @Test
  void aMasterFlaggedAsFailed_thatIsBackAndTakesWrites_isTrackedAtOnce() throws Exception {
    EmbeddedRedisCluster cluster = server.cluster();
    String key = null;
    int victim = -1;
    for (int i = 0; key == null; i++) {
      int node = cluster.nodeOf("tc:c:f" + i);
      if (node != 0) { // not the first seed, which answers the topology questions
        key = "f" + i;
        victim = node;
      }
    }
    TierCache a = tracking(server.seedUris());
    TierCache b = tracking(server.seedUris());
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    ca.put(key, "v1");
    assertEquals("v1", cb.get(key, k -> "loaded"));
    int down = victim;
    cluster.kill(victim);
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      try (Resp resp = cluster.connect(0)) {
        return String.valueOf(resp.command("CLUSTER", "NODES"))
            .lines()
            .anyMatch(line -> line.contains(":" + server.cluster().ports().get(down) + "@")
                && line.contains("master,fail "));
      }
    });
    cluster.start(victim);
    String k = key;
    String redisKey = "tc:c:" + key;
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ca.put(k, "v2");
      try (Resp resp = cluster.connect(down)) {
        return String.valueOf(resp.command("GET", redisKey)).contains("v2");
      } catch (RuntimeException stillDown) {
        return false; // CLUSTERDOWN until the node has rejoined
      }
    });
    try (Resp resp = cluster.connect(0)) {
      assertTrue(
          String.valueOf(resp.command("CLUSTER", "NODES")).contains("master,fail "),
          "the write landed while the others still flag the master as failed");
    }
    await().atMost(Duration.ofSeconds(2)).until(() -> "v2".equals(cb.get(k, x -> "loaded")));
    ca.put(key, "v3");
    await().atMost(BOUND).until(() -> "v3".equals(cb.get(k, x -> "loaded")));
    closeMine();
    mine.clear();
    cluster.awaitHealthy(30);
  }

  /**
   * A master added to the cluster and given a slot (a resharding): moving the keys away from the
   * old master is pushed by it; the writes made on the new master are heard once the heartbeat's
   * {@code CLUSTER NODES} has found it and tracking is on there (with L1 cleared).
   */
  @Test
  void aMasterAddedAndGivenASlot_isTrackedWithinAHeartbeat() {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch()) {
      TierCache a = tracking(cluster.seedUris());
      TierCache b = tracking(cluster.seedUris());
      Cache<String, String> ca = a.cache("c");
      Cache<String, String> cb = b.cache("c");
      ca.put("k", "v1");
      assertEquals("v1", cb.get("k", x -> "loaded"));
      int added = cluster.addMaster();
      int slot;
      try (Resp resp = cluster.connect(0)) {
        slot = ((Long) resp.command("CLUSTER", "KEYSLOT", "tc:c:k")).intValue();
      }
      cluster.moveSlot(slot, added);
      assertEquals(added, cluster.nodeOf("tc:c:k"));
      assertEquals("v1", cb.get("k", x -> "loaded"), "the key moved with its value");
      ca.put("k", "v2"); // redirected to the new master
      long written = System.nanoTime();
      await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(cb.get("k", x -> "loaded")));
      long seenMillis = (System.nanoTime() - written) / 1_000_000;
      System.out.printf(
          "master added: B answered the new master's write after %d ms%n", seenMillis);
      assertTrue(
          seenMillis < 2_500, "the new master is tracked within about a heartbeat: " + seenMillis);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> trackingClients(cluster, added) >= 2 && b.coherenceStats().l1Answering());
      ca.put("k", "v3");
      await().atMost(BOUND).until(() -> "v3".equals(cb.get("k", x -> "loaded")));
      closeMine(); // before the cluster they talk to
      mine.clear();
    }
  }
}
