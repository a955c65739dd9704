package io.tiercache.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tiercache.Cache;
import io.tiercache.CoherenceMode;
import io.tiercache.CoherenceStats;
import io.tiercache.Keys;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

/**
 * Measures, on one machine, the invalidation lag between three instances (publish on A to
 * eviction on B and on C: p50, p99, p99.9 and max), idle or with {@code --load} threads spinning
 * beside them; the same lag measured from the put's return to B applying it, for the stream and
 * for client tracking ({@link CoherenceMode#TRACKING}); and the rate of pattern invalidation.
 * Not a JMH benchmark: the quantity is a latency distribution across threads and connections,
 * which the receiving instance already records ({@link TierCache#coherenceStats()}).
 *
 * <pre>{@code
 * java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.CoherenceLag [messages] [--load threads]
 * }</pre>
 */
public final class CoherenceLag {

  private CoherenceLag() {}

  public static void main(String[] args) throws Exception {
    int messages = 4_000;
    int load = 0;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--load") && i + 1 < args.length) {
        load = Integer.parseInt(args[++i]);
      } else {
        messages = Integer.parseInt(args[i]);
      }
    }
    if (messages < 1 || load < 0) {
      throw new IllegalArgumentException(
          "messages must be positive and --load at least 0, were " + messages + " and " + load);
    }
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch()) {
      Thread[] busy = startLoad(load);
      try {
        for (int round = 0; round < 3; round++) { // interleaved: Tiercache, then the raw floor
          lag(redis, messages, load);
          raw(redis, messages, load);
          ackToApplied(redis, CoherenceMode.STREAM, messages / 4, load);
          ackToApplied(redis, CoherenceMode.TRACKING, messages / 4, load);
        }
      } finally {
        for (Thread t : busy) {
          t.interrupt();
        }
      }
      patterns(redis, 100_000);
    }
  }

  /** {@code threads} threads that spin, competing for the CPU with the instances and Redis. */
  private static Thread[] startLoad(int threads) {
    Thread[] busy = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      busy[i] = new Thread(
          () -> {
            long x = 0;
            while (!Thread.currentThread().isInterrupted()) {
              x += System.nanoTime() % 7;
            }
            if (x == 42) {
              System.out.print("");
            }
          },
          "cpu-load-" + i);
      busy[i].setDaemon(true);
      busy[i].start();
    }
    return busy;
  }

  /**
   * A puts at a steady pace; B and C each record the lag of every message they apply (the last
   * 4,096). Three rounds; the figures are the medians of the rounds' percentiles over B and C.
   */
  private static void lag(EmbeddedRedisServer redis, int messages, int load)
      throws InterruptedException {
    try (TierCache a = tier(redis);
        TierCache b = tier(redis);
        TierCache c = tier(redis)) {
      Cache<String, String> ca = a.cache("c");
      List<TierCache> receivers = List.of(b, c);
      for (TierCache r : receivers) {
        Cache<String, String> cr = r.cache("c");
        for (int i = 0; i < 100; i++) {
          cr.get("k" + i, k -> "v"); // the receivers hold the keys A is about to change
        }
      }
      int rounds = 1;
      long[][] figures = new long[4][rounds * receivers.size()];
      for (int round = 0; round < rounds; round++) {
        long[] before =
            receivers.stream().mapToLong(r -> r.coherenceStats().received()).toArray();
        long gcBefore = gcMillis();
        for (int i = 0; i < messages; i++) {
          ca.put("k" + (i % 100), "v" + i);
          if (i % 10 == 0) {
            Thread.sleep(1); // a steady stream, not one burst
          }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (int r = 0; r < receivers.size(); r++) {
          while (receivers.get(r).coherenceStats().received() < before[r] + messages
              && System.nanoTime() < deadline) {
            Thread.sleep(5);
          }
        }
        long gc = gcMillis() - gcBefore;
        for (int r = 0; r < receivers.size(); r++) {
          CoherenceStats stats = receivers.get(r).coherenceStats();
          int at = round * receivers.size() + r;
          figures[0][at] = stats.lagP50Micros();
          figures[1][at] = stats.lagP99Micros();
          figures[2][at] = stats.lagP999Micros();
          figures[3][at] = stats.lagMaxMicros();
          System.out.printf(
              "  instance %s: %d applied, lag p50 %d us, p99 %d us, p99.9 %d us, max %d us "
                  + "(last %d samples; GC this round %d ms)%n",
              r == 0 ? "B" : "C",
              stats.received() - before[r],
              stats.lagP50Micros(),
              stats.lagP99Micros(),
              stats.lagP999Micros(),
              stats.lagMaxMicros(),
              stats.lagSamples(),
              gc);
        }
      }
      for (long[] f : figures) {
        Arrays.sort(f);
      }
      int mid = figures[0].length / 2;
      System.out.printf(
          "Tiercache: invalidation lag, 3 instances, %d busy threads, median of the receivers: "
              + "p50 %d us, p99 %d us, p99.9 %d us, max %d us%n",
          load, figures[0][mid], figures[1][mid], figures[2][mid], figures[3][mid]);
    }
  }

  /**
   * The floor under {@link #lag}: the same pace of {@code SET} + {@code XADD} by hand on one
   * connection, and two threads reading with {@code XREAD BLOCK} on their own, each recording
   * publish-to-read lag. What Tiercache adds is the difference.
   */
  private static void raw(EmbeddedRedisServer redis, int messages, int load)
      throws InterruptedException {
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> writer = client.connect()) {
      String stream = "raw:stream";
      writer.sync().del(stream);
      long[][] lags = new long[2][messages];
      Thread[] readers = new Thread[2];
      for (int r = 0; r < 2; r++) {
        int index = r;
        readers[r] = new Thread(
            () -> {
              try (StatefulRedisConnection<String, String> reader = client.connect()) {
                String last = "0-0";
                int seen = 0;
                while (seen < messages) {
                  List<StreamMessage<String, String>> batch = reader
                      .sync()
                      .xread(
                          XReadArgs.Builder.block(1_000).count(256),
                          XReadArgs.StreamOffset.from(stream, last));
                  for (StreamMessage<String, String> m : batch) {
                    last = m.getId();
                    lags[index][seen++] =
                        Math.max(0, nowMicros() - Long.parseLong(m.getBody().get("ts")));
                  }
                }
              }
            },
            "raw-reader-" + r);
        readers[r].start();
      }
      for (int i = 0; i < messages; i++) {
        writer.sync().set("raw:k" + (i % 100), "v" + i);
        writer
            .async()
            .xadd(
                stream,
                XAddArgs.Builder.maxlen(10_000).approximateTrimming(),
                "ts",
                Long.toString(nowMicros()));
        if (i % 10 == 0) {
          Thread.sleep(1);
        }
      }
      for (Thread t : readers) {
        t.join(10_000);
      }
      long[][] figures = new long[4][2];
      for (int r = 0; r < 2; r++) {
        long[] sample = lags[r];
        Arrays.sort(sample);
        int n = sample.length;
        figures[0][r] = sample[(int) Math.round(0.50 * (n - 1))];
        figures[1][r] = sample[(int) Math.round(0.99 * (n - 1))];
        figures[2][r] = sample[(int) Math.round(0.999 * (n - 1))];
        figures[3][r] = sample[n - 1];
      }
      System.out.printf(
          "raw Lettuce XADD/XREAD, 2 readers, %d busy threads, the larger of the readers: "
              + "p50 %d us, p99 %d us, p99.9 %d us, max %d us%n",
          load,
          Math.max(figures[0][0], figures[0][1]),
          Math.max(figures[1][0], figures[1][1]),
          Math.max(figures[2][0], figures[2][1]),
          Math.max(figures[3][0], figures[3][1]));
    } finally {
      client.shutdown();
    }
  }

  /**
   * The lag of {@code mode} measured the one way both modes allow (a tracking push carries no
   * timestamp): A puts one key at a time; from the moment A's put returned, the clock runs until B
   * counts the change applied ({@link CoherenceStats#received} for a stream message, {@link
   * CoherenceStats#trackingInvalidations} for a push). An announcement that arrived before the
   * put returned counts as 0.
   */
  private static void ackToApplied(
      EmbeddedRedisServer redis, CoherenceMode mode, int messages, int load)
      throws InterruptedException {
    boolean tracking = mode == CoherenceMode.TRACKING;
    try (TierCache a = tier(redis, mode);
        TierCache b = tier(redis, mode)) {
      Cache<String, String> ca = a.cache("c");
      Cache<String, String> cb = b.cache("c");
      long[] lags = new long[messages];
      int lost = 0;
      for (int i = 0; i < messages; i++) {
        String key = "k" + (i % 100);
        cb.get(key, k -> "v"); // B holds the key A is about to change
        CoherenceStats before = b.coherenceStats();
        long seen = tracking ? before.trackingInvalidations() : before.received();
        ca.put(key, "v" + i);
        long acked = System.nanoTime();
        long deadline = acked + Duration.ofSeconds(1).toNanos();
        long now;
        while (true) {
          CoherenceStats stats = b.coherenceStats();
          now = System.nanoTime();
          if ((tracking ? stats.trackingInvalidations() : stats.received()) > seen) {
            break;
          }
          if (now > deadline) {
            lost++;
            break;
          }
          Thread.onSpinWait();
        }
        lags[i] = (now - acked) / 1_000;
        if (i % 10 == 0) {
          Thread.sleep(1);
        }
      }
      Arrays.sort(lags);
      int n = lags.length;
      System.out.printf(
          "%s: put returned on A to applied on B, 2 instances, %d busy threads, %d puts: "
              + "p50 %d us, p99 %d us, p99.9 %d us, max %d us, %d not applied within 1 s%n",
          tracking ? "tracking" : "stream  ",
          load,
          n,
          lags[(int) Math.round(0.50 * (n - 1))],
          lags[(int) Math.round(0.99 * (n - 1))],
          lags[(int) Math.round(0.999 * (n - 1))],
          lags[n - 1],
          lost);
    }
  }

  private static long nowMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  /** invalidatePattern over {@code keys} keys of which a tenth match. */
  private static void patterns(EmbeddedRedisServer redis, int keys) {
    try (TierCache tier = tier(redis);
        Resp resp = redis.connect()) {
      resp.command("FLUSHALL");
      resp.command(
          "EVAL",
          "for i = 0, " + (keys - 1)
              + " do redis.call('SET', 'lag:project:' .. i .. ':info', 'x') end " + "return 1",
          "0");
      long start = System.nanoTime();
      long deleted =
          tier.invalidatePattern("project:1????:*") + tier.invalidatePattern("project:2????:*");
      double seconds = (System.nanoTime() - start) / 1e9;
      long scanned = 2L * keys;
      System.out.printf(
          "pattern invalidation: scanned %d keys, deleted %d, in %.2f s: %.0f keys scanned/s, "
              + "%.0f deleted/s%n",
          scanned, deleted, seconds, scanned / seconds, deleted / seconds);
      System.out.println(
          "(" + Keys.segment("1*") + " is how a value with a glob character appears in a pattern)");
    }
  }

  private static TierCache tier(EmbeddedRedisServer redis) {
    return tier(redis, CoherenceMode.STREAM);
  }

  private static TierCache tier(EmbeddedRedisServer redis, CoherenceMode mode) {
    return TierCache.builder()
        .redisUri(redis.uri())
        .coherence(mode)
        .keyPrefix("lag")
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofHours(1)))
        .build();
  }
}
