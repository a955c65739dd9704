package io.tiercache;

import java.util.Map;
import java.util.Set;

/**
 * The entry point: one Redis connection, one key prefix, and the named caches that share them.
 * Create one per application with {@link #builder()} and close it on shutdown.
 *
 * <pre>{@code
 * TierCache tier = TierCache.builder()
 *     .redisUri("redis://localhost:6379")
 *     .keyPrefix("zsxq")
 *     .defaults(d -> d.ttl(Duration.ofHours(1)).ttlJitter(0.1))
 *     .cache("project-info", c -> c.valueType(ProjectInfo.class).ttl(Duration.ofHours(2)))
 *     .build();
 *
 * Cache<String, ProjectInfo> info = tier.cache("project-info", ProjectInfo.class);
 * ProjectInfo p = info.get(Keys.of("project", 42, "info"), k -> api.projectInfo(42));
 * }</pre>
 *
 * <p>Instances are thread-safe. If Redis is down when the instance is built, or goes down later,
 * every cache keeps answering from L1 and its loaders, and uses Redis again once a background
 * probe sees it back.
 */
public interface TierCache extends AutoCloseable {

  /** A new builder. */
  static TierCacheBuilder builder() {
    return new TierCacheBuilder();
  }

  /**
   * The cache of this name, with the value type its spec declares.
   *
   * @throws IllegalArgumentException if the name was not declared (and undeclared caches are not
   *     allowed), or its spec has no value type
   */
  <K, V> Cache<K, V> cache(String name);

  /**
   * The cache of this name with values of a non-generic type.
   *
   * @throws IllegalArgumentException if the name is unknown, or the spec declares another type
   */
  <K, V> Cache<K, V> cache(String name, Class<V> valueType);

  /**
   * The cache of this name with values of a possibly generic type. Several value types may share
   * one cache name (one policy, several key shapes); each key must be used with one type only.
   *
   * @throws IllegalArgumentException if the name is unknown, the spec declares another type, or
   *     Jackson cannot serialize or deserialize the type
   */
  <K, V> Cache<K, V> cache(String name, TypeRef<V> valueType);

  /** The names of the declared caches and of those created since. */
  Set<String> cacheNames();

  /** A snapshot of every cache's counters, by cache name. */
  Map<String, CacheStats> stats();

  /** The key prefix: every Redis key starts with {@code prefix + ":"}. */
  String keyPrefix();

  /** Whether Redis is configured and currently answering (the circuit breaker is closed). */
  boolean isRedisAvailable();

  /** Flushes the write-back queues of every cache. */
  void flush();

  /**
   * Flushes every write-back queue, stops the background tasks and closes the Redis connection.
   * Caches must not be used afterwards. Calling it again does nothing.
   */
  @Override
  void close();
}
