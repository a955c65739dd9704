package io.tiercache.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.metrics.TierCacheMetrics;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Builds one {@link TierCache} from {@code tiercache.*} (closed on shutdown, after its
 * write-back queues are flushed), a {@link TierCacheCacheManager} for Spring's caching
 * annotations, Micrometer meters when a {@link MeterRegistry} bean exists and a {@code
 * tiercache} health indicator when Actuator's health support is present. Runs before Boot's
 * cache auto-configuration, which then backs off.
 */
@AutoConfiguration(
    before = CacheAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass(TierCache.class)
@ConditionalOnProperty(prefix = "tiercache", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(TiercacheProperties.class)
public class TiercacheAutoConfiguration {

  /**
   * The TierCache: the properties (with {@code REDIS_URL} when {@code tiercache.redis.uri} and
   * {@code tiercache.redis.cluster} are absent), then every {@link TierCacheBuilderCustomizer}.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public TierCache tierCache(
      TiercacheProperties properties,
      Environment environment,
      ObjectProvider<TierCacheBuilderCustomizer> customizers) {
    VersionCheck.check();
    if (properties.getRedis().getUri() == null
        && properties.getRedis().getCluster().isEmpty()) {
      String fallback = environment.getProperty("REDIS_URL");
      if (fallback != null && !fallback.isBlank()) {
        properties.getRedis().setUri(fallback.trim());
      }
    }
    TierCacheBuilder builder = TierCache.builder();
    TiercachePropertiesMapper.apply(properties, builder);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    TierCache tier;
    try {
      tier = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalStateException(
          "the tiercache.* configuration cannot be built: " + e.getMessage(), e);
    }
    return tier; // cache-core logs the start: prefix, Redis state, caches
  }

  /** The Spring CacheManager over the TierCache's caches. */
  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  public TierCacheCacheManager cacheManager(TierCache tierCache, TiercacheProperties properties) {
    return new TierCacheCacheManager(tierCache, properties);
  }

  /** Meters, when Micrometer is present and the application has a registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  @ConditionalOnProperty(prefix = "tiercache.metrics", name = "enabled", matchIfMissing = true)
  static class MetricsConfiguration {

    /**
     * Binds the meters once every bean exists, and again for each cache the CacheManager makes
     * later (the binder registers only the caches that exist when it binds; binding it again is
     * no collision). The binder is no bean of its own: Boot binds every MeterBinder bean, which
     * would register each meter twice, and a plain MeterRegistry bean gets the meters too.
     */
    @Bean
    TierCacheMeterBinding tierCacheMeterBinding(
        TierCache tierCache,
        TiercacheProperties properties,
        ObjectProvider<MeterRegistry> registries,
        ObjectProvider<TierCacheCacheManager> cacheManager) {
      List<Tag> tags = new ArrayList<>();
      properties.getMetrics().getTags().forEach((k, v) -> tags.add(Tag.of(k, v)));
      TierCacheMetrics.Builder builder = TierCacheMetrics.builder(tierCache).tags(tags);
      if (properties.getMetrics().isInstanceTag()) {
        builder.instanceTag();
      }
      return new TierCacheMeterBinding(builder.build(), registries, cacheManager);
    }
  }

  /** Binds {@link TierCacheMetrics} to the application's registry; see {@link MetricsConfiguration}. */
  static final class TierCacheMeterBinding implements SmartInitializingSingleton {
    private final TierCacheMetrics metrics;
    private final ObjectProvider<MeterRegistry> registries;
    private final ObjectProvider<TierCacheCacheManager> cacheManager;

    TierCacheMeterBinding(
        TierCacheMetrics metrics,
        ObjectProvider<MeterRegistry> registries,
        ObjectProvider<TierCacheCacheManager> cacheManager) {
      this.metrics = metrics;
      this.registries = registries;
      this.cacheManager = cacheManager;
    }

    /** The binder. */
    TierCacheMetrics metrics() {
      return metrics;
    }

    @Override
    public void afterSingletonsInstantiated() {
      MeterRegistry registry = registries.getIfAvailable();
      if (registry == null) {
        return;
      }
      metrics.bindTo(registry);
      TierCacheCacheManager manager = cacheManager.getIfAvailable();
      if (manager != null) {
        manager.onNewCache(name -> metrics.bindTo(registry));
      }
    }
  }

  /** The {@code tiercache} health indicator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
  @ConditionalOnEnabledHealthIndicator("tiercache")
  @ConditionalOnProperty(prefix = "tiercache.health", name = "enabled", matchIfMissing = true)
  static class HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "tiercacheHealthIndicator")
    TierCacheHealthIndicator tiercacheHealthIndicator(
        TierCache tierCache, TiercacheProperties properties) {
      return new TierCacheHealthIndicator(tierCache, properties.getHealth());
    }
  }
}
