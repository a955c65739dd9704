package io.tiercache.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.tiercache.Cache;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * L2 reads from many callers at once (issue 21, item 1): throughput, the callers' p50 and p99
 * latency, and Redis's CPU per 100,000 reads, for a raw Lettuce async {@code GET} on one shared
 * connection plus a Jackson {@code readValue} (as {@link ParallelL2HitBenchmark}'s {@code
 * LETTUCE}) and for Tiercache's {@code Cache.get} with L1 off, with 1 and 16 callers, with flush
 * coalescing (the default) and without it ({@code -Dtiercache.flushCoalescing=false}, for another
 * instance in the same run). The
 * variants alternate within each round; the table gives the medians of the rounds and the ratios
 * to raw in the same round.
 *
 * <pre>{@code
 * java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.ParallelReads [--rounds 5] [--seconds 2] [--callers 1,16]
 * }</pre>
 */
public final class ParallelReads {

  private ParallelReads() {}

  static final int KEYS = 1 << 14;

  record Figures(double opsPerSecond, double p50Micros, double p99Micros, double cpuPer100k) {}

  /** One read of one caller. */
  interface Reader {
    Object read(String key) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int rounds = 5;
    double seconds = 2;
    int[] callerCounts = {1, 16};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--callers" ->
          callerCounts =
              Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default ->
          throw new IllegalArgumentException(
              "unknown argument " + args[i] + "; use --rounds N, --seconds S, --callers 1,16");
      }
    }
    if (rounds < 1 || seconds <= 0 || Arrays.stream(callerCounts).anyMatch(c -> c < 1)) {
      throw new IllegalArgumentException("rounds and callers must be positive, seconds above 0");
    }
    System.out.printf(
        "parallel reads: %d keys of a 1 KiB JSON value, %.1f s per point, %d interleaved rounds, %d"
            + " cores%n",
        KEYS, seconds, rounds, Runtime.getRuntime().availableProcessors());
    long[] ids = Fixtures.ids(KEYS);
    String[] keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = Fixtures.key(ids[i]);
    }
    List<String> variants = List.of("raw", "tiercache", "uncoalesced");
    Map<String, List<Figures>> results = new LinkedHashMap<>();
    Map<String, List<double[]>> ratios = new LinkedHashMap<>();
    System.setProperty("tiercache.flushCoalescing", "false");
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch();
        TierCache uncoalescedTier = Fixtures.tierCache(redis, RedisBenchmark.PROJECT_INFO, false);
        TierCache tier =
            clearing(() -> Fixtures.tierCache(redis, RedisBenchmark.PROJECT_INFO, false))) {

      Cache<String, ProjectInfo> cache = tier.cache(RedisBenchmark.PROJECT_INFO, ProjectInfo.class);
      for (int i = 0; i < KEYS; i++) {
        cache.put(keys[i], ProjectInfo.sample(ids[i]));
      }
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, byte[]> connection =
          client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
        RedisAsyncCommands<String, byte[]> async = connection.async();
        ObjectReader json = Fixtures.rawReader();
        Reader raw = key -> {
          byte[] frame = async.get(Fixtures.PREFIX + ":" + key).get(1, TimeUnit.SECONDS);
          return json.readValue(frame, 2, frame.length - 2);
        };
        Reader tiered = reader(cache);
        Reader uncoalesced =
            reader(uncoalescedTier.cache(RedisBenchmark.PROJECT_INFO, ProjectInfo.class));
        // warm-up: every path, 16 callers, 3 s each
        run(redis, raw, keys, 16, 3);
        run(redis, tiered, keys, 16, 3);
        run(redis, uncoalesced, keys, 16, 3);
        for (int round = 0; round < rounds; round++) {
          for (int callers : callerCounts) {
            Figures base = null;
            for (String variant : variants) {
              Reader reader = switch (variant) {
                case "raw" -> raw;
                case "tiercache" -> tiered;
                default -> uncoalesced;
              };
              Figures f = run(redis, reader, keys, callers, seconds);
              String point =
                  String.format("%-9s %2d caller%s", variant, callers, callers == 1 ? "" : "s");
              results.computeIfAbsent(point, k -> new ArrayList<>()).add(f);
              if (base == null) {
                base = f;
              }
              ratios.computeIfAbsent(point, k -> new ArrayList<>()).add(new double[] {
                f.opsPerSecond() / base.opsPerSecond(),
                f.p99Micros() / base.p99Micros(),
                f.p50Micros() / base.p50Micros(),
                f.cpuPer100k() / base.cpuPer100k()
              });
              System.out.printf(
                  "  round %d: %s: %,.0f reads/s, p50 %.0f us, p99 %.0f us, Redis CPU %.2f s per"
                      + " 100,000 reads%n",
                  round + 1, point, f.opsPerSecond(), f.p50Micros(), f.p99Micros(), f.cpuPer100k());
            }
          }
        }
      } finally {
        client.shutdown();
      }
    }
    System.out.println();
    System.out.println(
        "| point | reads/s | vs raw | p50 | vs raw | p99 | vs raw | Redis CPU per 100,000 reads | vs raw |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Map.Entry<String, List<Figures>> e : results.entrySet()) {
      List<Figures> all = e.getValue();
      List<double[]> r = ratios.get(e.getKey());
      System.out.printf(
          "| %s | %,.0f | %.2f× | %.0f µs | %.2f× | %.0f µs | %.2f× | %.2f s | %.2f× |%n",
          e.getKey().trim(),
          CapacityModel.median(all.stream().mapToDouble(Figures::opsPerSecond).toArray()),
          CapacityModel.median(r.stream().mapToDouble(x -> x[0]).toArray()),
          CapacityModel.median(all.stream().mapToDouble(Figures::p50Micros).toArray()),
          CapacityModel.median(r.stream().mapToDouble(x -> x[2]).toArray()),
          CapacityModel.median(all.stream().mapToDouble(Figures::p99Micros).toArray()),
          CapacityModel.median(r.stream().mapToDouble(x -> x[1]).toArray()),
          CapacityModel.median(all.stream().mapToDouble(Figures::cpuPer100k).toArray()),
          CapacityModel.median(r.stream().mapToDouble(x -> x[3]).toArray()));
    }
  }

  /** Reads through {@code cache}, every key of which is in Redis. */
  private static Reader reader(Cache<String, ProjectInfo> cache) {
    return key -> cache.get(key, k -> {
      throw new IllegalStateException("every key is in Redis: " + k);
    });
  }

  /** A tier built once the system property that turned flush coalescing off for another is gone. */
  private static TierCache clearing(Supplier<TierCache> tier) {
    System.clearProperty("tiercache.flushCoalescing");
    return tier.get();
  }

  /** {@code callers} threads reading random keys for {@code seconds}; latencies of every read. */
  private static Figures run(
      EmbeddedRedisServer redis, Reader reader, String[] keys, int callers, double seconds)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    long[][] samples = new long[callers][];
    int[] counts = new int[callers];
    Thread[] threads = new Thread[callers];
    List<Integer> ports = List.of(redis.port());
    long[] cpuBefore = CapacityModel.cpu(ports);
    long start = System.nanoTime();
    for (int t = 0; t < callers; t++) {
      int caller = t;
      samples[t] = new long[1 << 20];
      threads[t] = new Thread(
          () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long[] mine = samples[caller];
            int n = 0;
            while (!stop.get()) {
              long begin = System.nanoTime();
              try {
                reader.read(keys[random.nextInt(keys.length)]);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              if (n < mine.length) {
                mine[n++] = System.nanoTime() - begin;
              }
            }
            counts[caller] = n;
          },
          "reader-" + t);
      threads[t].start();
    }
    Thread.sleep((long) (seconds * 1_000));
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] cpuAfter = CapacityModel.cpu(ports);
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < callers; t++) {
      System.arraycopy(samples[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    Arrays.sort(all);
    return new Figures(
        total / elapsed,
        all[total / 2] / 1e3,
        all[(int) (total * 0.99)] / 1e3,
        (cpuAfter[0] - cpuBefore[0]) / 1e6 / total * 100_000);
  }
}
