package io.tiercache.bench;

import io.tiercache.Cache;
import io.tiercache.InvalidationAck;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The lag of high-priority invalidations ({@code invalidateAndWait}: until every other instance
 * evicted the key and said so) on three instances, idle and while a 100,000-key mass invalidation
 * ({@code invalidatePattern}) runs, paced at the default 50,000 keys/s and unpaced. Rounds alternate
 * the cases. Run: {@code java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.PriorityLag [--rounds N]}.
 */
public final class PriorityLag {

  private static final int MASS_KEYS = 100_000;

  private PriorityLag() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length >= 2 && args[0].equals("--rounds") ? Integer.parseInt(args[1]) : 3;
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch()) {
      List<String> cases = List.of("idle", "mass, paced 50,000/s", "mass, unpaced");
      List<List<Double>> samples = new ArrayList<>();
      List<List<Double>> massSeconds = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        samples.add(new ArrayList<>());
        massSeconds.add(new ArrayList<>());
      }
      for (int round = 0; round < rounds; round++) {
        for (int j = 0; j < cases.size(); j++) {
          int c = (j + round) % cases.size();
          run(redis, c, samples.get(c), massSeconds.get(c));
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d rounds, 3 instances, high-priority invalidateAndWait every 10 ms%n",
          rounds);
      System.out.println(
          "| case | acks measured | p50 | p99 | max | mass invalidation of 100,000 keys |");
      System.out.println("|---|---|---|---|---|---|");
      for (int c = 0; c < cases.size(); c++) {
        double[] v =
            samples.get(c).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        String mass = massSeconds.get(c).isEmpty()
            ? "—"
            : String.format(
                Locale.ROOT,
                "%.2f s (median)",
                median(massSeconds.get(c).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray()));
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %.2f ms | %.2f ms | %.2f ms | %s |%n",
            cases.get(c),
            v.length,
            pct(v, 0.50),
            pct(v, 0.99),
            v[v.length - 1],
            mass);
      }
    }
  }

  private static void run(
      EmbeddedRedisServer redis, int c, List<Double> samples, List<Double> massSeconds)
      throws Exception {
    try (Resp resp = Resp.connect(redis.port())) {
      resp.command("FLUSHALL");
      for (int start = 0; start < MASS_KEYS; start += 10_000) {
        List<String> mset = new ArrayList<>(List.of("MSET"));
        for (int i = start; i < start + 10_000; i++) {
          mset.add("pl:bulk:" + i);
          mset.add("x");
        }
        resp.command(mset.toArray(new String[0]));
      }
    }
    long rate = c == 2 ? 0 : TierCacheBuilder.DEFAULT_MASS_INVALIDATION_RATE;
    List<TierCache> tiers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        tiers.add(TierCache.builder()
            .redisUri(redis.uri())
            .keyPrefix("pl")
            .massInvalidationRate(rate)
            .cache("c", s -> s.valueType(String.class).sharedKeys(true))
            .build());
      }
      Thread.sleep(1_500); // every heartbeat in
      TierCache a = tiers.get(0);
      CompletableFuture<Long> mass = null;
      long massStart = System.nanoTime();
      if (c != 0) {
        mass = CompletableFuture.supplyAsync(() -> a.invalidatePattern("bulk:*"));
      }
      long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      int n = 0;
      while (mass == null ? System.nanoTime() < end : !mass.isDone()) {
        String key = "user:" + (n++);
        for (TierCache t : tiers.subList(1, 3)) {
          Cache<String, String> cache = t.cache("c", String.class);
          cache.get(key, k -> "v");
        }
        long t0 = System.nanoTime();
        InvalidationAck ack = a.invalidateAndWait(key, Duration.ofSeconds(5));
        long t1 = System.nanoTime();
        if (ack.complete() && n > 5 && (mass == null || !mass.isDone())) {
          samples.add((t1 - t0) / 1e6);
        }
        Thread.sleep(10);
      }
      if (mass != null) {
        mass.get();
        massSeconds.add((System.nanoTime() - massStart) / 1e9);
      }
    } finally {
      tiers.forEach(TierCache::close);
    }
  }

  private static double pct(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double median(double[] sorted) {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
  }
}
