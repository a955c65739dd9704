package io.tiercache.spring;

import io.tiercache.CoherenceStats;
import io.tiercache.RedisHealth;
import io.tiercache.TierCache;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code tiercache} health: Redis as Tiercache sees it ({@link TierCache#redisHealth()}, no
 * network call), the circuit breaker, and the coherence counters and lag.
 *
 * <ul>
 *   <li>Redis up (or none configured): UP.
 *   <li>Redis not answering, the breaker open: {@code tiercache.health.down-status}, DOWN by
 *       default. The caches still answer from L1 and their loaders ({@code degraded=true}).
 *   <li>Redis refusing writes (maxmemory), the p99 coherence lag above {@code
 *       tiercache.health.max-coherence-lag}, or L1 not answering because coherence cannot vouch
 *       for it ({@link CoherenceStats#l1Answering()}): {@code tiercache.health.degraded-status},
 *       UP by default, with {@code degraded=true}.
 * </ul>
 */
public class TierCacheHealthIndicator implements HealthIndicator {

  private final TierCache tier;
  private final TiercacheProperties.Health settings;

  /**
   * @param tier the TierCache, not null
   * @param settings {@code tiercache.health.*}, not null
   */
  public TierCacheHealthIndicator(TierCache tier, TiercacheProperties.Health settings) {
    this.tier = Objects.requireNonNull(tier, "tier must not be null");
    this.settings = Objects.requireNonNull(settings, "settings must not be null");
  }

  @Override
  public Health health() {
    RedisHealth redis = tier.redisHealth();
    CoherenceStats coherence = tier.coherenceStats();
    Duration maxLag = settings.getMaxCoherenceLag();
    boolean lagging = maxLag != null
        && coherence.lagSamples() > 0
        && coherence.lagP99Micros() > maxLag.toNanos() / 1_000;
    String status;
    boolean degraded;
    switch (redis.status()) {
      case DOWN -> {
        status = settings.getDownStatus();
        degraded = true;
      }
      case REFUSING_WRITES -> {
        status = settings.getDegradedStatus();
        degraded = true;
      }
      default -> {
        degraded = lagging || !coherence.l1Answering();
        status = degraded ? settings.getDegradedStatus() : "UP";
      }
    }
    Health.Builder health = Health.status(status)
        .withDetail("redis", redis.status().name())
        .withDetail(
            "breaker",
            redis.status() == RedisHealth.Status.DOWN
                ? "open"
                : redis.status() == RedisHealth.Status.NONE ? "none" : "closed")
        .withDetail("degraded", degraded)
        .withDetail("keyPrefix", tier.keyPrefix())
        .withDetail("coherence", coherence.mode().name())
        .withDetail("l1Answering", coherence.l1Answering())
        .withDetail("coherenceLagP99Micros", coherence.lagP99Micros())
        .withDetail("coherenceLagMaxMicros", coherence.lagMaxMicros())
        .withDetail("invalidationsSent", coherence.sent())
        .withDetail("invalidationsReceived", coherence.received())
        .withDetail("invalidationGaps", coherence.gapFlushes())
        .withDetail("pendingPublishes", coherence.pendingPublishes());
    if (!redis.detail().isEmpty()) {
      health.withDetail("detail", redis.detail());
    }
    if (lagging) {
      health.withDetail(
          "lagging", "p99 coherence lag above tiercache.health.max-coherence-lag (" + maxLag + ")");
    }
    return health.build();
  }
}
