package io.tiercache.spring;

import io.tiercache.TierCacheBuilder;

/**
 * Adjusts the {@link TierCacheBuilder} after the {@code tiercache.*} properties were applied and
 * before the {@link io.tiercache.TierCache} bean is built. Every bean of this type is called, in
 * {@link org.springframework.core.annotation.Order} order. The place for what properties cannot
 * say: a generated decorator's caches, writers, an {@code ObjectMapper}, a clock.
 *
 * <pre>{@code
 * @Bean
 * TierCacheBuilderCustomizer projectCaches() {
 *   return CachedProjectService::declareCaches;
 * }
 * }</pre>
 *
 * <p>The properties keep the last word over a decorator's annotation settings: {@code
 * declareCaches} gives them as cache defaults, which {@code tiercache.caches.<name>.*} overrides.
 */
@FunctionalInterface
public interface TierCacheBuilderCustomizer {

  /**
   * @param builder the builder, with the properties applied
   */
  void customize(TierCacheBuilder builder);
}
