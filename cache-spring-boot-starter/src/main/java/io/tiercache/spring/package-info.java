/**
 * Spring Boot support: {@link io.tiercache.spring.TiercacheAutoConfiguration} builds a {@link
 * io.tiercache.TierCache} from {@code tiercache.*} and a Spring {@code CacheManager} over it. See
 * {@code docs/spring.md}.
 */
package io.tiercache.spring;
