package io.tiercache.bench;

import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import io.tiercache.toolkit.BloomFilter;
import io.tiercache.toolkit.BloomStats;
import java.util.ArrayList;
import java.util.List;

/**
 * What issue 19 asks of the Bloom filter, measured on 1,000,000 ids: the false-positive rate
 * against the target, and the bitmap's memory in Redis against the formula. Not a JMH benchmark:
 * the quantities are rates and sizes; the per-check latency is {@code
 * ToolkitBenchmark.bloomMightContain}.
 *
 * <pre>{@code
 * java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.BloomMeasure [items] [rate]
 * }</pre>
 */
public final class BloomMeasure {

  private BloomMeasure() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    double p = args.length > 1 ? Double.parseDouble(args[1]) : 0.01;
    if (n < 1 || !(p > 0 && p < 1)) {
      throw new IllegalArgumentException(
          "items must be positive and rate in (0, 1), were " + n + " and " + p);
    }
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch();
        TierCache tier =
            TierCache.builder().redisUri(redis.uri()).keyPrefix("bloom").build();
        Resp resp = redis.connect()) {
      BloomFilter filter = tier.toolkit().bloomFilters().get("ids", n, p);
      long start = System.nanoTime();
      filter.addAll(range("id:", n));
      double addSeconds = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      int falsePositives = filter.mightContainAll(range("absent:", n)).size();
      double checkSeconds = (System.nanoTime() - start) / 1e9;
      int falseNegatives = n - filter.mightContainAll(range("id:", n)).size();
      double rate = (double) falsePositives / n;
      long usage = ((Number) resp.command("MEMORY", "USAGE", "bloom:__tk:bloom:{ids}")).longValue();
      BloomStats stats = filter.stats();
      System.out.printf(
          "%d items at a target rate of %.4f: %d bits, %d hashes%n",
          n, p, filter.bits(), filter.hashes());
      System.out.printf(
          "false positives: %d of %d absent ids, rate %.5f (%.1f %% of the target); false negatives: %d%n",
          falsePositives, n, rate, 100 * rate / p, falseNegatives);
      System.out.printf(
          "memory: MEMORY USAGE %d bytes, formula m/8 = %d bytes (%.3f x)%n",
          usage, (filter.bits() + 1 + 7) / 8, usage / ((filter.bits() + 1 + 7) / 8.0));
      System.out.printf(
          "fill %.4f, estimated items %d; addAll %.0f items/s, mightContainAll %.0f items/s%n",
          stats.fill(), stats.estimatedItems(), n / addSeconds, n / checkSeconds);
    }
  }

  private static List<String> range(String prefix, int n) {
    List<String> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(prefix + i);
    }
    return items;
  }
}
