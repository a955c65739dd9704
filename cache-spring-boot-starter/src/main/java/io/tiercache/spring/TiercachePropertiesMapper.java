package io.tiercache.spring;

import io.tiercache.CacheSpec;
import io.tiercache.TierCacheBuilder;
import io.tiercache.TypeRef;
import io.tiercache.spring.TiercacheProperties.CacheProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Turns bound {@code tiercache.*} properties into {@link TierCacheBuilder} and {@link
 * CacheSpec.Builder} calls: the one place where the starter knows the builder's setters. Every
 * rule stays the builder's; a value it refuses stops start-up with an {@link
 * InvalidConfigurationPropertyValueException} naming the property, the value (secrets redacted)
 * and the builder's message.
 */
public final class TiercachePropertiesMapper {

  private TiercachePropertiesMapper() {}

  /**
   * Applies every property that is set to {@code builder}.
   *
   * @param properties the bound properties, not null
   * @param builder the builder, not null
   * @throws InvalidConfigurationPropertyValueException naming the first property the builder refuses
   */
  public static void apply(TiercacheProperties properties, TierCacheBuilder builder) {
    Objects.requireNonNull(properties, "properties must not be null");
    Objects.requireNonNull(builder, "builder must not be null");
    TiercacheProperties.Redis redis = properties.getRedis();
    if (redis.getUri() != null && !redis.getCluster().isEmpty()) {
      throw new InvalidConfigurationPropertyValueException("tiercache.redis.cluster", redis.getCluster().size() + " seeds",
          "tiercache.redis.uri and tiercache.redis.cluster are both set: use one");
    }
    set("tiercache.redis.uri", redis.getUri(), true, builder::redisUri);
    if (!redis.getCluster().isEmpty()) {
      set("tiercache.redis.cluster", redis.getCluster(), true, builder::redisCluster);
    }
    if (redis.getUsername() != null && redis.getPassword() == null) {
      throw new InvalidConfigurationPropertyValueException("tiercache.redis.password", null,
          "tiercache.redis.username is set, so tiercache.redis.password must be set too");
    }
    if (redis.getPassword() != null) {
      set("tiercache.redis.password", redis.getPassword(), true,
          p -> builder.redisCredentials(redis.getUsername(), p));
    }
    set("tiercache.redis.trusted-certificates", redis.getTrustedCertificates(), false, builder::redisTrustedCertificates);
    set("tiercache.redis.command-timeout", redis.getCommandTimeout(), false, builder::commandTimeout);
    set("tiercache.redis.connect-timeout", redis.getConnectTimeout(), false, builder::connectTimeout);
    set("tiercache.redis.probe-interval", redis.getProbeInterval(), false, builder::probeInterval);
    TiercacheProperties.Breaker breaker = redis.getBreaker();
    if (breaker.getFailures() != null || breaker.getWindow() != null) {
      int failures = breaker.getFailures() != null ? breaker.getFailures() : TierCacheBuilder.DEFAULT_BREAKER_FAILURES;
      Duration window = breaker.getWindow() != null ? breaker.getWindow() : TierCacheBuilder.DEFAULT_BREAKER_WINDOW;
      String name = breaker.getFailures() != null ? "tiercache.redis.breaker.failures" : "tiercache.redis.breaker.window";
      try {
        builder.breaker(failures, window);
      } catch (IllegalArgumentException e) {
        String which = e.getMessage() != null && e.getMessage().contains("window") ? "tiercache.redis.breaker.window" : name;
        Object value = which.endsWith("window") ? window : failures;
        throw new InvalidConfigurationPropertyValueException(which, value, e.getMessage());
      }
    }
    set("tiercache.key-prefix", properties.getKeyPrefix(), false, builder::keyPrefix);
    set("tiercache.max-key-length", properties.getMaxKeyLength(), false, builder::maxKeyLength);
    set("tiercache.max-pending-deletes", properties.getMaxPendingDeletes(), false, builder::maxPendingDeletes);
    builder.allowUndeclaredCaches(properties.isAllowUndeclaredCaches());
    TiercacheProperties.Coherence coherence = properties.getCoherence();
    set("tiercache.coherence.mode", coherence.getMode(), false, builder::coherence);
    set("tiercache.coherence.strict", coherence.getStrict(), false, builder::strictCoherence);
    set("tiercache.coherence.stream-length", coherence.getStreamLength(), false, builder::invalidationStreamLength);
    set("tiercache.coherence.load-race-window", coherence.getLoadRaceWindow(), false, builder::loadRaceWindow);
    for (Map.Entry<String, List<String>> event : properties.getEvents().entrySet()) {
      set("tiercache.events." + event.getKey(), event.getValue(), false,
          patterns -> builder.event(event.getKey(), patterns.toArray(new String[0])));
    }

    // The defaults first, checked on their own, then each cache over them: a spec that its
    // builder refuses as a whole (refresh-after not shorter than ttl) names the cache.
    CacheProperties defaults = properties.getDefaults();
    check("tiercache.defaults", defaults, null);
    builder.defaults(d -> customize(d, "tiercache.defaults", defaults));
    for (Map.Entry<String, CacheProperties> cache : properties.getCaches().entrySet()) {
      String prefix = "tiercache.caches." + cache.getKey();
      CacheProperties settings = cache.getValue() != null ? cache.getValue() : new CacheProperties();
      check(prefix, settings, defaults);
      try {
        builder.cache(cache.getKey(), c -> customize(c, prefix, settings));
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new InvalidConfigurationPropertyValueException(prefix, cache.getKey(), e.getMessage());
      }
    }
  }

  /** Builds the spec once now, so that a refused value fails here with its property's name. */
  private static void check(String prefix, CacheProperties settings, CacheProperties defaults) {
    CacheSpec.Builder probe = CacheSpec.defaults().toBuilder();
    if (defaults != null) {
      probe = customize(probe, "tiercache.defaults", defaults);
    }
    probe = customize(probe, prefix, settings);
    try {
      probe.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidConfigurationPropertyValueException(prefix, "(the cache's settings)", e.getMessage());
    }
  }

  static CacheSpec.Builder customize(CacheSpec.Builder b, String prefix, CacheProperties p) {
    if (p.getValueType() != null) {
      set(prefix + ".value-type", p.getValueType(), false, t -> b.valueType(TypeRef.ofType(t)));
    }
    set(prefix + ".ttl", p.getTtl(), false, b::ttl);
    set(prefix + ".ttl-jitter", p.getTtlJitter(), false, b::ttlJitter);
    set(prefix + ".cache-nulls", p.getCacheNulls(), false, b::cacheNulls);
    set(prefix + ".null-ttl", p.getNullTtl(), false, b::nullTtl);
    set(prefix + ".l1", p.getL1(), false, b::l1);
    set(prefix + ".l1-max-size", p.getL1MaxSize(), false, b::l1MaxSize);
    set(prefix + ".l1-ttl", p.getL1Ttl(), false, b::l1Ttl);
    set(prefix + ".l2", p.getL2(), false, b::l2);
    set(prefix + ".strategy", p.getStrategy(), false, b::strategy);
    set(prefix + ".compression-threshold", p.getCompressionThreshold(), false, b::compressionThreshold);
    set(prefix + ".max-value-size", p.getMaxValueSize(), false, b::maxValueSize);
    set(prefix + ".refresh-after", p.getRefreshAfter(), false, b::refreshAfter);
    set(prefix + ".refresh-idle-periods", p.getRefreshIdlePeriods(), false, b::refreshIdlePeriods);
    set(prefix + ".refresh-max-keys", p.getRefreshMaxKeys(), false, b::refreshMaxKeys);
    set(prefix + ".early-refresh-beta", p.getEarlyRefreshBeta(), false, b::earlyRefreshBeta);
    set(prefix + ".distributed-load", p.getDistributedLoad(), false, b::distributedLoad);
    set(prefix + ".write-loaded-async", p.getWriteLoadedAsync(), false, b::writeLoadedAsync);
    set(prefix + ".shared-keys", p.getSharedKeys(), false, b::sharedKeys);
    set(prefix + ".hot-keys", p.getHotKeys(), false, b::hotKeys);
    return b;
  }

  private static <T> void set(String property, T value, boolean secret, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
      throw new InvalidConfigurationPropertyValueException(property, secret ? redact(value) : value, e.getMessage());
    }
  }

  /** A URI without its user information, or "(hidden)" for a password. */
  static Object redact(Object value) {
    if (value instanceof String text) {
      if (text.contains("://")) {
        return io.tiercache.redis.RedisEndpoint.redact(text);
      }
      return "(hidden)";
    }
    if (value instanceof List<?> list) {
      return list.stream().map(TiercachePropertiesMapper::redact).toList();
    }
    return "(hidden)";
  }
}
