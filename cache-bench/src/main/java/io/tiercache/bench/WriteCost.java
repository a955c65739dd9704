package io.tiercache.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.tiercache.Cache;
import io.tiercache.CoherenceMode;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one cache write costs Redis, beside a raw {@code SET} in the same run (issue 21, item 6):
 * per write, the Redis CPU ({@code INFO cpu}: commands, their network reads and writes, the event
 * loop), the commands Redis ran and their own time ({@code INFO commandstats}, a script's
 * commands counted both in the script and on their own) and the caller's mean time. Variants, each on one Redis
 * server with the same writer threads, keys and values:
 *
 * <ul>
 *   <li>{@code raw SET}: Lettuce {@code SET key value PX ttl} on one connection;
 *   <li>{@code coherence off}: {@code Cache.put} of one {@link TierCache};
 *   <li>{@code coherence on}: {@code Cache.put} of one of two instances; the other holds an L1 and
 *       reads the invalidation stream (its reads are part of the cost);
 *   <li>{@code tracking}: the same with {@link CoherenceMode#TRACKING}: Redis pushes each change to
 *       the other instance (the pushes are part of the cost).
 * </ul>
 *
 * <p>Each point runs {@code --seconds} after one second of warm-up, in every one of {@code
 * --rounds} interleaved rounds; the table gives the medians and the ratios to the raw {@code SET}
 * of the same round and writer count.
 *
 * <pre>{@code
 * java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.WriteCost [--rounds 3] [--seconds 3] [--writers 1,8]
 * }</pre>
 */
public final class WriteCost {

  private WriteCost() {}

  static final int KEYS = 10_000;
  static final long TTL_MILLIS = 600_000;

  /** One point's figures in one round. */
  record Figures(double cpuMicros, double commands, double callerMicros, String detail) {}

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    double seconds = 3;
    int[] writerCounts = {1, 8};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--writers" ->
          writerCounts =
              Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default ->
          throw new IllegalArgumentException(
              "unknown argument " + args[i] + "; use --rounds N, --seconds S, --writers 1,8");
      }
    }
    if (rounds < 1 || seconds <= 0 || Arrays.stream(writerCounts).anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException(
          "rounds and writers must be positive and seconds above 0, were "
              + rounds
              + ", "
              + Arrays.toString(writerCounts)
              + ", "
              + seconds);
    }
    System.out.printf(
        "write cost: %d keys, %.1f s per point, %d interleaved rounds, %d cores%n",
        KEYS, seconds, rounds, Runtime.getRuntime().availableProcessors());
    List<String> variants = List.of("raw SET", "coherence off", "coherence on", "tracking");
    Map<String, List<Figures>> results = new LinkedHashMap<>();
    Map<String, List<Double>> ratios = new LinkedHashMap<>();
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch()) {
      for (int round = 0; round < rounds; round++) {
        for (int writers : writerCounts) {
          double raw = 0;
          for (String variant : variants) {
            Figures f = run(redis, variant, writers, seconds);
            String point =
                String.format("%-13s %d writer%s", variant, writers, writers == 1 ? "" : "s");
            results.computeIfAbsent(point, k -> new ArrayList<>()).add(f);
            if (variant.equals("raw SET")) {
              raw = f.cpuMicros();
            }
            ratios.computeIfAbsent(point, k -> new ArrayList<>()).add(f.cpuMicros() / raw);
            System.out.printf(
                "  round %d: %s: Redis CPU %.1f us, %.2f commands, caller %.1f us per write;%s%n",
                round + 1, point, f.cpuMicros(), f.commands(), f.callerMicros(), f.detail());
          }
        }
      }
    }
    System.out.println();
    System.out.println(
        "| point | Redis CPU per write | vs raw SET (range) | commands Redis ran per write | caller's time per write |");
    System.out.println("|---|---|---|---|---|");
    for (Map.Entry<String, List<Figures>> e : results.entrySet()) {
      List<Figures> all = e.getValue();
      double[] r =
          ratios.get(e.getKey()).stream().mapToDouble(Double::doubleValue).toArray();
      System.out.printf(
          "| %s | %.1f µs | %.2f× (%.2f–%.2f) | %.2f | %.1f µs |%n",
          e.getKey().trim(),
          CapacityModel.median(all.stream().mapToDouble(Figures::cpuMicros).toArray()),
          CapacityModel.median(r),
          Arrays.stream(r).min().orElse(0),
          Arrays.stream(r).max().orElse(0),
          CapacityModel.median(all.stream().mapToDouble(Figures::commands).toArray()),
          CapacityModel.median(all.stream().mapToDouble(Figures::callerMicros).toArray()));
    }
  }

  /** A write of one writer thread: key, value. */
  interface Writer {
    void write(String key, String value);
  }

  private static Figures run(EmbeddedRedisServer redis, String variant, int writers, double seconds)
      throws InterruptedException {
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      Writer writer;
      switch (variant) {
        case "raw SET" -> {
          RedisClient client = RedisClient.create(redis.uri());
          StatefulRedisConnection<String, byte[]> connection =
              client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
          opened.add(client::shutdown);
          opened.add(connection);
          RedisCommands<String, byte[]> sync = connection.sync();
          SetArgs px = SetArgs.Builder.px(TTL_MILLIS);
          // the bytes a cache stores: the value's JSON and a two-byte header
          writer = (key, value) -> sync.set(
              "wc:c:" + key,
              ("\u0001\u0000\"" + value + "\"").getBytes(StandardCharsets.UTF_8),
              px);
        }
        case "coherence off", "coherence on", "tracking" -> {
          CoherenceMode mode = switch (variant) {
            case "coherence on" -> CoherenceMode.STREAM;
            case "tracking" -> CoherenceMode.TRACKING;
            default -> CoherenceMode.NONE;
          };
          TierCache writing = tier(redis, mode);
          opened.add(writing);
          if (mode != CoherenceMode.NONE) {
            TierCache reading = tier(redis, mode);
            opened.add(reading);
            Cache<String, String> other = reading.cache("c");
            for (int i = 0; i < KEYS; i += 10) {
              other.get("k" + i, k -> "v"); // an L1 that the invalidations evict
            }
          }
          Cache<String, String> cache = writing.cache("c");
          writer = cache::put;
        }
        default -> throw new IllegalArgumentException(variant);
      }
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder writes = new LongAdder();
      LongAdder nanos = new LongAdder();
      Thread[] threads = new Thread[writers];
      for (int w = 0; w < writers; w++) {
        Writer write = writer;
        threads[w] = new Thread(
            () -> {
              ThreadLocalRandom random = ThreadLocalRandom.current();
              long i = 0;
              while (!stop.get()) {
                long start = System.nanoTime();
                write.write("k" + random.nextInt(KEYS), "v" + i++);
                if (measuring.get()) {
                  nanos.add(System.nanoTime() - start);
                  writes.increment();
                }
              }
            },
            "writer-" + w);
        threads[w].start();
      }
      Thread.sleep(1_000); // warm-up: connections, JIT, scripts loaded
      List<Integer> ports = List.of(redis.port());
      long[] cpuBefore = CapacityModel.cpu(ports);
      Map<String, long[]> statsBefore = CapacityModel.commandStats(ports);
      measuring.set(true);
      Thread.sleep((long) (seconds * 1_000));
      measuring.set(false);
      long[] cpuAfter = CapacityModel.cpu(ports);
      Map<String, long[]> statsAfter = CapacityModel.commandStats(ports);
      stop.set(true);
      for (Thread t : threads) {
        t.join(10_000);
      }
      long total = Math.max(1, writes.sum());
      double commands = 0;
      StringBuilder detail = new StringBuilder();
      for (Map.Entry<String, long[]> e : statsAfter.entrySet()) {
        if (e.getKey().equals("info")) {
          continue; // the measurement's own
        }
        long[] before = statsBefore.getOrDefault(e.getKey(), new long[2]);
        double calls = (e.getValue()[0] - before[0]) / (double) total;
        double micros = (e.getValue()[1] - before[1]) / (double) total;
        commands += calls;
        if (calls >= 0.01) {
          detail.append(String.format(" %s %.2f (%.1f us)", e.getKey(), calls, micros));
        }
      }
      return new Figures(
          (cpuAfter[0] - cpuBefore[0]) / (double) total,
          commands,
          nanos.sum() / 1e3 / total,
          detail.toString());
    } finally {
      for (int i = opened.size() - 1; i >= 0; i--) {
        try {
          opened.get(i).close();
        } catch (Exception ignored) {
          // closing a measurement's clients
        }
      }
    }
  }

  private static TierCache tier(EmbeddedRedisServer redis, CoherenceMode mode) {
    return TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("wc")
        .coherence(mode)
        .commandTimeout(Duration.ofSeconds(2))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .build();
  }
}
