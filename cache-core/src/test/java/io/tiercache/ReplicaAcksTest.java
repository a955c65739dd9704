package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** replicaAcks: a write is reported done once a replica has it, without holding up other calls. */
class ReplicaAcksTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static EmbeddedRedisServer replica;
  private final List<TierCache> opened = new ArrayList<>();

  @BeforeAll
  static void startReplica() {
    replica = EmbeddedRedisServer.launch(List.of("replicaof 127.0.0.1 " + redis.port()));
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try (Resp resp = replica.connect()) {
        return String.valueOf(resp.command("INFO", "replication"))
            .contains("master_link_status:up");
      }
    });
  }

  @AfterAll
  static void stopReplica() {
    replica.close();
  }

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private Cache<String, String> cache(Duration ackTimeout) {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("ra")
        .commandTimeout(Duration.ofMillis(100))
        .coherence(CoherenceMode.NONE)
        .cache("c", s -> s.valueType(String.class).l1(false).replicaAcks(1, ackTimeout))
        .build();
    opened.add(tier);
    return tier.cache("c");
  }

  private static String onReplica(String key) {
    try (Resp resp = replica.connect()) {
      Object value = resp.commandBytes(
          "GET".getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8));
      return value == null ? null : new String((byte[]) value, StandardCharsets.UTF_8);
    }
  }

  @Test
  void aPutReturns_onceTheReplicaHasIt() {
    Cache<String, String> cache = cache(Duration.ofSeconds(2));
    for (int i = 0; i < 50; i++) {
      cache.put("k" + i, "v" + i);
      String stored = onReplica("ra:c:k" + i);
      assertTrue(
          stored != null && stored.contains("v" + i),
          "the replica lacks k" + i + " after put returned");
    }
    cache.invalidate("k0");
    assertEquals(null, onReplica("ra:c:k0"), "an invalidation waits for the replica too");
    assertEquals(0, cache.stats().degradedCalls());
  }

  @Test
  void aReplicaThatDoesNotAnswer_costsTheWriteItsTimeout_andNoOtherCallWaits() throws Exception {
    Cache<String, String> cache = cache(Duration.ofMillis(600));
    cache.put("ready", "x");
    Thread sleeper = new Thread(() -> {
      try (Resp resp = replica.connect()) {
        resp.command("DEBUG", "SLEEP", "1");
      }
    });
    sleeper.start();
    Thread.sleep(100);
    CompletableFuture<Void> put = CompletableFuture.runAsync(() -> cache.put("slow", "y"));
    Thread.sleep(100); // the put now waits for the frozen replica
    // on the shared connection, with a 100 ms command timeout: it would time out behind a WAIT
    assertEquals("x", cache.get("ready", k -> "loaded"), "a read waited for the replicas");
    put.get();
    assertEquals(1, cache.stats().degradedCalls(), "the unacknowledged write is counted");
    sleeper.join();
  }

  @Test
  void replicaAcks_badArguments_areRefused() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> CacheSpec.builder().replicaAcks(17, Duration.ofSeconds(1)));
    assertEquals("replicaAcks replicas must be between 0 and 16, was 17", e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> CacheSpec.builder().replicaAcks(1, Duration.ofMinutes(2)));
    assertEquals("replicaAcks timeout must be at most 1 minute, was PT2M", e.getMessage());
  }

  /**
   * On a cluster too, a write whose master's replica does not answer is not reported acknowledged:
   * {@code WAIT} must run on the connection that made the write, or it counts another client's
   * writes (none) and returns at once.
   */
  @Test
  @Tag("cluster")
  void onACluster_aFrozenReplica_leavesTheWriteUnacknowledged() throws Exception {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch(1)) {
      TierCache tier = TierCache.builder()
          .redisCluster(cluster.seedUris())
          .keyPrefix("ra")
          .coherence(CoherenceMode.NONE)
          .cache(
              "c", s -> s.valueType(String.class).l1(false).replicaAcks(1, Duration.ofMillis(600)))
          .build();
      opened.add(tier);
      Cache<String, String> cache = tier.cache("c");
      cache.put("k", "v1");
      assertEquals(0, cache.stats().degradedCalls(), "a replica in sync acknowledges");
      int replica = cluster.replicasOf(cluster.nodeOf("ra:c:k")).get(0);
      Thread sleeper = new Thread(() -> {
        try (Resp resp = cluster.connect(replica)) {
          resp.command("DEBUG", "SLEEP", "1");
        }
      });
      sleeper.start();
      Thread.sleep(100);
      cache.put("k", "v2");
      assertEquals(1, cache.stats().degradedCalls(), "the frozen replica did not acknowledge");
      sleeper.join();
      tier.close();
      opened.remove(tier);
    }
  }
}
