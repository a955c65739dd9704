/**
 * Micrometer binding. Micrometer is an optional dependency of cache-core: add
 * {@code io.micrometer:micrometer-core} to use {@link io.tiercache.metrics.TierCacheMetrics}.
 */
package io.tiercache.metrics;
