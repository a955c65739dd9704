package io.tiercache.examples.stats;

import io.tiercache.annotation.Cached;
import io.tiercache.examples.stats.Model.GlobalStats;
import io.tiercache.examples.stats.Model.UserStats;

/**
 * SQL aggregations (seed 003's "next candidates: stats"): a few milliseconds of database work
 * each, cached with a short TTL and refreshed ahead while they are read.
 */
public interface StatsService {

  /** {@code stats:global}: 5 min, refreshed every minute. */
  @Cached(cache = "global-stats", key = "stats:global", ttl = "5m", refresh = "1m")
  GlobalStats global();

  /** {@code stats:user:{id}}: 10 min; null for an unknown user (remembered for 1 min). */
  @Cached(cache = "user-stats", key = "stats:user:{id}", ttl = "10m", nullTtl = "1m")
  UserStats user(long id);
}
