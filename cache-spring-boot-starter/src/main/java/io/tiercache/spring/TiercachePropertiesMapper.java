package io.tiercache.spring;

import io.tiercache.TierCacheBuilder;
import io.tiercache.TierCacheConfig;
import io.tiercache.spring.TiercacheProperties.CacheProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hands the bound {@code tiercache.*} properties to cache-core's one configuration schema, {@link
 * TierCacheConfig#fromMap}: the names, the rules and the error messages (property, value with
 * secrets redacted, rule) are cache-core's, the same as for environment variables and files. The
 * starter-only settings ({@code tiercache.enabled}, {@code tiercache.health.*}, {@code
 * tiercache.metrics.*}) are not passed on.
 */
public final class TiercachePropertiesMapper {

  /** The source named in cache-core's messages. */
  static final String SOURCE = "the Spring environment";

  private TiercachePropertiesMapper() {}

  /**
   * Adds the properties to {@code builder} as one {@link TierCacheConfig} layer; explicit builder
   * calls (a {@link TierCacheBuilderCustomizer}'s) win over it, as cache-core's precedence says.
   *
   * @param properties the bound properties, not null
   * @param builder the builder, not null
   * @throws IllegalArgumentException naming the property whose value cache-core refuses
   */
  public static void apply(TiercacheProperties properties, TierCacheBuilder builder) {
    Objects.requireNonNull(builder, "builder must not be null");
    Map<String, Object> map = toMap(properties);
    builder.config(TierCacheConfig.fromMap(map, SOURCE));
    // a cache named with nothing set (tiercache.caches.users=) has no entry in the map: declare it
    properties.getCaches().keySet().stream()
        .filter(name -> map.keySet().stream().noneMatch(k -> k.startsWith("caches." + name + ".")))
        .forEach(name -> builder.cache(name, c -> c));
  }

  /**
   * The properties as a {@link TierCacheConfig}.
   *
   * @param properties the bound properties, not null
   */
  public static TierCacheConfig toConfig(TiercacheProperties properties) {
    return TierCacheConfig.fromMap(toMap(properties), SOURCE);
  }

  /** The properties that are set, named relative to {@code tiercache.} in kebab case. */
  static Map<String, Object> toMap(TiercacheProperties properties) {
    Objects.requireNonNull(properties, "properties must not be null");
    Map<String, Object> m = new LinkedHashMap<>();
    TiercacheProperties.Redis redis = properties.getRedis();
    put(m, "redis.uri", redis.getUri());
    if (!redis.getCluster().isEmpty()) {
      put(m, "redis.cluster", List.copyOf(redis.getCluster()));
    }
    put(m, "redis.username", redis.getUsername());
    put(m, "redis.password", redis.getPassword());
    put(m, "redis.trusted-certificates", redis.getTrustedCertificates());
    put(m, "redis.command-timeout", redis.getCommandTimeout());
    put(m, "redis.connect-timeout", redis.getConnectTimeout());
    put(m, "redis.probe-interval", redis.getProbeInterval());
    put(m, "redis.breaker.failures", redis.getBreaker().getFailures());
    put(m, "redis.breaker.window", redis.getBreaker().getWindow());
    put(m, "key-prefix", properties.getKeyPrefix());
    put(m, "max-key-length", properties.getMaxKeyLength());
    put(m, "max-pending-deletes", properties.getMaxPendingDeletes());
    put(m, "allow-undeclared-caches", properties.isAllowUndeclaredCaches());
    TiercacheProperties.Coherence coherence = properties.getCoherence();
    put(
        m,
        "coherence.mode",
        coherence.getMode() == null ? null : coherence.getMode().name());
    put(m, "coherence.strict-bound", coherence.getStrictBound());
    put(m, "coherence.stream-length", coherence.getStreamLength());
    put(m, "coherence.mass-invalidation-rate", coherence.getMassInvalidationRate());
    put(m, "coherence.load-race-window", coherence.getLoadRaceWindow());
    put(m, "coherence.shards", coherence.getShards());
    put(m, "coherence.batch-appends", coherence.getBatchAppends());
    put(m, "coherence.read-interval", coherence.getReadInterval());
    properties
        .getEvents()
        .forEach((name, patterns) -> put(m, "events." + name, List.copyOf(patterns)));
    cache(m, "defaults.", properties.getDefaults());
    properties
        .getCaches()
        .forEach((name, settings) ->
            cache(m, "caches." + name + ".", settings != null ? settings : new CacheProperties()));
    return m;
  }

  private static void cache(Map<String, Object> m, String prefix, CacheProperties p) {
    put(
        m,
        prefix + "value-type",
        p.getValueType() == null ? null : p.getValueType().getName());
    put(m, prefix + "ttl", p.getTtl());
    put(m, prefix + "ttl-jitter", p.getTtlJitter());
    put(m, prefix + "cache-nulls", p.getCacheNulls());
    put(m, prefix + "null-ttl", p.getNullTtl());
    put(m, prefix + "l1", p.getL1());
    put(m, prefix + "l1-max-size", p.getL1MaxSize());
    put(m, prefix + "l1-ttl", p.getL1Ttl());
    put(m, prefix + "l2", p.getL2());
    put(m, prefix + "strategy", p.getStrategy() == null ? null : p.getStrategy().name());
    put(m, prefix + "compression-threshold", p.getCompressionThreshold());
    put(m, prefix + "max-value-size", p.getMaxValueSize());
    put(m, prefix + "shared-keys", p.getSharedKeys());
    put(m, prefix + "write-back.capacity", p.getWriteBack().getCapacity());
    put(m, prefix + "write-back.batch-size", p.getWriteBack().getBatchSize());
    put(m, prefix + "write-back.interval", p.getWriteBack().getInterval());
    put(m, prefix + "write-back.max-attempts", p.getWriteBack().getMaxAttempts());
    put(m, prefix + "write-back.backoff", p.getWriteBack().getBackoff());
    put(m, prefix + "refresh-after", p.getRefreshAfter());
    put(m, prefix + "refresh-idle-periods", p.getRefreshIdlePeriods());
    put(m, prefix + "refresh-max-keys", p.getRefreshMaxKeys());
    put(m, prefix + "early-refresh-beta", p.getEarlyRefreshBeta());
    put(m, prefix + "distributed-load", p.getDistributedLoad());
    put(m, prefix + "write-loaded-async", p.getWriteLoadedAsync());
    put(m, prefix + "hot-keys", p.getHotKeys());
    put(m, prefix + "bloom-guard.expected-keys", p.getBloomGuard().getExpectedKeys());
    put(m, prefix + "bloom-guard.false-positive-rate", p.getBloomGuard().getFalsePositiveRate());
    put(
        m,
        prefix + "l3.directory",
        p.getL3().getDirectory() == null ? null : p.getL3().getDirectory().toString());
    put(m, prefix + "l3.max-bytes", p.getL3().getMaxBytes());
    put(m, prefix + "replica-acks.replicas", p.getReplicaAcks().getReplicas());
    put(m, prefix + "replica-acks.timeout", p.getReplicaAcks().getTimeout());
    put(m, prefix + "expire-at-next-midnight", p.getExpireAtNextMidnight());
  }

  private static void put(Map<String, Object> m, String name, Object value) {
    if (value != null) {
      m.put(name, value);
    }
  }
}
