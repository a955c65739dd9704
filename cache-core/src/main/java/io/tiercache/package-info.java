/**
 * Tiercache's public API: {@link io.tiercache.TierCache} (built by {@link
 * io.tiercache.TierCacheBuilder}), {@link io.tiercache.Cache}, the immutable {@link
 * io.tiercache.CacheSpec}, {@link io.tiercache.Strategy}, {@link io.tiercache.CacheWriter} and
 * {@link io.tiercache.Keys}.
 *
 * <p>A cache reads L1 (Caffeine, in the process), then L2 (Redis through Lettuce), then its
 * loader; concurrent callers of one missing key share one load. Redis being down or slow never
 * fails a call. Values are Jackson JSON of their full generic type in a small frame, compressed
 * above a threshold.
 */
package io.tiercache;
