package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failover on a Redis Cluster of 3 masters with one replica each: two instances with L1 under a
 * load of concurrent reads and writes, and the master of a third of the keys is killed in the
 * middle of it. Its replica takes over; Tiercache must keep answering (degraded while the slots
 * have no master), use the promoted replica without a restart, and keep no stale value in any L1
 * or in Redis once the failover has settled.
 *
 * <p>Every write is recorded in a versioned history per key (as in {@link
 * CoherenceRandomizedTest}): the store is the {@code truth} map, writers bump a key's version and
 * then either {@code put} it or {@code invalidate} the key, readers load from the truth.
 */
@Tag("cluster")
@Tag("fault")
class ClusterFailoverTest {

  static final int KEYS = 300;
  static final Duration BOUND = CoherenceContract.BOUND;
  static final String PREFIX = "fo";

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance(EmbeddedRedisCluster cluster) {
    return instance(cluster, 0);
  }

  /** @param shards the invalidation streams, 0 for one per master */
  private TierCache instance(EmbeddedRedisCluster cluster, int shards) {
    return instance(cluster, shards, CoherenceMode.STREAM);
  }

  private TierCache instance(EmbeddedRedisCluster cluster, int shards, CoherenceMode mode) {
    TierCache tier = TierCache.builder()
        .redisCluster(cluster.seedUris())
        .keyPrefix(PREFIX)
        .coherence(mode)
        .coherenceShards(shards)
        .cache("v", s -> s.valueType(Long.class).ttl(Duration.ofMinutes(10)))
        .cache(
            "remote", s -> s.valueType(Long.class).ttl(Duration.ofMinutes(10)).l1(false))
        .build();
    opened.add(tier);
    return tier;
  }

  /**
   * @param variant {@code stream}: one invalidation stream per master (the default), and the
   *     master killed holds one shard's stream (and a third of the keys); {@code keys}: one
   *     stream, and the master killed holds only cache keys; {@code tracking}: as {@code stream},
   *     with {@link CoherenceMode#TRACKING}, so that the changes of the killed master's keys were
   *     pushed by it, and the promoted replica must be tracked before L1 answers them again
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"stream", "keys", "tracking"})
  void killedMaster_replicaTakesOver_callsKeepSucceeding_noStaleValueSurvives(String variant)
      throws Exception {
    boolean stream = !variant.equals("keys");
    CoherenceMode mode = variant.equals("tracking") ? CoherenceMode.TRACKING : CoherenceMode.STREAM;
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch(1)) {
      int shards = stream ? EmbeddedRedisCluster.NODES : 1;
      int streamNode = cluster.nodeOf(Coherence.layout(PREFIX, true, shards).get(0).stream());
      int victim = stream ? streamNode : (streamNode + 1) % EmbeddedRedisCluster.NODES;
      assertEquals(1, cluster.replicasOf(victim).size(), "the victim has a replica in sync");
      List<Integer> victimKeys = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        if (cluster.nodeOf(PREFIX + ":v:" + i) == victim) {
          victimKeys.add(i);
        }
      }
      assertTrue(
          victimKeys.size() > KEYS / 5,
          "the victim owns a share of the keys: " + victimKeys.size());
      String probeKey = null;
      for (int i = 0; probeKey == null; i++) {
        if (cluster.nodeOf(PREFIX + ":remote:probe-" + i)
            == victim) { // in cache "remote"'s own key space
          probeKey = "probe-" + i;
        }
      }

      TierCache a = instance(cluster, shards, mode);
      TierCache b = instance(cluster, shards, mode);
      List<Cache<Integer, Long>> caches = List.of(a.cache("v"), b.cache("v"));

      Map<Integer, Long> truth = new ConcurrentHashMap<>();
      List<NavigableMap<Long, Long>> acked = new ArrayList<>();
      Object[] locks = new Object[KEYS];
      for (int i = 0; i < KEYS; i++) {
        truth.put(i, 0L);
        NavigableMap<Long, Long> history = new ConcurrentSkipListMap<>();
        history.put(0L, 0L);
        acked.add(history);
        locks[i] = new Object();
      }
      AtomicLong reads = new AtomicLong();
      AtomicLong writes = new AtomicLong();
      List<Throwable> thrown = new CopyOnWriteArrayList<>();
      List<Long> staleReadTimes =
          new CopyOnWriteArrayList<>(); // nanoTime at which a stale read started
      long[] checkFrom = {Long.MAX_VALUE}; // reads from then on are checked strictly
      AtomicBoolean stop = new AtomicBoolean();
      List<String> violations = new CopyOnWriteArrayList<>();

      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        Cache<Integer, Long> cache = caches.get(t % 2);
        boolean writer = t < 4;
        tasks.add(pool.submit(() -> {
          Random random = new Random(thread);
          while (!stop.get()) {
            int key = random.nextInt(KEYS);
            try {
              if (writer) {
                synchronized (locks[key]) {
                  long version = truth.merge(key, 1L, Long::sum);
                  if (random.nextBoolean()) {
                    cache.put(key, version);
                  } else {
                    cache.invalidate(key); // the store already changed: cache-aside
                  }
                  acked.get(key).put(System.nanoTime(), version);
                }
                writes.incrementAndGet();
              } else {
                long start = System.nanoTime();
                long value = cache.get(key, truth::get);
                Map.Entry<Long, Long> due = acked.get(key).floorEntry(start - BOUND.toNanos());
                if (due != null && value < due.getValue()) {
                  staleReadTimes.add(start);
                  synchronized (checkFrom) {
                    if (start >= checkFrom[0]) {
                      violations.add("key " + key + " read " + value + " but " + due.getValue()
                          + " was acknowledged " + (start - due.getKey()) / 1_000_000
                          + " ms before the read");
                    }
                  }
                }
                reads.incrementAndGet();
              }
            } catch (Throwable e) {
              thrown.add(e);
            }
            sleep(1);
          }
        }));
      }

      sleep(1_500); // load on a healthy cluster
      long writesBefore = writes.get();
      long killedAt = System.nanoTime();
      cluster.kill(victim);

      // The caller's view: a value put through A to one of the victim's slots is read back from
      // Redis by B (no L1 on this cache), so both instances reach the slot's new master.
      Cache<String, Long> probeA = a.cache("remote");
      Cache<String, Long> probeB = b.cache("remote");
      long promotedMillis = -1;
      long recoveredMillis = -1;
      int promoted = -1;
      long round = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
      while (recoveredMillis < 0 && System.nanoTime() < deadline) {
        if (promoted < 0) {
          try {
            promoted = cluster.awaitFailover(victim, 0);
            promotedMillis = millisSince(killedAt);
          } catch (IllegalStateException notYet) {
            // still no master for the victim's slots
          }
        }
        round++;
        probeA.put(probeKey, round);
        long seen = probeB.get(probeKey, k -> -1L);
        if (seen == round && a.isRedisAvailable() && b.isRedisAvailable()) {
          recoveredMillis = millisSince(killedAt);
        } else {
          sleep(20);
        }
      }
      assertTrue(recoveredMillis >= 0, "Tiercache uses the promoted replica within 25 s");
      if (promoted < 0) {
        promoted = cluster.awaitFailover(victim, 10);
        promotedMillis = millisSince(killedAt);
      }
      assertNotEquals(victim, promoted);
      try (Resp resp = cluster.connect(promoted)) {
        assertTrue(
            ((String) resp.command("GET", PREFIX + ":remote:" + probeKey))
                .contains(Long.toString(round)),
            "the value written after recovery is on the promoted replica");
      }
      synchronized (checkFrom) {
        checkFrom[0] = System.nanoTime() + BOUND.toNanos();
      }

      sleep(2_000); // load on the recovered cluster
      stop.set(true);
      for (Future<?> task : tasks) {
        task.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      long writesAfterKill = writes.get() - writesBefore;

      // Settle: no failed delete or message left, then a marker each way through the stream, so
      // that each instance has applied every message the other published before it.
      await(
          Duration.ofSeconds(10),
          () -> a.isRedisAvailable()
              && b.isRedisAvailable()
              && a.snapshot().redis().pendingDeletes() == 0
              && b.snapshot().redis().pendingDeletes() == 0
              && a.coherenceStats().pendingPublishes() == 0
              && b.coherenceStats().pendingPublishes() == 0,
          "pending deletes and messages are sent");
      marker(caches.get(0), caches.get(1), KEYS);
      marker(caches.get(1), caches.get(0), KEYS + 1);

      // No stale value survives: in either L1, or in Redis (read by an instance with an empty L1).
      TierCache fresh = instance(cluster, shards, mode);
      Cache<Integer, Long> fromRedis = fresh.cache("v");
      List<String> stale = new ArrayList<>();
      for (int key = 0; key < KEYS; key++) {
        long expected = truth.get(key);
        long inA = caches.get(0).get(key, truth::get);
        long inB = caches.get(1).get(key, truth::get);
        long inRedis = fromRedis.get(key, truth::get);
        if (inA != expected || inB != expected || inRedis != expected) {
          stale.add("key " + key + (victimKeys.contains(key) ? " (victim's)" : "") + ": truth "
              + expected + ", A " + inA + ", B " + inB + ", Redis " + inRedis);
        }
      }

      // Operations over every master work after the failover: the failed master is left out.
      assertTrue(
          fresh.snapshot().redis().keysUnderPrefix() > 0, "SCAN over the masters counts the keys");
      assertEquals(
          1, fresh.invalidatePattern("probe-*"), "pattern invalidation scans every serving master");
      assertEquals(-1L, probeB.get(probeKey, k -> -1L), "the key on the promoted master is gone");

      long degraded = 0;
      for (TierCache tier : List.of(a, b)) {
        degraded += tier.stats().get("v").degradedCalls();
      }
      long lastStale = staleReadTimes.stream().mapToLong(Long::longValue).max().orElse(killedAt);
      System.out.printf(
          "cluster failover (%s): replica promoted %d ms after the kill, Tiercache read and wrote the "
              + "slots again after %d ms; %d reads, %d writes (%d after the kill), %d degraded calls, %d exceptions; "
              + "%d reads older than an acknowledged write (last one started %d ms after the kill); breaker trips A %d "
              + "B %d; gap flushes A %d B %d%n",
          variant,
          promotedMillis,
          recoveredMillis,
          reads.get(),
          writes.get(),
          writesAfterKill,
          degraded,
          thrown.size(),
          staleReadTimes.size(),
          (lastStale - killedAt) / 1_000_000,
          a.snapshot().redis().breakerTrips(),
          b.snapshot().redis().breakerTrips(),
          a.coherenceStats().gapFlushes(),
          b.coherenceStats().gapFlushes());

      assertEquals(
          List.of(), thrown.subList(0, Math.min(5, thrown.size())), thrown.size() + " calls threw");
      assertTrue(
          reads.get() > 1_000 && writesAfterKill > 500,
          "reads " + reads + ", writes after the kill " + writesAfterKill);
      assertTrue(
          degraded > 0, "calls to the victim's slots were degraded while they had no master");
      assertEquals(
          List.of(),
          stale.subList(0, Math.min(10, stale.size())),
          stale.size() + " keys hold stale values");
      assertEquals(
          List.of(),
          violations.subList(0, Math.min(10, violations.size())),
          violations.size() + " reads after recovery lagged acknowledged writes by more than "
              + BOUND);
    }
  }

  /**
   * While a master is down and no replica takes over, the cluster answers {@code CLUSTERDOWN} to
   * every key command, on every node. A write then fails with that error reply, not a timeout; the
   * key must still be deleted and the other instances told once the cluster is back, or the old
   * value would survive in Redis and in the other instance's L1.
   */
  @Test
  void writeRefusedWithClusterDown_isReplayedWhenTheClusterIsBack() {
    try (EmbeddedRedisCluster cluster =
        EmbeddedRedisCluster.launch(List.of("cluster-node-timeout 1000"))) {
      int streamNode = cluster.nodeOf(Coherence.layout(PREFIX, true, 1).get(0).stream());
      int victim = (streamNode + 1) % EmbeddedRedisCluster.NODES;
      int key = 0;
      while (cluster.nodeOf(PREFIX + ":v:" + key) == victim) {
        key++;
      }
      int k = key;
      TierCache a = instance(cluster, 1);
      TierCache b = instance(cluster, 1);
      Cache<Integer, Long> onA = a.cache("v");
      Cache<Integer, Long> onB = b.cache("v");
      onA.put(k, 1L);
      assertEquals(1L, onB.get(k, x -> -1L), "B caches the first value");

      cluster.kill(victim);
      await(
          Duration.ofSeconds(15),
          () -> {
            try (Resp resp = cluster.connect(streamNode)) {
              return ((String) resp.command("CLUSTER", "INFO")).contains("cluster_state:fail");
            }
          },
          "the cluster declares itself down");
      await(
          Duration.ofSeconds(10),
          () -> a.isRedisAvailable() && onA.get(k, x -> -1L) == 1L,
          "A's breaker is closed");
      long degraded = a.stats().get("v").degradedCalls();
      onA.put(k, 2L); // the store now says 2; Redis refuses the write
      assertEquals(
          degraded + 1, a.stats().get("v").degradedCalls(), "the refused write is a degraded call");
      assertEquals(2L, onA.get(k, x -> -1L));

      cluster.restart(victim);
      await(
          Duration.ofSeconds(15),
          () -> onB.get(k, x -> 2L) == 2L,
          "B drops the old value once the cluster is back");
      TierCache fresh = instance(cluster);
      assertEquals(
          2L, fresh.<Integer, Long>cache("v").get(k, x -> 2L), "Redis does not keep the old value");
    }
  }

  /**
   * Writes a new value of {@code key} through {@code writer} after {@code reader} cached the old
   * one, and waits until {@code reader} sees it: every message published before has been applied.
   */
  private static void marker(Cache<Integer, Long> writer, Cache<Integer, Long> reader, int key) {
    long old = System.nanoTime();
    await(
        Duration.ofSeconds(10),
        () -> {
          writer.put(key, old);
          return reader.get(key, k -> -1L) == old;
        },
        "the first marker reaches the reader");
    long now = old + 1;
    await(
        Duration.ofSeconds(10),
        () -> {
          writer.put(key, now);
          return reader.get(key, k -> -1L) == now;
        },
        "the marker's invalidation reaches the reader");
  }

  private static void await(Duration atMost, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + atMost + ": " + what);
      }
      sleep(20);
    }
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
