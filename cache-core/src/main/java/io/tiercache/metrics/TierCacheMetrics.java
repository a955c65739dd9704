package io.tiercache.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tiercache.CacheStats;
import io.tiercache.CoherenceStats;
import io.tiercache.TierCache;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Binds every cache of a {@link TierCache} to a Micrometer registry with the meter names and tags
 * of Micrometer's cache conventions (as its Caffeine and JCache binders use them), so existing
 * dashboards work, plus a {@code level} tag for the two levels:
 *
 * <table>
 * <caption>meters per cache (tag {@code cache=<name>})</caption>
 * <tr><td>{@code cache.gets}</td><td>{@code result=hit, level=l1} · {@code result=hit, level=l2} ·
 *   {@code result=miss}</td></tr>
 * <tr><td>{@code cache.puts}</td><td>values written by {@code put}</td></tr>
 * <tr><td>{@code cache.evictions}</td><td>L1 size evictions</td></tr>
 * <tr><td>{@code cache.size}</td><td>L1 entries (gauge)</td></tr>
 * <tr><td>{@code cache.load}</td><td>{@code result=success|failure}, loader calls</td></tr>
 * <tr><td>{@code cache.load.duration}</td><td>timer over every loader call</td></tr>
 * <tr><td>{@code cache.invalidations}, {@code cache.degraded}, {@code cache.decode.errors}</td><td>counters</td></tr>
 * <tr><td>{@code cache.refreshes}</td><td>{@code result=success|failure}</td></tr>
 * <tr><td>{@code cache.write.back.queue}</td><td>keys waiting (gauge)</td></tr>
 * </table>
 *
 * <p>and {@code tiercache.invalidations.sent|received} and {@code tiercache.invalidation.gaps}
 * for coherence, {@code tiercache.redis.available} (1 or 0). Meters read the cache's counters when
 * scraped; nothing is added to the read path. Caches created after {@code bindTo} are not bound:
 * declare caches in the builder, or bind after creating them.
 *
 * <pre>{@code
 * new TierCacheMetrics(tier).bindTo(meterRegistry);
 * }</pre>
 */
public final class TierCacheMetrics implements MeterBinder {

  private final TierCache tier;
  private final Iterable<Tag> tags;

  /** Binds with no extra tags. */
  public TierCacheMetrics(TierCache tier) {
    this(tier, Tags.empty());
  }

  /**
   * @param tier the caches to report
   * @param tags added to every meter (for example the application name)
   */
  public TierCacheMetrics(TierCache tier, Iterable<Tag> tags) {
    this.tier = Objects.requireNonNull(tier, "tier must not be null");
    this.tags = Objects.requireNonNull(tags, "tags must not be null");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry must not be null");
    for (String name : tier.stats().keySet()) {
      Tags cache = Tags.concat(tags, "cache", name);
      counter(registry, "cache.gets", cache.and("result", "hit", "level", "l1"), name, CacheStats::l1Hits,
          "reads answered by the in-process level");
      counter(registry, "cache.gets", cache.and("result", "hit", "level", "l2"), name, CacheStats::l2Hits,
          "reads answered by Redis");
      counter(registry, "cache.gets", cache.and("result", "miss"), name, CacheStats::misses,
          "reads answered by neither level");
      counter(registry, "cache.puts", cache, name, CacheStats::puts, "values written by put");
      counter(registry, "cache.evictions", cache, name, CacheStats::l1Evictions, "L1 size evictions");
      counter(registry, "cache.load", cache.and("result", "success"), name, CacheStats::loads, "loader calls that returned");
      counter(registry, "cache.load", cache.and("result", "failure"), name, CacheStats::loadFailures, "loader calls that threw");
      counter(registry, "cache.invalidations", cache, name, CacheStats::invalidations, "keys invalidated");
      counter(registry, "cache.degraded", cache, name, CacheStats::degradedCalls, "calls that skipped Redis");
      counter(registry, "cache.decode.errors", cache, name, CacheStats::decodeErrors, "stored values that could not be decoded");
      counter(registry, "cache.refreshes", cache.and("result", "success"), name, CacheStats::refreshes, "background reloads");
      counter(registry, "cache.refreshes", cache.and("result", "failure"), name, CacheStats::refreshFailures,
          "background reloads that failed");
      FunctionTimer.builder("cache.load.duration", tier,
              t -> (long) stat(t, name, s -> s.loads() + s.loadFailures()),
              t -> stat(t, name, CacheStats::totalLoadTimeNanos), TimeUnit.NANOSECONDS)
          .tags(cache).description("time spent in loaders").register(registry);
      Gauge.builder("cache.size", tier, t -> stat(t, name, CacheStats::l1Size))
          .tags(cache).description("L1 entries").register(registry);
      Gauge.builder("cache.write.back.queue", tier, t -> stat(t, name, CacheStats::writeBackQueueDepth))
          .tags(cache).description("keys waiting to be written back").register(registry);
    }
    FunctionCounter.builder("tiercache.invalidations.sent", tier, t -> t.coherenceStats().sent())
        .tags(tags).description("invalidation messages published").register(registry);
    FunctionCounter.builder("tiercache.invalidations.received", tier, t -> t.coherenceStats().received())
        .tags(tags).description("invalidation messages applied from other instances").register(registry);
    FunctionCounter.builder("tiercache.invalidation.gaps", tier, t -> t.coherenceStats().gapFlushes())
        .tags(tags).description("L1 clears because messages may have been lost").register(registry);
    Gauge.builder("tiercache.invalidation.lag.p99", tier, t -> coherence(t).lagP99Micros() / 1_000_000.0)
        .tags(tags).baseUnit("seconds").description("99th percentile of publish-to-eviction lag").register(registry);
    Gauge.builder("tiercache.redis.available", tier, t -> t.isRedisAvailable() ? 1 : 0)
        .tags(tags).description("1 while Redis answers, 0 while calls degrade").register(registry);
  }

  private void counter(MeterRegistry registry, String meter, Tags meterTags, String cache,
      java.util.function.ToLongFunction<CacheStats> value, String description) {
    FunctionCounter.builder(meter, tier, t -> stat(t, cache, value))
        .tags(meterTags).description(description).register(registry);
  }

  private static double stat(TierCache tier, String cache, java.util.function.ToLongFunction<CacheStats> value) {
    CacheStats stats = tier.stats(cache);
    return stats == null ? Double.NaN : value.applyAsLong(stats);
  }

  private static CoherenceStats coherence(TierCache tier) {
    return tier.coherenceStats();
  }
}
