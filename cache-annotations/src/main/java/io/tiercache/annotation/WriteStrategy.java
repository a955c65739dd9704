package io.tiercache.annotation;

/**
 * How a cache writes, as {@link Cached#strategy()} and {@link CacheDefaults#strategy()} declare
 * it: the same constants as the runtime's {@code io.tiercache.Strategy}, to which the generated
 * {@code declareCaches} maps them by name. This module has no dependencies, so it cannot use that
 * enum itself.
 */
public enum WriteStrategy {
  /** The caller writes the system of record and the cache is filled on reads (the default). */
  CACHE_ASIDE,
  /**
   * A {@code put} writes the system of record first, then the cache. Needs a writer, which only
   * the builder can give: {@code builder.cache(name, c -> c.writer(w))}.
   */
  WRITE_THROUGH,
  /**
   * A {@code put} writes the cache and queues the write to the system of record. Needs a writer,
   * given on the builder as for {@link #WRITE_THROUGH}.
   */
  WRITE_BACK
}
