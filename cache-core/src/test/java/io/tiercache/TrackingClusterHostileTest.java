package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hostile checks of {@link CoherenceMode#TRACKING} on a Redis Cluster: writers and readers on
 * three instances while the cluster is disturbed (a master killed and promoted, a master restarted
 * without a replica, slots moved between existing masters, tracking connections killed, a replica
 * restarted, {@code FLUSHALL} on one master, a frozen master). Every read is checked against the
 * history of acknowledged writes: no read may return a version older than the last one
 * acknowledged more than {@link #BOUND} before the read started, except reads that start inside
 * an outage (from its start until {@link #GRACE_MILLIS} after the cluster is whole again). After
 * the load, every instance must answer at least the last acknowledged version of every key.
 *
 * <p>One case runs in every build: a master without replica restarted empty under load, whose
 * replayed deletes change nothing in Redis and so were pushed to nobody (fixed: they go on the
 * stream). The others, about 25 s each, are tagged {@code soak}, which the build skips by
 * default: run them with {@code mvn verify -Dtiercache.excludedGroups=}.
 */
@Tag("cluster")
class TrackingClusterHostileTest {

  static final Duration BOUND = CoherenceContract.BOUND;
  static final String PREFIX = "hx";
  static final int KEYS = 200;
  /** After an outage ends: one heartbeat to find a new master, plus the bound. */
  static final long GRACE_MILLIS = 2_000;

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    closeTiers();
  }

  private void closeTiers() {
    opened.forEach(TierCache::close);
    opened.clear();
  }

  private TierCache instance(EmbeddedRedisCluster cluster, Duration strict) {
    TierCacheBuilder b = TierCache.builder()
        .redisCluster(cluster.seedUris())
        .keyPrefix(PREFIX)
        .coherence(CoherenceMode.TRACKING)
        .commandTimeout(Duration.ofMillis(500))
        .probeInterval(Duration.ofMillis(100))
        .cache(
            "v", s -> s.valueType(Long.class).ttl(Duration.ofMinutes(10)).writeLoadedAsync(true));
    if (strict != null) {
      b.strictCoherence(strict);
    }
    TierCache tier = b.build();
    opened.add(tier);
    return tier;
  }

  static String redisKey(int key) {
    return PREFIX + ":v:" + key;
  }

  /** Keys whose master is {@code node}, the hot end (low numbers) first. */
  static List<Integer> keysOn(EmbeddedRedisCluster cluster, int node) {
    List<Integer> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      if (cluster.nodeOf(redisKey(i)) == node) {
        keys.add(i);
      }
    }
    return keys;
  }

  static int slotOf(EmbeddedRedisCluster cluster, String key) {
    try (Resp resp = cluster.connect(cluster.masters().get(0))) {
      return ((Long) resp.command("CLUSTER", "KEYSLOT", key)).intValue();
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The randomized load: one writer and two readers per instance, hot keys at the low end. */
  final class Load implements AutoCloseable {
    final List<Cache<Integer, Long>> caches = new ArrayList<>();
    final Map<Integer, Long> truth = new ConcurrentHashMap<>();
    final List<NavigableMap<Long, Long>> acked = new ArrayList<>();
    final Object[] locks = new Object[KEYS];
    /** Violations found online: {read start nanos, text}. */
    final List<Object[]> violations = new CopyOnWriteArrayList<>();
    /** Outages: {start, end} nanos; reads starting in [start, end + grace] are not checked. */
    final List<long[]> outages = new CopyOnWriteArrayList<>();

    final Map<Integer, String> lastOp = new ConcurrentHashMap<>();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong failedWrites = new AtomicLong();
    final AtomicLong failedReads = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    final ExecutorService pool = Executors.newFixedThreadPool(10);
    final List<Future<?>> tasks = new ArrayList<>();
    final List<Integer> hot;
    final List<TierCache> tiers;
    /** Transitions of l1Answering, per instance, as text. */
    final List<String> transitions = new CopyOnWriteArrayList<>();

    long begin;
    EmbeddedRedisCluster cluster;

    /** @param hot keys written and read half of the time (the rest: any key) */
    Load(List<TierCache> tiers, List<Integer> hot) {
      this.hot = hot;
      this.tiers = tiers;
      for (int i = 0; i < KEYS; i++) {
        truth.put(i, 0L);
        NavigableMap<Long, Long> history = new ConcurrentSkipListMap<>();
        history.put(0L, 0L);
        acked.add(history);
        locks[i] = new Object();
      }
      for (TierCache t : tiers) {
        caches.add(t.cache("v"));
      }
    }

    int pick(Random random) {
      if (!hot.isEmpty() && random.nextBoolean()) {
        return hot.get(Math.min(hot.size() - 1, (int) (Math.abs(random.nextGaussian()) * 5)));
      }
      return (int) Math.min(KEYS - 1, Math.abs(random.nextGaussian()) * KEYS / 6);
    }

    void start() {
      begin = System.nanoTime();
      pool.submit(() -> {
        boolean[] last = new boolean[tiers.size()];
        java.util.Arrays.fill(last, true);
        while (!stop.get()) {
          for (int i = 0; i < tiers.size(); i++) {
            boolean now = tiers.get(i).coherenceStats().l1Answering();
            if (now != last[i]) {
              transitions.add("+" + (System.nanoTime() - begin) / 1_000_000 + " ms instance " + i
                  + " l1Answering=" + now);
              last[i] = now;
            }
          }
          sleep(5);
        }
      });
      for (int t = 0; t < 9; t++) {
        int thread = t;
        int instance = t % caches.size();
        Cache<Integer, Long> cache = caches.get(instance);
        tasks.add(pool.submit(() -> {
          Random random = new Random(thread * 31L + System.nanoTime());
          while (!stop.get()) {
            int key = pick(random);
            if (thread < 3) {
              synchronized (locks[key]) {
                long version = truth.merge(key, 1L, Long::sum);
                try {
                  String op;
                  long sent = System.nanoTime();
                  if (random.nextBoolean()) {
                    cache.put(key, version);
                    op = "put";
                  } else {
                    cache.invalidate(key); // the store changed already: cache-aside
                    op = "invalidate";
                  }
                  long ackAt = System.nanoTime();
                  acked.get(key).put(ackAt, version);
                  lastOp.put(
                      key,
                      op + " " + version + " by instance " + instance + " from +"
                          + (sent - begin) / 1_000_000 + " to +" + (ackAt - begin) / 1_000_000
                          + " ms");
                  writes.incrementAndGet();
                } catch (RuntimeException e) {
                  failedWrites.incrementAndGet();
                }
              }
              sleep(random.nextInt(4));
            } else {
              long start = System.nanoTime();
              long value;
              try {
                value = cache.get(key, truth::get);
              } catch (RuntimeException e) {
                failedReads.incrementAndGet();
                continue;
              }
              Map.Entry<Long, Long> due = acked.get(key).floorEntry(start - BOUND.toNanos());
              if (due != null && value < due.getValue()) {
                Map.Entry<Long, Long> read = acked.get(key).floorEntry(start);
                violations.add(new Object[] {
                  start,
                  "instance " + instance + " key " + key + " (" + redisKey(key) + ") read "
                      + value + " but " + due.getValue() + " was acknowledged "
                      + (start - due.getKey()) / 1_000_000 + " ms before the read (latest "
                      + (read == null ? "-" : read.getValue()) + ")"
                });
              }
              reads.incrementAndGet();
            }
          }
        }));
      }
    }

    /** Runs {@code disturbance} and records it as an outage. */
    void outage(Runnable disturbance) {
      long from = System.nanoTime();
      try {
        disturbance.run();
      } finally {
        outages.add(new long[] {from, System.nanoTime()});
      }
    }

    /** Stops the load, waits for the tasks and checks the reads against the history. */
    void stopAndCheck(String what, long begin) throws Exception {
      stop.set(true);
      try {
        for (Future<?> task : tasks) {
          task.get(30, TimeUnit.SECONDS);
        }
      } catch (java.util.concurrent.TimeoutException e) {
        Thread.getAllStackTraces().forEach((thread, stack) -> {
          if (thread.getName().startsWith("pool-") || thread.getName().contains("tiercache")) {
            StringBuilder dump =
                new StringBuilder("STUCK? " + thread.getName() + " " + thread.getState());
            for (StackTraceElement frame : stack) {
              dump.append("\n    at ").append(frame);
            }
            System.out.println(dump);
          }
        });
        throw new AssertionError(what + ": a cache call did not return within 30 s", e);
      }
      pool.shutdown();
      StringBuilder o = new StringBuilder();
      for (long[] out : outages) {
        o.append(" [+")
            .append((out[0] - begin) / 1_000_000)
            .append(", +")
            .append((out[1] - begin) / 1_000_000)
            .append("]");
      }
      System.out.println(what + ": outages (ms)" + o);
      System.out.println(what + ": l1Answering transitions " + transitions);
      List<String> found = new ArrayList<>();
      int exempt = 0;
      for (Object[] v : violations) {
        long at = (Long) v[0];
        boolean inOutage = false;
        for (long[] w : outages) {
          if (at >= w[0] && at <= w[1] + GRACE_MILLIS * 1_000_000) {
            inOutage = true;
          }
        }
        if (inOutage) {
          exempt++;
        } else {
          found.add(v[1] + " at +" + (at - begin) / 1_000_000 + " ms");
        }
      }
      Map<String, long[]> spans = new java.util.TreeMap<>();
      for (Object[] v : violations) {
        long at = ((Long) v[0] - begin) / 1_000_000;
        String text = (String) v[1];
        String id = text.substring(0, text.indexOf(" key")) + " node "
            + (cluster == null
                ? "?"
                : cluster.nodeOf(redisKey(
                    Integer.parseInt(text.replaceAll("^instance \\d+ key (\\d+) .*$", "$1")))));
        spans.merge(id, new long[] {at, at, 1}, (x, y) ->
            new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1]), x[2] + y[2]});
      }
      spans.forEach((id, sp) -> System.out.println(what + ": stale reads " + id + ": " + sp[2]
          + " from +" + sp[0] + " to +" + sp[1] + " ms"));
      long l1Hits = 0;
      for (Cache<Integer, Long> c : caches) {
        l1Hits += c.stats().l1Hits();
      }
      System.out.printf(
          "%s: reads %d (l1 hits %d, failed %d), writes %d (failed %d), stale reads in outages %d,"
              + " outside %d%n",
          what,
          reads.get(),
          l1Hits,
          failedReads.get(),
          writes.get(),
          failedWrites.get(),
          exempt,
          found.size());
      assertTrue(reads.get() > 2_000 && writes.get() > 300, "reads " + reads + " writes " + writes);
      assertTrue(l1Hits > 500, "L1 was exercised: " + l1Hits);
      onlineFailure = found.isEmpty()
          ? null
          : what + ": " + found.size() + " stale reads outside outages: "
              + found.subList(0, Math.min(found.size(), 15));
    }

    String onlineFailure;

    /** After the load: every instance answers at least the last acknowledged version. */
    void finalSweep(String what) {
      sleep(BOUND.toMillis() + 200);
      List<String> stale = new ArrayList<>();
      for (int attempt = 0; ; attempt++) {
        stale.clear();
        for (int i = 0; i < caches.size(); i++) {
          for (int key = 0; key < KEYS; key++) {
            long last = acked.get(key).lastEntry().getValue();
            long value;
            try {
              value = caches.get(i).get(key, truth::get);
            } catch (RuntimeException e) {
              stale.add("instance " + i + " key " + key + ": " + e);
              continue;
            }
            if (value < last) {
              stale.add("instance " + i + " key " + key + " reads " + value + " < " + last
                  + " (last write " + lastOp.get(key) + ", redis " + rawValue(key) + ")");
            }
          }
        }
        if (stale.isEmpty() || attempt >= 1) {
          break;
        }
        // a second look only to tell a lasting stale value from a slow one
        System.out.println(
            what + ": first sweep stale " + stale.subList(0, Math.min(10, stale.size())));
        sleep(2_000);
      }
      if (!stale.isEmpty()) {
        System.out.println(
            what + ": final sweep stale " + stale.subList(0, Math.min(stale.size(), 15)));
      }
      assertEquals(null, onlineFailure);
      assertEquals(
          List.of(),
          stale.subList(0, Math.min(stale.size(), 15)),
          what + ": stale values survive the recovery (" + stale.size() + ")");
    }

    String rawValue(int key) {
      if (cluster == null) {
        return "?";
      }
      try (Resp resp = cluster.connect(cluster.nodeOf(redisKey(key)))) {
        Object v = resp.command("GET", redisKey(key));
        return v == null
            ? "nil"
            : "present(" + String.valueOf(v).length() + " chars: "
                + String.valueOf(v).replaceAll("[^\\x20-\\x7e]", ".") + ")";
      } catch (RuntimeException e) {
        return e.toString();
      }
    }

    @Override
    public void close() {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  private List<TierCache> three(EmbeddedRedisCluster cluster, Duration strict) {
    List<TierCache> tiers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      tiers.add(instance(cluster, strict));
    }
    return tiers;
  }

  /**
   * A master with a replica is killed under load and the replica promoted; the old master comes
   * back (as a replica) and is made master again with {@code CLUSTER FAILOVER} (no reconnect).
   */
  @Test
  @Tag("soak")
  void killAndPromote_thenFailBackManually_noStaleValue() throws Exception {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch(1)) {
      try {
        int victim = cluster.nodeOf(redisKey(0));
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, keysOn(cluster, victim))) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(2_000);
          int[] promoted = new int[1];
          load.outage(() -> {
            cluster.kill(victim);
            promoted[0] = cluster.awaitFailover(victim, 20);
          });
          sleep(3_000);
          load.outage(() -> cluster.restart(victim)); // rejoins as a replica
          sleep(2_500);
          // fail back: the old master, whose connection tracked before it was killed
          long from = System.nanoTime();
          try (Resp resp = cluster.connect(victim)) {
            assertEquals("OK", resp.command("CLUSTER", "FAILOVER"));
          }
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (cluster.nodeOf(redisKey(0)) != victim && System.nanoTime() < deadline) {
            sleep(20);
          }
          load.outages.add(new long[] {from, System.nanoTime()});
          assertEquals(victim, cluster.nodeOf(redisKey(0)), "failed back");
          sleep(3_500);
          load.stopAndCheck("kill+promote+failback", t0);
          load.finalSweep("kill+promote+failback");
        }
      } finally {
        closeTiers();
      }
    }
  }

  /** A master without a replica is killed and restarted (empty) under load, twice. */
  @Test
  @Tag("soak")
  void masterWithoutReplicaRestartedEmpty_noStaleValue() throws Exception {
    try (EmbeddedRedisCluster cluster =
        EmbeddedRedisCluster.launch(List.of("cluster-node-timeout 1000"))) {
      try {
        int victim = cluster.nodeOf(redisKey(0));
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, keysOn(cluster, victim))) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(2_000);
          load.outage(() -> {
            cluster.kill(victim);
            sleep(1_500);
            cluster.restart(victim);
          });
          sleep(3_000);
          load.outage(() -> {
            cluster.kill(victim);
            sleep(300); // back before the others flag it as failed
            cluster.restart(victim);
          });
          sleep(3_500);
          load.stopAndCheck("restart without replica", t0);
          load.finalSweep("restart without replica");
        }
      } finally {
        closeTiers();
      }
    }
  }

  /**
   * One outage of a master without a replica (the cluster refuses every key with CLUSTERDOWN for
   * about two seconds, writes are degraded and their deletes remembered), then 8 s of load on a
   * whole cluster: the reads after the grace are checked, and nothing may stay stale.
   */
  @Test
  void masterWithoutReplicaRestartedOnce_thenQuiet_noStaleValue() throws Exception {
    try (EmbeddedRedisCluster cluster =
        EmbeddedRedisCluster.launch(List.of("cluster-node-timeout 1000"))) {
      try {
        int victim = cluster.nodeOf(redisKey(0));
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, keysOn(cluster, victim))) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(2_000);
          load.outage(() -> {
            cluster.kill(victim);
            sleep(2_500);
            cluster.restart(victim);
          });
          for (int i = 0; i < 4; i++) {
            sleep(2_000);
            StringBuilder facts = new StringBuilder();
            for (TierCache t : tiers) {
              StatsSnapshot.RedisFacts f = t.snapshot().redis();
              facts
                  .append(" [available ")
                  .append(f.available())
                  .append(", trips ")
                  .append(f.breakerTrips())
                  .append(", pending ")
                  .append(f.pendingDeletes())
                  .append(", l1Answering ")
                  .append(t.coherenceStats().l1Answering())
                  .append("]");
            }
            System.out.println("+" + (System.nanoTime() - t0) / 1_000_000 + " ms:" + facts);
          }
          load.stopAndCheck("restart once", t0);
          load.finalSweep("restart once");
        }
      } finally {
        closeTiers();
      }
    }
  }

  /**
   * The slots of the hottest keys move back and forth between masters that serve slots already,
   * under concurrent writes: no master is new, so nothing is cleared; the pushes of the keys
   * leaving and arriving must do. Checked strictly (no outage).
   */
  @Test
  @Tag("soak")
  void slotsMovedBetweenExistingMasters_underWrites_noStaleValue() throws Exception {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch()) {
      try {
        int home = cluster.nodeOf(redisKey(0));
        List<Integer> hot = keysOn(cluster, home);
        List<Integer> slots = new ArrayList<>();
        for (int k : hot.subList(0, 8)) {
          int s = slotOf(cluster, redisKey(k));
          if (!slots.contains(s)) {
            slots.add(s);
          }
        }
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, hot)) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(1_500);
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
          int round = 0;
          while (System.nanoTime() < end) {
            int to = cluster.masters().get(round % cluster.masters().size());
            for (int s : slots) {
              try {
                cluster.moveSlot(s, to);
              } catch (IllegalArgumentException alreadyThere) {
                // served by {@code to} already
              }
            }
            round++;
            sleep(400);
          }
          System.out.println("slot moves: " + round + " rounds of " + slots.size() + " slots");
          sleep(1_500);
          load.stopAndCheck("slot moves", t0);
          load.finalSweep("slot moves");
        }
      } finally {
        closeTiers();
      }
    }
  }

  /**
   * One tracking connection at a time is killed ({@code CLIENT KILL ID}) on a random master while
   * the other instances keep writing there: the instance must not answer what it missed for
   * longer than the bound (the server is up: checked strictly).
   */
  @Test
  @Tag("soak")
  void trackingConnectionsKilled_oneAtATime_noReadStaleBeyondTheBound() throws Exception {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch()) {
      try {
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, List.of())) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(1_500);
          Random random = new Random(7);
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
          int kills = 0;
          while (System.nanoTime() < end) {
            int master = cluster.masters().get(random.nextInt(cluster.masters().size()));
            try (Resp resp = cluster.connect(master)) {
              List<String> ids = new ArrayList<>();
              for (String line : String.valueOf(resp.command("CLIENT", "LIST")).split("\r?\n")) {
                if (line.matches(".* flags=\\S*B\\S* .*")) {
                  ids.add(line.replaceAll("^id=(\\d+) .*$", "$1"));
                }
              }
              if (!ids.isEmpty()) {
                resp.command("CLIENT", "KILL", "ID", ids.get(random.nextInt(ids.size())));
                kills++;
              }
            }
            sleep(150 + random.nextInt(300));
          }
          System.out.println("tracking connections killed: " + kills);
          sleep(1_500);
          load.stopAndCheck("client kill id", t0);
          load.finalSweep("client kill id");
        }
      } finally {
        closeTiers();
      }
    }
  }

  /** {@code CLIENT KILL TYPE normal} on every master in turn: all connections at once. */
  @Test
  @Tag("soak")
  void allNormalConnectionsKilled_onEachMaster_noReadStaleBeyondTheBound() throws Exception {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch()) {
      try {
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, List.of())) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(1_500);
          long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
          int round = 0;
          while (System.nanoTime() < end) {
            int master = cluster.masters().get(round++ % cluster.masters().size());
            try (Resp resp = cluster.connect(master)) {
              resp.command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            }
            sleep(500);
          }
          sleep(1_500);
          load.stopAndCheck("client kill type normal", t0);
          load.finalSweep("client kill type normal");
        }
      } finally {
        closeTiers();
      }
    }
  }

  /**
   * A replica is restarted, and {@code FLUSHALL} is run on one master only (a flush push), under
   * load: the server is up throughout, checked strictly except for the flush itself.
   */
  @Test
  @Tag("soak")
  void replicaRestarted_andFlushallOnOneMaster_noReadStaleBeyondTheBound() throws Exception {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch(1)) {
      try {
        int master = cluster.nodeOf(redisKey(0));
        int replica = cluster.replicasOf(master).get(0);
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, keysOn(cluster, master))) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(1_500);
          cluster.kill(replica);
          sleep(1_500);
          cluster.restart(replica);
          sleep(1_500);
          for (int i = 0; i < 3; i++) {
            long from = System.nanoTime();
            try (Resp resp = cluster.connect(master)) {
              resp.command("FLUSHALL");
            }
            // values acknowledged before the flush are gone from Redis: a reader that loads
            // afterwards gets the truth, which is never older; nothing is exempt
            System.out.println("FLUSHALL took " + (System.nanoTime() - from) / 1_000_000 + " ms");
            sleep(1_500);
          }
          load.stopAndCheck("replica restart + flushall", t0);
          load.finalSweep("replica restart + flushall");
        }
      } finally {
        closeTiers();
      }
    }
  }

  /** A master frozen twice for 2 s under writes: only lasting staleness is checked. */
  @Test
  @Tag("soak")
  void frozenMasterUnderWrites_noStaleValueSurvives() throws Exception {
    try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch()) {
      try {
        int victim = cluster.nodeOf(redisKey(0));
        List<TierCache> tiers = three(cluster, null);
        try (Load load = new Load(tiers, keysOn(cluster, victim))) {
          load.cluster = cluster;
          long t0 = System.nanoTime();
          load.start();
          sleep(2_000);
          for (int i = 0; i < 2; i++) {
            load.outage(() -> {
              try (Resp resp = cluster.connect(victim)) {
                resp.command("DEBUG", "SLEEP", "2");
              }
            });
            sleep(3_000);
          }
          sleep(1_000);
          load.stopAndCheck("frozen master", t0);
          load.finalSweep("frozen master");
        }
      } finally {
        closeTiers();
      }
    }
  }
}
