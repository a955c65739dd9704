package io.tiercache.bench;

import io.tiercache.Cache;
import io.tiercache.CoherenceStats;
import io.tiercache.Keys;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.Arrays;

/**
 * Measures, on one machine, what issue 3 asks to state: the invalidation lag between two
 * instances (publish on A to eviction on B, p50 and p99) and the rate of pattern invalidation.
 * Not a JMH benchmark: the quantity is a latency distribution across threads and connections,
 * which the receiving instance already records ({@link TierCache#coherenceStats()}).
 *
 * <pre>{@code
 * java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.CoherenceLag [messages]
 * }</pre>
 */
public final class CoherenceLag {

  private CoherenceLag() {}

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 4_000;
    if (messages < 1) {
      throw new IllegalArgumentException("messages must be positive, was " + messages);
    }
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch()) {
      lag(redis, messages);
      patterns(redis, 100_000);
    }
  }

  /** A puts at a steady pace; B records the lag of each message it applies (last 4,096). */
  private static void lag(EmbeddedRedisServer redis, int messages) throws InterruptedException {
    try (TierCache a = tier(redis); TierCache b = tier(redis)) {
      Cache<String, String> ca = a.cache("c");
      Cache<String, String> cb = b.cache("c");
      for (int i = 0; i < 100; i++) {
        cb.get("k" + i, k -> "v"); // B holds the keys A is about to change
      }
      long[] p50 = new long[3];
      long[] p99 = new long[3];
      for (int round = 0; round < 3; round++) {
        long before = b.coherenceStats().received();
        for (int i = 0; i < messages; i++) {
          ca.put("k" + (i % 100), "v" + i);
          if (i % 10 == 0) {
            Thread.sleep(1); // a steady stream, not one burst
          }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (b.coherenceStats().received() < before + messages && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        CoherenceStats stats = b.coherenceStats();
        p50[round] = stats.lagP50Micros();
        p99[round] = stats.lagP99Micros();
        System.out.printf("round %d: %d messages applied by B, lag p50 %d us, p99 %d us (last %d samples)%n",
            round + 1, stats.received() - before, stats.lagP50Micros(), stats.lagP99Micros(), stats.lagSamples());
      }
      Arrays.sort(p50);
      Arrays.sort(p99);
      System.out.printf("invalidation lag, median of 3 rounds: p50 %d us, p99 %d us%n", p50[1], p99[1]);
    }
  }

  /** invalidatePattern over {@code keys} keys of which a tenth match. */
  private static void patterns(EmbeddedRedisServer redis, int keys) {
    try (TierCache tier = tier(redis); Resp resp = redis.connect()) {
      resp.command("FLUSHALL");
      resp.command("EVAL", "for i = 0, " + (keys - 1) + " do redis.call('SET', 'lag:project:' .. i .. ':info', 'x') end "
          + "return 1", "0");
      long start = System.nanoTime();
      long deleted = tier.invalidatePattern("project:1????:*") + tier.invalidatePattern("project:2????:*");
      double seconds = (System.nanoTime() - start) / 1e9;
      long scanned = 2L * keys;
      System.out.printf("pattern invalidation: scanned %d keys, deleted %d, in %.2f s: %.0f keys scanned/s, "
          + "%.0f deleted/s%n", scanned, deleted, seconds, scanned / seconds, deleted / seconds);
      System.out.println("(" + Keys.segment("1*") + " is how a value with a glob character appears in a pattern)");
    }
  }

  private static TierCache tier(EmbeddedRedisServer redis) {
    return TierCache.builder().redisUri(redis.uri()).keyPrefix("lag")
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofHours(1)))
        .build();
  }
}
