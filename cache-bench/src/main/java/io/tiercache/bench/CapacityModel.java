package io.tiercache.bench;

import io.tiercache.Cache;
import io.tiercache.CoherenceMode;
import io.tiercache.CoherenceStats;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The measurements behind the sizing model of docs/deployment.md: cache writes per second with
 * coherence on and off, on one Redis (one master, one invalidation stream), on a 3-master cluster
 * with every key and the one stream in one slot ("1 of 3": one master carries everything, the
 * others idle, on the same host), and on the 3-master cluster (three streams), with 2, 8 and 32 instances ({@link TierCache} objects in this JVM);
 * per point the Redis CPU each master spent per write ({@code INFO cpu}), the appends per write,
 * and the invalidation lag p50/p99 the instances recorded (none for client tracking, {@link
 * CoherenceMode#TRACKING}: its pushes carry no timestamp, and {@link CoherenceLag} measures their
 * lag). Each point runs for {@code --seconds}
 * in every one of {@code --rounds} interleaved rounds; the figures printed are the medians of the
 * rounds.
 *
 * <p>Every instance writes through the same 8 writer threads in turn, as fast as Redis answers,
 * to 10,000 keys; every instance holds an L1, so every write is an invalidation every other
 * instance applies.
 *
 * <pre>{@code
 * java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.CapacityModel [--rounds 2] [--seconds 3]
 *     [--instances 2,8,32] [--batching-off] [--read-interval-micros 1000] [--topologies standalone,one-of-3,cluster]
 *     [--modes none,stream,tracking]
 * }</pre>
 */
public final class CapacityModel {

  private CapacityModel() {}

  static final int WRITERS = 8;
  static final int KEYS = 10_000;

  /** One point's figures in one round. */
  record Figures(
      double writesPerSecond,
      double[] cpuMicrosPerWrite,
      double appendsPerWrite,
      long lagP50,
      long lagP99,
      String commands) {}

  public static void main(String[] args) throws Exception {
    int rounds = 2;
    double seconds = 3;
    int[] counts = {2, 8, 32};
    boolean batchingOff = false;
    Duration readInterval = null; // the default: by the live instances
    List<String> topologies = List.of("standalone", "one-of-3", "cluster");
    List<CoherenceMode> modes =
        List.of(CoherenceMode.NONE, CoherenceMode.STREAM, CoherenceMode.TRACKING);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--instances" ->
          counts =
              Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--batching-off" -> batchingOff = true;
        case "--topologies" -> topologies = List.of(args[++i].split(","));
        case "--modes" ->
          modes = Arrays.stream(args[++i].split(","))
              .map(m -> CoherenceMode.valueOf(m.toUpperCase(Locale.ROOT)))
              .toList();
        case "--read-interval-micros" ->
          readInterval = Duration.ofNanos(1_000L * Long.parseLong(args[++i]));
        default ->
          throw new IllegalArgumentException("unknown argument " + args[i]
              + "; use --rounds N, --seconds S, --instances 2,8,32, --batching-off, --read-interval-micros N, "
              + "--topologies standalone,one-of-3,cluster, --modes none,stream,tracking");
      }
    }
    if (rounds < 1 || seconds <= 0) {
      throw new IllegalArgumentException(
          "rounds must be positive and seconds above 0, were " + rounds + ", " + seconds);
    }
    System.out.printf(
        "capacity model: %d writer threads, %d keys, %.1f s per point, %d interleaved rounds, %d cores, "
            + "batching %s, read interval %d us (-1: by the live instances)%n",
        WRITERS,
        KEYS,
        seconds,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        batchingOff ? "off" : "on",
        readInterval == null ? -1 : readInterval.toNanos() / 1_000);
    Map<String, List<Figures>> results = new LinkedHashMap<>();
    try (EmbeddedRedisServer single = EmbeddedRedisServer.launch();
        EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch()) {
      List<Integer> clusterPorts = new ArrayList<>();
      for (int node : cluster.masters()) {
        clusterPorts.add(cluster.ports().get(node));
      }
      for (int round = 0; round < rounds; round++) {
        for (String topology : topologies) {
          for (int n : counts) {
            boolean standalone = topology.equals("standalone");
            for (CoherenceMode mode : modes) {
              List<Integer> ports = standalone ? List.of(single.port()) : clusterPorts;
              Supplier<TierCacheBuilder> builder = standalone
                  ? () -> TierCache.builder().redisUri(single.uri())
                  : () -> TierCache.builder().redisCluster(cluster.seedUris());
              // "one-of-3": the cluster, with every key and the one stream in one slot, so on one
              // master
              boolean oneOfThree = topology.equals("one-of-3");
              String prefix = oneOfThree ? "cap1" : "cap";
              String keyTag = oneOfThree ? "{cap1:inval}" : "";
              String point = String.format(
                  "%-10s %2d instances, coherence %s",
                  standalone ? "1 master" : oneOfThree ? "1 of 3" : "3 masters",
                  n,
                  mode == CoherenceMode.NONE
                      ? "off"
                      : mode == CoherenceMode.TRACKING
                          ? "tracking"
                          : batchingOff ? "on (no batching)" : "on");
              Figures f = run(
                  builder,
                  ports,
                  prefix,
                  keyTag,
                  oneOfThree ? 1 : 0,
                  n,
                  mode,
                  !batchingOff,
                  readInterval,
                  seconds);
              results.computeIfAbsent(point, k -> new ArrayList<>()).add(f);
              System.out.printf(
                  "  round %d: %s: %,.0f writes/s, Redis CPU per write %s us, %.2f appends/write, "
                      + "lag p50 %d us p99 %d us; per write, all masters:%s%n",
                  round + 1,
                  point,
                  f.writesPerSecond(),
                  cpu(f.cpuMicrosPerWrite()),
                  f.appendsPerWrite(),
                  f.lagP50(),
                  f.lagP99(),
                  f.commands());
            }
          }
        }
      }
    }
    System.out.println();
    System.out.println(
        "| point | writes/s | Redis CPU µs per write, each master | appends per write | lag p50 | lag p99 |");
    System.out.println("|---|---|---|---|---|---|");
    for (Map.Entry<String, List<Figures>> e : results.entrySet()) {
      List<Figures> all = e.getValue();
      int masters = all.get(0).cpuMicrosPerWrite().length;
      double[] cpu = new double[masters];
      for (int m = 0; m < masters; m++) {
        int at = m;
        cpu[m] = median(all.stream().mapToDouble(f -> f.cpuMicrosPerWrite()[at]).toArray());
      }
      System.out.printf(
          "| %s | %,.0f | %s | %.2f | %s | %s |%n",
          e.getKey(),
          median(all.stream().mapToDouble(Figures::writesPerSecond).toArray()),
          cpu(cpu),
          median(all.stream().mapToDouble(Figures::appendsPerWrite).toArray()),
          micros(median(all.stream().mapToDouble(Figures::lagP50).toArray())),
          micros(median(all.stream().mapToDouble(Figures::lagP99).toArray())));
    }
  }

  /** A lag, or "n/a" where the instances record none (a tracking push carries no timestamp). */
  private static String micros(double lag) {
    return lag < 0 ? "n/a" : (long) lag + " µs";
  }

  private static String cpu(double[] perMaster) {
    StringBuilder text = new StringBuilder();
    for (double micros : perMaster) {
      text.append(text.length() == 0 ? "" : " / ").append(String.format("%.1f", micros));
    }
    return text.toString();
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static Figures run(
      Supplier<TierCacheBuilder> builder,
      List<Integer> ports,
      String prefix,
      String keyTag,
      int shards,
      int n,
      CoherenceMode mode,
      boolean batching,
      Duration readInterval,
      double seconds)
      throws InterruptedException {
    List<TierCache> tiers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        TierCacheBuilder b = builder
            .get()
            .keyPrefix(prefix)
            .coherence(mode)
            .coherenceShards(shards)
            .coherenceBatching(batching)
            .commandTimeout(Duration.ofSeconds(2))
            .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)));
        tiers.add((readInterval == null ? b : b.coherenceReadInterval(readInterval)).build());
      }
      List<Cache<String, String>> caches = new ArrayList<>();
      tiers.forEach(t -> caches.add(t.cache("c")));
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder writes = new LongAdder();
      Thread[] writers = new Thread[WRITERS];
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers[w] = new Thread(
            () -> {
              ThreadLocalRandom random = ThreadLocalRandom.current();
              long i = 0;
              while (!stop.get()) {
                // writer w writes through instances w, w + 8, ... in turn, so that every instance
                // writes
                int instance =
                    (int) ((writer + WRITERS * (i++ % Math.max(1, (n + WRITERS - 1) / WRITERS)))
                        % n);
                caches.get(instance).put(keyTag + "k" + random.nextInt(KEYS), "v" + i);
                if (measuring.get()) {
                  writes.increment();
                }
              }
            },
            "writer-" + w);
        writers[w].start();
      }
      Thread.sleep(1_000); // warm-up: connections, JIT, the streams' first entries
      long[] cpuBefore = cpu(ports);
      Map<String, long[]> statsBefore = commandStats(ports);
      long sentBefore = sent(tiers);
      long start = System.nanoTime();
      measuring.set(true);
      Thread.sleep((long) (seconds * 1_000));
      measuring.set(false);
      double elapsed = (System.nanoTime() - start) / 1e9;
      long[] cpuAfter = cpu(ports);
      Map<String, long[]> statsAfter = commandStats(ports);
      long sentAfter = sent(tiers);
      stop.set(true);
      for (Thread t : writers) {
        t.join(10_000);
      }
      long total = Math.max(1, writes.sum());
      double[] perWrite = new double[ports.size()];
      for (int m = 0; m < ports.size(); m++) {
        perWrite[m] = (cpuAfter[m] - cpuBefore[m]) / (double) total;
      }
      long[] p50 = new long[n];
      long[] p99 = new long[n];
      for (int i = 0; i < n; i++) {
        CoherenceStats stats = tiers.get(i).coherenceStats();
        p50[i] = stats.lagP50Micros();
        p99[i] = stats.lagP99Micros();
      }
      Arrays.sort(p50);
      Arrays.sort(p99);
      boolean timed = mode != CoherenceMode.TRACKING; // a push carries no timestamp: CoherenceLag
      StringBuilder commands = new StringBuilder();
      for (Map.Entry<String, long[]> e : statsAfter.entrySet()) {
        long[] before = statsBefore.getOrDefault(e.getKey(), new long[2]);
        double calls = (e.getValue()[0] - before[0]) / (double) total;
        double micros = (e.getValue()[1] - before[1]) / (double) total;
        if (calls >= 0.05) {
          commands.append(String.format(" %s %.2f calls %.1f us;", e.getKey(), calls, micros));
        }
      }
      return new Figures(
          total / elapsed,
          perWrite,
          (sentAfter - sentBefore) / (double) total,
          timed ? p50[n / 2] : -1,
          timed ? p99[n / 2] : -1,
          commands.toString());
    } finally {
      tiers.forEach(TierCache::close);
    }
  }

  private static long sent(List<TierCache> tiers) {
    long sent = 0;
    for (TierCache t : tiers) {
      sent += t.coherenceStats().sent();
    }
    return sent;
  }

  /** Calls and microseconds of each command, summed over the masters ({@code INFO commandstats}). */
  static Map<String, long[]> commandStats(List<Integer> ports) {
    Map<String, long[]> stats = new TreeMap<>();
    for (int port : ports) {
      try (Resp resp = Resp.connect(port)) {
        for (String line : ((String) resp.command("INFO", "commandstats")).split("\r?\n")) {
          if (line.startsWith("cmdstat_")) {
            String name = line.substring(8, line.indexOf(':'));
            long calls = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
            long usec = Long.parseLong(line.replaceAll(".*,usec=(\\d+),.*", "$1"));
            long[] sum = stats.computeIfAbsent(name, k -> new long[2]);
            sum[0] += calls;
            sum[1] += usec;
          }
        }
      }
    }
    return stats;
  }

  /** used_cpu_sys + used_cpu_user of each master, in microseconds. */
  static long[] cpu(List<Integer> ports) {
    long[] micros = new long[ports.size()];
    for (int m = 0; m < ports.size(); m++) {
      try (Resp resp = Resp.connect(ports.get(m))) {
        String info = (String) resp.command("INFO", "cpu");
        double total = 0;
        for (String line : info.split("\r?\n")) {
          if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
            total += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
          }
        }
        micros[m] = (long) (total * 1e6);
      }
    }
    return micros;
  }
}
