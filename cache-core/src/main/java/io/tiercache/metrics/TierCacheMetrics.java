package io.tiercache.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tiercache.CacheStats;
import io.tiercache.TierCache;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Binds every cache of a {@link TierCache} to a Micrometer registry.
 *
 * <p>The names Micrometer's own cache binders use ({@code CaffeineCacheMetrics},
 * {@code JCacheMetrics}, through {@code CacheMeterBinder}) are registered with the same meter
 * type, the same tag keys ({@code cache}, plus {@code result} where Micrometer has it, plus the
 * tags given here) and the same meaning, so a Tiercache cache and a Caffeine cache bound to one
 * registry, a Prometheus one included, are both reported and summed by the same dashboards:
 *
 * <table>
 * <caption>names shared with Micrometer's cache binders (tag {@code cache=<name>})</caption>
 * <tr><td>{@code cache.gets}</td><td>function counter</td><td>{@code result=hit}: reads answered by L1
 *   or Redis; {@code result=miss}: by neither</td></tr>
 * <tr><td>{@code cache.puts}</td><td>function counter</td><td>values stored: {@code put}, loader calls
 *   that returned, refreshes</td></tr>
 * <tr><td>{@code cache.evictions}</td><td>function counter</td><td>L1 size evictions</td></tr>
 * <tr><td>{@code cache.size}</td><td>gauge</td><td>L1 entries</td></tr>
 * <tr><td>{@code cache.load}</td><td>function counter</td><td>{@code result=success|failure}: loader
 *   calls by reads</td></tr>
 * <tr><td>{@code cache.load.duration}</td><td>time gauge</td><td>total time in those loader calls</td></tr>
 * </table>
 *
 * <p>What only Tiercache has lives under {@code tiercache.*}: {@code tiercache.cache.gets}
 * ({@code level=l1|l2|none}), {@code tiercache.cache.invalidations}, {@code .degraded},
 * {@code .decode.errors}, {@code .dead.letters}, {@code .refreshes} ({@code result}),
 * {@code .write.back.queue}, and for the whole {@code TierCache}
 * {@code tiercache.invalidations.sent|received}, {@code tiercache.invalidation.gaps},
 * {@code tiercache.invalidation.lag.p99}, {@code tiercache.redis.available}.
 *
 * <p>Meters read the cache's counters when scraped; nothing is added to the read path. Caches
 * created after {@code bindTo} are not bound: declare caches in the builder, or call
 * {@code bindTo} again on the same {@code TierCacheMetrics} after creating them.
 *
 * <p>Two binders must not register the same meter: a second {@code TierCache} with the same cache
 * names, or a Micrometer binder bound first for a cache of the same name, would otherwise read as
 * one cache. {@code bindTo} refuses that with an {@link IllegalStateException} (and leaves nothing
 * of its own registered); give each {@code TierCache} an {@linkplain Builder#instanceTag(String)
 * instance tag} or distinct tags.
 *
 * <pre>{@code
 * TierCacheMetrics.builder(tier).tags("app", "checkin").instanceTag("pod-7").build().bindTo(meterRegistry);
 * }</pre>
 */
public final class TierCacheMetrics implements MeterBinder {

  /** The key of the {@linkplain Builder#instanceTag(String) instance tag}. */
  public static final String INSTANCE_TAG = "tiercache.instance";

  /** Tag keys this binder sets itself; given tags may not use them. */
  private static final List<String> RESERVED = List.of("cache", "result", "level", INSTANCE_TAG);

  private final TierCache tier;
  private final Tags tags;
  /** The meters this binder registered, so that binding again to pick up new caches is no collision. */
  private final Set<Meter> own = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Binds with no extra tags; the same as {@code builder(tier).build()}. */
  public TierCacheMetrics(TierCache tier) {
    this(Objects.requireNonNull(tier, "tier must not be null"), Tags.empty());
  }

  /**
   * The same as {@code builder(tier).tags(tags).build()}.
   *
   * @param tier the caches to report
   * @param tags added to every meter (for example the application name)
   */
  public TierCacheMetrics(TierCache tier, Iterable<Tag> tags) {
    this(checked(tags), Objects.requireNonNull(tier, "tier must not be null"));
  }

  private TierCacheMetrics(Tags tags, TierCache tier) {
    this.tier = tier;
    this.tags = tags;
  }

  /**
   * @param tier the caches to report
   * @return a builder for tags and the instance tag
   */
  public static Builder builder(TierCache tier) {
    return new Builder(Objects.requireNonNull(tier, "tier must not be null"));
  }

  /** Options of a {@link TierCacheMetrics}: extra tags and the instance tag, both off by default. */
  public static final class Builder {
    private final TierCache tier;
    private Tags tags = Tags.empty();
    private String instance;
    private boolean instanceFromTier;

    private Builder(TierCache tier) {
      this.tier = tier;
    }

    /**
     * Adds tags to every meter (for example the application name).
     *
     * @param tags must not use the keys {@code cache}, {@code result}, {@code level},
     *     {@value TierCacheMetrics#INSTANCE_TAG}
     */
    public Builder tags(Iterable<Tag> tags) {
      this.tags = this.tags.and(checked(tags));
      return this;
    }

    /**
     * Adds tags to every meter.
     *
     * @param keyValues key, value, key, value...; the same keys are refused as by {@link #tags(Iterable)}
     */
    public Builder tags(String... keyValues) {
      Objects.requireNonNull(keyValues, "keyValues must not be null");
      if (keyValues.length % 2 != 0) {
        throw new IllegalArgumentException(
            "keyValues must be key, value pairs, was " + keyValues.length + " strings");
      }
      for (int i = 0; i < keyValues.length; i++) {
        if (keyValues[i] == null) {
          throw new IllegalArgumentException(
              "keyValues must not contain null, index " + i + " was null");
        }
      }
      return tags(Tags.of(keyValues));
    }

    /**
     * Tags every meter with {@value TierCacheMetrics#INSTANCE_TAG}{@code =value}, so that several
     * {@code TierCache} objects with the same cache names in one process, bound to one registry,
     * are told apart. A value that outlives restarts (a host or pod name) keeps a Prometheus
     * server's series stable.
     *
     * @param value the tag value, not blank
     */
    public Builder instanceTag(String value) {
      Objects.requireNonNull(value, "value must not be null");
      if (value.isBlank()) {
        throw new IllegalArgumentException("value must not be blank");
      }
      this.instance = value;
      this.instanceFromTier = false;
      return this;
    }

    /**
     * Tags every meter with {@value TierCacheMetrics#INSTANCE_TAG} set to the id this
     * {@code TierCache} gives itself in coherence messages ({@code coherenceStats().instanceId()}),
     * which is new at every start. {@link #build()} fails when the {@code TierCache} has none
     * (coherence {@code NONE}, or no Redis): give a value then, {@link #instanceTag(String)}.
     */
    public Builder instanceTag() {
      this.instance = null;
      this.instanceFromTier = true;
      return this;
    }

    /**
     * @return the binder
     * @throws IllegalStateException if {@link #instanceTag()} was asked for and the {@code TierCache}
     *     has no instance id
     */
    public TierCacheMetrics build() {
      Tags all = tags;
      if (instanceFromTier) {
        String id = tier.coherenceStats().instanceId();
        if (id == null || id.isEmpty()) {
          throw new IllegalStateException(
              "instanceTag(): this TierCache has no instance id (coherence is NONE"
                  + " or there is no Redis); give the tag a value with instanceTag(value)");
        }
        all = all.and(INSTANCE_TAG, id);
      } else if (instance != null) {
        all = all.and(INSTANCE_TAG, instance);
      }
      return new TierCacheMetrics(all, tier);
    }
  }

  private static Tags checked(Iterable<Tag> tags) {
    Tags given = Tags.of(Objects.requireNonNull(tags, "tags must not be null"));
    for (Tag tag : given) {
      if (RESERVED.contains(tag.getKey())) {
        throw new IllegalArgumentException("tags must not use the key '" + tag.getKey()
            + "': TierCacheMetrics sets it (reserved: " + RESERVED + ")");
      }
    }
    return given;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry must not be null");
    Set<Meter> before = Collections.newSetFromMap(new IdentityHashMap<>());
    before.addAll(registry.getMeters());
    List<Function<MeterRegistry, Meter>> meters = new ArrayList<>();
    for (String name : tier.stats().keySet()) {
      addCacheMeters(meters, name);
    }
    addTierMeters(meters);

    List<Meter> added = new ArrayList<>();
    List<Meter.Id> taken = new ArrayList<>();
    for (Function<MeterRegistry, Meter> register : meters) {
      Meter meter = register.apply(registry);
      if (own.contains(meter)) {
        continue;
      }
      if (before.contains(meter)) {
        taken.add(meter.getId());
      } else {
        added.add(meter);
      }
    }
    if (!taken.isEmpty()) {
      added.forEach(registry::remove);
      throw new IllegalStateException(
          taken.size() + " meter(s) are already registered by another binder, first "
              + taken.get(0)
              + ": another TierCache with the same cache names, or another cache binder for a cache of"
              + " the same name; give each TierCacheMetrics an instanceTag or distinct tags");
    }
    own.addAll(added);
  }

  private void addCacheMeters(List<Function<MeterRegistry, Meter>> meters, String name) {
    Tags cache = tags.and("cache", name);
    // Names and meanings shared with Micrometer's CacheMeterBinder and CaffeineCacheMetrics.
    counter(
        meters,
        "cache.gets",
        cache.and("result", "hit"),
        name,
        s -> s.l1Hits() + s.l2Hits() + s.l3Hits(),
        "Reads answered by a level (hit) or by none (miss)");
    counter(
        meters,
        "cache.gets",
        cache.and("result", "miss"),
        name,
        CacheStats::misses,
        "Reads answered by a level (hit) or by none (miss)");
    counter(
        meters,
        "cache.puts",
        cache,
        name,
        s -> s.puts() + s.loads() + s.refreshes(),
        "Values stored: put calls, loader calls that returned, refreshes");
    counter(
        meters,
        "cache.evictions",
        cache,
        name,
        CacheStats::l1Evictions,
        "L1 entries evicted for size");
    counter(
        meters,
        "cache.load",
        cache.and("result", "success"),
        name,
        CacheStats::loads,
        "Loader calls by reads that returned (success) or threw (failure)");
    counter(
        meters,
        "cache.load",
        cache.and("result", "failure"),
        name,
        CacheStats::loadFailures,
        "Loader calls by reads that returned (success) or threw (failure)");
    meters.add(r -> TimeGauge.builder(
            "cache.load.duration",
            tier,
            TimeUnit.NANOSECONDS,
            t -> stat(t, name, CacheStats::totalLoadTimeNanos))
        .tags(cache)
        .description("Time spent in loader calls by reads, successful or not")
        .register(r));
    meters.add(r -> Gauge.builder("cache.size", tier, t -> stat(t, name, CacheStats::l1Size))
        .tags(cache)
        .description("Entries in L1 (an estimate)")
        .register(r));

    // Tiercache's own detail.
    counter(
        meters,
        "tiercache.cache.gets",
        cache.and("level", "l1"),
        name,
        CacheStats::l1Hits,
        "Reads by the level that answered: l1, l2 (Redis), l3 (local file), or none (a miss)");
    counter(
        meters,
        "tiercache.cache.gets",
        cache.and("level", "l2"),
        name,
        CacheStats::l2Hits,
        "Reads by the level that answered: l1, l2 (Redis), l3 (local file), or none (a miss)");
    counter(
        meters,
        "tiercache.cache.gets",
        cache.and("level", "l3"),
        name,
        CacheStats::l3Hits,
        "Reads by the level that answered: l1, l2 (Redis), l3 (local file), or none (a miss)");
    counter(
        meters,
        "tiercache.cache.gets",
        cache.and("level", "none"),
        name,
        CacheStats::misses,
        "Reads by the level that answered: l1, l2 (Redis), l3 (local file), or none (a miss)");
    counter(
        meters,
        "tiercache.cache.invalidations",
        cache,
        name,
        CacheStats::invalidations,
        "Keys invalidated");
    counter(
        meters,
        "tiercache.cache.degraded",
        cache,
        name,
        CacheStats::degradedCalls,
        "Operations that skipped or lost Redis because it was down or slow");
    counter(
        meters,
        "tiercache.cache.decode.errors",
        cache,
        name,
        CacheStats::decodeErrors,
        "Stored values that could not be decoded");
    counter(
        meters,
        "tiercache.cache.dead.letters",
        cache,
        name,
        CacheStats::deadLetters,
        "Write-back entries handed to the dead-letter listener");
    counter(
        meters,
        "tiercache.cache.refreshes",
        cache.and("result", "success"),
        name,
        CacheStats::refreshes,
        "Background reloads that stored a value (success) or whose loader threw (failure)");
    counter(
        meters,
        "tiercache.cache.refreshes",
        cache.and("result", "failure"),
        name,
        CacheStats::refreshFailures,
        "Background reloads that stored a value (success) or whose loader threw (failure)");
    meters.add(r -> Gauge.builder(
            "tiercache.cache.write.back.queue",
            tier,
            t -> stat(t, name, CacheStats::writeBackQueueDepth))
        .tags(cache)
        .description("Keys waiting to be written back")
        .register(r));
  }

  private void addTierMeters(List<Function<MeterRegistry, Meter>> meters) {
    meters.add(r -> FunctionCounter.builder(
            "tiercache.invalidations.sent", tier, t -> t.coherenceStats().sent())
        .tags(tags)
        .description("Invalidation messages published")
        .register(r));
    meters.add(r -> FunctionCounter.builder(
            "tiercache.invalidations.received", tier, t -> t.coherenceStats().received())
        .tags(tags)
        .description("Invalidation messages applied from other instances")
        .register(r));
    meters.add(r -> FunctionCounter.builder(
            "tiercache.invalidations.tracked",
            tier,
            t -> t.coherenceStats().trackingInvalidations())
        .tags(tags)
        .description("Keys evicted because Redis client tracking reported their change")
        .register(r));
    meters.add(r -> Gauge.builder(
            "tiercache.l1.answering", tier, t -> t.coherenceStats().l1Answering() ? 1 : 0)
        .tags(tags)
        .description(
            "1 while L1 may answer, 0 while coherence cannot vouch for it and reads go to Redis")
        .register(r));
    meters.add(r -> FunctionCounter.builder(
            "tiercache.invalidation.gaps", tier, t -> t.coherenceStats().gapFlushes())
        .tags(tags)
        .description("L1 clears because messages may have been lost")
        .register(r));
    meters.add(r -> Gauge.builder(
            "tiercache.invalidation.lag.p99",
            tier,
            t -> t.coherenceStats().lagP99Micros() / 1_000_000.0)
        .tags(tags)
        .baseUnit("seconds")
        .description("99th percentile of publish-to-eviction lag")
        .register(r));
    meters.add(
        r -> Gauge.builder("tiercache.redis.available", tier, t -> t.isRedisAvailable() ? 1 : 0)
            .tags(tags)
            .description("1 while Redis answers, 0 while calls degrade")
            .register(r));
  }

  private void counter(
      List<Function<MeterRegistry, Meter>> meters,
      String meter,
      Tags meterTags,
      String cache,
      ToLongFunction<CacheStats> value,
      String description) {
    meters.add(r -> FunctionCounter.builder(meter, tier, t -> stat(t, cache, value))
        .tags(meterTags)
        .description(description)
        .register(r));
  }

  private static double stat(TierCache tier, String cache, ToLongFunction<CacheStats> value) {
    CacheStats stats = tier.stats(cache);
    return stats == null ? Double.NaN : value.applyAsLong(stats);
  }
}
