package io.tiercache.toolkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.internal.redis.RedisTier;
import io.tiercache.internal.redis.ToolkitFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The entry to the Redis toolkit, from {@code TierCache.toolkit()}. It shares the caches' Redis
 * connection, command timeout and circuit breaker, their key prefix and JSON mapper, and a scheduler
 * for batched counter flushes and lock renewals.
 *
 * <p>Every key it writes starts with {@code prefix + ":__tk:"} and a kind segment ({@code counter},
 * {@code rate}, {@code lock}, {@code lock_fence}, {@code token}, {@code token_sessions}, {@code lb},
 * {@code list}, {@code hash}, {@code blob}, {@code value}, {@code bloom}, {@code bloom_meta}, {@code bloom_next}); see the package overview for the full layout.
 *
 * <pre>{@code
 * Toolkit toolkit = tierCache.toolkit();
 * long likes = toolkit.counters().increment("article:42:likes");
 * try (Lock lock = toolkit.locks().acquire("rebuild", Duration.ofSeconds(10), Duration.ofSeconds(2))) {
 *   rebuild(lock.fencingToken());
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@code TierCache.close()} closes it: {@link #close()} flushes batched counters and
 * stops lease renewals; it does not close the Redis connection or the scheduler.
 */
public final class Toolkit implements AutoCloseable {

  static {
    ToolkitFactory.register(Toolkit::new); // the only way to a toolkit from outside this package
  }

  private final RedisTier redis;
  /** The segment after the application prefix under which every toolkit key lives. */
  static final String NAMESPACE = "__tk";

  private final String appPrefix;
  private final String prefix;
  private final ObjectMapper mapper;
  private final ScheduledExecutorService scheduler;
  private final WallClock clock;
  private final Map<CounterSpec, RedisCounters> counters = new ConcurrentHashMap<>();
  private final RedisRateLimiters rateLimiters;
  private final RedisLocks locks;
  private final RedisTokens tokens;
  private final RedisLeaderboards leaderboards;
  private final RedisCappedLists lists;
  private final RedisHashes hashes;
  private final RedisBlobs blobs;
  private final RedisBloomFilters bloomFilters;
  private final RedisValues values;
  private volatile boolean closed;

  /**
   * A toolkit reading time from the system clock.
   *
   * @param redis the Redis level, not null
   * @param keyPrefix the key prefix, not empty
   * @param mapper the JSON mapper for metadata, list items and hash values, not null
   * @param scheduler runs batched counter flushes and lease renewals, not null
   */
  Toolkit(
      RedisTier redis, String keyPrefix, ObjectMapper mapper, ScheduledExecutorService scheduler) {
    this(redis, keyPrefix, mapper, scheduler, WallClock.system());
  }

  /**
   * A toolkit reading time from {@code clock} (rate-limit windows, token timestamps).
   *
   * @param redis the Redis level, not null
   * @param keyPrefix the key prefix, not empty
   * @param mapper the JSON mapper, not null
   * @param scheduler runs batched counter flushes and lease renewals, not null
   * @param clock the wall clock, not null
   */
  Toolkit(
      RedisTier redis,
      String keyPrefix,
      ObjectMapper mapper,
      ScheduledExecutorService scheduler,
      WallClock clock) {
    this.redis = Names.requireNonNull(redis, "redis");
    this.appPrefix = Names.requireName(keyPrefix, "keyPrefix");
    // "__" marks Tiercache's own data: cache keys may not start with it and pattern
    // invalidation never touches it, so toolkit state cannot collide with cached values.
    this.prefix = appPrefix + ":" + NAMESPACE;
    this.mapper = Names.requireNonNull(mapper, "mapper");
    this.scheduler = Names.requireNonNull(scheduler, "scheduler");
    Names.requireNonNull(clock, "clock");
    this.rateLimiters = new RedisRateLimiters(redis, prefix, clock);
    this.locks = new RedisLocks(redis, prefix, scheduler);
    this.clock = clock;
    this.tokens =
        new RedisTokens(redis, prefix, mapper, clock, Tokens.DEFAULT_MAX_SESSIONS_PER_USER);
    this.leaderboards = new RedisLeaderboards(redis, prefix);
    this.lists = new RedisCappedLists(redis, prefix, mapper);
    this.hashes = new RedisHashes(redis, prefix, mapper);
    this.blobs = new RedisBlobs(redis, prefix, Blobs.DEFAULT_MAX_BYTES, Blobs.DEFAULT_TTL);
    this.bloomFilters = new RedisBloomFilters(redis, prefix);
    this.values = new RedisValues(redis, prefix, mapper);
  }

  /** Counters without TTL or batching. */
  public Counters counters() {
    return counters(CounterSpec.defaults());
  }

  /**
   * Counters written as {@code spec} says. Views with equal specs are one view, so a batched view
   * has one flush task however often it is asked for.
   *
   * @param spec TTL and batching, not null
   * @return the view
   * @throws IllegalStateException if the toolkit is closed and the spec batches
   */
  public Counters counters(CounterSpec spec) {
    Names.requireNonNull(spec, "spec");
    if (closed && spec.batched()) {
      throw new IllegalStateException(
          "the toolkit is closed: batched counters can no longer be created");
    }
    return counters.computeIfAbsent(spec, s -> new RedisCounters(redis, prefix, s, scheduler));
  }

  /** Fixed- and sliding-window rate limiters. */
  public RateLimiters rateLimiters() {
    return rateLimiters;
  }

  /** Distributed locks with leases, renewal and fencing tokens. */
  public Locks locks() {
    return locks;
  }

  /**
   * The token store, with at most {@link Tokens#DEFAULT_MAX_SESSIONS_PER_USER} live sessions per
   * user: only hashes of tokens reach Redis.
   */
  public Tokens tokens() {
    return tokens;
  }

  /**
   * The token store with its own limit of live sessions per user; it shares every token and
   * session with {@link #tokens()}. The limit is applied when a token is issued, so instances that
   * issue tokens should agree on it.
   *
   * <pre>{@code
   * Tokens tokens = toolkit.tokens(5);   // a sixth login ends the oldest session
   * }</pre>
   *
   * @param maxSessionsPerUser 1 to {@link Tokens#MAX_SESSIONS_PER_USER}
   * @return the token store
   */
  public Tokens tokens(int maxSessionsPerUser) {
    return maxSessionsPerUser == tokens.maxSessionsPerUser()
        ? tokens
        : new RedisTokens(redis, prefix, mapper, clock, maxSessionsPerUser);
  }

  /** Capped leaderboards on sorted sets. */
  public Leaderboards leaderboards() {
    return leaderboards;
  }

  /** Capped lists of the latest items. */
  public CappedLists lists() {
    return lists;
  }

  /** Typed hashes. */
  public Hashes hashes() {
    return hashes;
  }

  /** The blob cache with {@link Blobs#DEFAULT_MAX_BYTES} and {@link Blobs#DEFAULT_TTL}. */
  public Blobs blobs() {
    return blobs;
  }

  /**
   * A blob cache with its own limits; it shares keys with every other blob cache of this toolkit.
   *
   * @param maxBytes the size limit, 1 to {@link Blobs#MAX_MAX_BYTES}
   * @param ttl the default TTL, positive
   * @return the blob cache
   */
  public Blobs blobs(long maxBytes, Duration ttl) {
    return new RedisBlobs(redis, prefix, maxBytes, ttl);
  }

  /** Bloom filters kept in Redis, shared by every instance (the guard against penetration). */
  public BloomFilters bloomFilters() {
    return bloomFilters;
  }

  /** Plain JSON values with the key operations (TTL, exists, expire, batch delete). */
  public Values values() {
    return values;
  }

  /** The application's key prefix; toolkit keys live under {@code prefix + ":__tk:"}. */
  public String keyPrefix() {
    return appPrefix;
  }

  /**
   * Flushes every batched counter (deltas that cannot be written are logged as lost) and stops
   * lease renewals (held locks end with their leases). Idempotent; {@code TierCache.close()} calls
   * it before it closes the Redis connection and the scheduler.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    locks.close();
    counters.values().forEach(RedisCounters::close);
  }
}
