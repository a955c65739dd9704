package io.tiercache.examples;

import io.tiercache.Cache;
import io.tiercache.CacheStats;
import io.tiercache.StatsSnapshot;
import io.tiercache.TierCache;
import java.time.Duration;

/**
 * One cold start, run by {@link ColdStartTest} in a JVM of its own: a {@link TierCache} with the
 * app's Redis settings (200 ms command timeout, 500 ms probe) on the Redis in {@code args[0]}, its
 * first call, and one line with what the instance went through, such as
 * {@code cold-start value=v health=UP trips=0 degraded=0 build_ms=350 first_ms=40}.
 */
public final class ColdStart {

  private ColdStart() {}

  public static void main(String[] args) {
    long t0 = System.nanoTime();
    try (TierCache tier = TierCache.builder()
        .redisUri(args[0])
        .keyPrefix("cold")
        .commandTimeout(Duration.ofMillis(200))
        .probeInterval(Duration.ofMillis(500))
        .cache("first", c -> c.valueType(String.class).ttl(Duration.ofMinutes(1)))
        .build()) {
      long built = System.nanoTime();
      Cache<String, String> cache = tier.cache("first");
      String value = cache.get("k" + ProcessHandle.current().pid(), k -> "v");
      long first = System.nanoTime();
      StatsSnapshot snapshot = tier.snapshot();
      long degraded = snapshot.caches().values().stream()
          .mapToLong(CacheStats::degradedCalls)
          .sum();
      System.out.printf(
          "cold-start value=%s health=%s trips=%d degraded=%d build_ms=%d first_ms=%d%n",
          value,
          tier.redisHealth().status(),
          snapshot.redis().breakerTrips(),
          degraded,
          (built - t0) / 1_000_000,
          (first - built) / 1_000_000);
    }
  }
}
