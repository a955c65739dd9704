package io.tiercache;

import io.tiercache.toolkit.Blobs;
import io.tiercache.toolkit.CappedLists;
import io.tiercache.toolkit.Counters;
import io.tiercache.toolkit.Hashes;
import io.tiercache.toolkit.Leaderboards;
import io.tiercache.toolkit.Locks;
import io.tiercache.toolkit.RateLimiters;
import io.tiercache.toolkit.Tokens;
import io.tiercache.toolkit.Toolkit;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

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

  /**
   * Removes one structured key whatever cache holds it: from Redis, and from the L1 of every
   * cache of this instance. Use it for {@code String} keys such as {@code project:42:info}.
   *
   * @param key the structured key without the prefix, not null or empty
   */
  void invalidate(String key);

  /**
   * A high-priority {@link #invalidate}: removes the key from Redis and from this instance's L1,
   * then waits, at most {@code timeout}, until every other live instance (one whose heartbeat
   * reached Redis within the last 3 s) has evicted it from its L1 and said so. Its message is
   * applied before mass invalidations read in the same batch, and those are paced
   * ({@link TierCacheBuilder#massInvalidationRate}) so that they cannot hold it up. Without
   * coherence (no Redis, or {@link CoherenceMode#NONE}) it is {@link #invalidate} and the answer is
   * complete at once. See docs/coherence.md.
   *
   * @param key the structured key without the prefix, not null or empty
   * @param timeout how long to wait for the acknowledgements; 1 ms to 1 minute
   */
  InvalidationAck invalidateAndWait(String key, Duration timeout);

  /**
   * Removes every key matching a pattern, in every cache: from Redis with {@code SCAN MATCH} and
   * {@code UNLINK} in batches (never {@code KEYS}), and from the L1 of every cache of this
   * instance. The pattern is a structured key with Redis glob characters, without the prefix:
   * {@code "project:42:*"}. Build its variable parts with {@link Keys#segment}, which never
   * produces a glob character, so a value cannot widen the pattern.
   *
   * <p>If Redis is unreachable, L1 is cleared at once and the Redis part runs when it is back.
   *
   * @param pattern the pattern, not null or empty
   * @return the number of Redis keys deleted (0 if Redis is off or unreachable)
   */
  long invalidatePattern(String pattern);

  /**
   * A versioned namespace: a group of keys invalidated in O(1) on every instance by {@link
   * Namespace#bump()}.
   *
   * @param name a structured key prefix such as {@code catalogue} or {@code tenant:42}
   */
  Namespace namespace(String name);

  /** The event invalidation registry (seed 004): event name to key patterns. */
  InvalidationEvents events();

  /** Counters of the invalidation messages between instances. */
  CoherenceStats coherenceStats();

  /**
   * The Redis toolkit (counters, rate limiters, locks, tokens, leaderboards, capped lists,
   * hashes, blobs), sharing this instance's connection, prefix and JSON mapper.
   *
   * @throws IllegalStateException if no Redis URI was configured
   */
  Toolkit toolkit();

  /** Atomic counters; see {@link io.tiercache.toolkit.Counters}. */
  default Counters counters() {
    return toolkit().counters();
  }

  /** Fixed and sliding window rate limiters. */
  default RateLimiters rateLimiters() {
    return toolkit().rateLimiters();
  }

  /** Distributed locks with leases and fencing tokens. */
  default Locks locks() {
    return toolkit().locks();
  }

  /** The token store: Redis keeps only a hash of each token. */
  default Tokens tokens() {
    return toolkit().tokens();
  }

  /** Capped leaderboards on sorted sets. */
  default Leaderboards leaderboards() {
    return toolkit().leaderboards();
  }

  /** Capped lists (latest N). */
  default CappedLists lists() {
    return toolkit().lists();
  }

  /** Typed hashes. */
  default Hashes hashes() {
    return toolkit().hashes();
  }

  /** The blob cache: bytes with a content type, size limit and TTL. */
  default Blobs blobs() {
    return toolkit().blobs();
  }

  /** Every counter and Redis fact at this moment; {@link StatsSnapshot#toJson()} for JSON. */
  StatsSnapshot snapshot();

  /**
   * Runs {@code task} every {@code period} on Tiercache's background threads (for example a
   * warm-up), first after one period. Failures are logged and do not stop later runs.
   *
   * @return a handle whose {@code cancel(false)} stops it
   */
  ScheduledFuture<?> scheduleEvery(Duration period, Runnable task);

  /**
   * Runs {@code task} every day at {@code time} in {@code zone} (for example a warm-up before the
   * morning peak).
   */
  ScheduledFuture<?> scheduleDaily(LocalTime time, ZoneId zone, Runnable task);

  /** The names of the declared caches and of those created since. */
  Set<String> cacheNames();

  /** A snapshot of every cache's counters, by cache name. */
  Map<String, CacheStats> stats();

  /**
   * A snapshot of one cache's counters: what {@code stats().get(cacheName)} gives, without taking
   * a snapshot of every other cache (a metrics scrape reads one meter at a time).
   *
   * @param cacheName a cache name, not null
   * @return the snapshot, or null if no cache of that name has been declared or used yet
   * @throws NullPointerException if {@code cacheName} is null
   */
  CacheStats stats(String cacheName);

  /** The key prefix: every Redis key starts with {@code prefix + ":"}. */
  String keyPrefix();

  /** Whether Redis is configured and currently answering (the circuit breaker is closed). */
  boolean isRedisAvailable();

  /**
   * Redis's state for a health check: up, refusing writes because it reached {@code maxmemory},
   * down (the breaker is open), or not configured. Never touches the network.
   */
  RedisHealth redisHealth();

  /** Flushes the write-back queues of every cache. */
  void flush();

  /**
   * Flushes every write-back queue, stops the background tasks and closes the Redis connection.
   * Caches must not be used afterwards. Calling it again does nothing.
   */
  @Override
  void close();

  /**
   * Calls {@code listener} for keyspace notifications about keys under this instance's prefix
   * (seed 001: refresh an image when it expires). Tiercache turns the needed flags of {@code
   * notify-keyspace-events} on with {@code CONFIG SET} (on every master of a cluster) and adds them
   * to what is set; where {@code CONFIG} is not allowed and the flags are off, it throws, naming
   * the setting and the flags to set. Delivery is at most once and per instance: every instance
   * that subscribed gets every event, and an event published while this instance's subscription is
   * reconnecting is lost (Redis keeps no history of them). Listeners run on a shared pool; one that
   * throws is logged and does not stop others. Tiercache's own keys ({@code __}) are not reported.
   *
   * @param kinds the kinds to report, not empty
   * @param listener not null
   * @return closes the subscription
   * @throws IllegalStateException if Redis is off for this instance, or the notifications cannot be
   *     turned on
   */
  AutoCloseable onKeyEvents(Set<KeyEvent.Kind> kinds, Consumer<KeyEvent> listener);
}
