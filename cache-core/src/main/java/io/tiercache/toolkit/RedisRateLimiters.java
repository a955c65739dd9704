package io.tiercache.toolkit;

import io.lettuce.core.ScriptOutputType;
import io.tiercache.RedisUnavailableException;
import io.tiercache.internal.redis.RedisTier;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link RateLimiters} with both algorithms as Lua scripts; time comes from the {@link WallClock}. */
final class RedisRateLimiters implements RateLimiters {

  private static final Logger log = LoggerFactory.getLogger(RedisRateLimiters.class);

  /** What a refused degraded answer suggests: Redis may be back by then. */
  static final Duration DEGRADED_RETRY_AFTER = Duration.ofSeconds(1);

  // KEYS[1] count of one window; ARGV: limit, permits, ttl ms. Returns {allowed, remaining}.
  // A count that is not a number (foreign or corrupt data) counts as 0 and is replaced.
  private static final Script FIXED = new Script("""
      local stored = redis.call('GET', KEYS[1])
      local c = tonumber(stored)
      if stored and not c then redis.call('DEL', KEYS[1]) end
      c = c or 0
      local limit = tonumber(ARGV[1])
      local p = tonumber(ARGV[2])
      if c + p > limit then return {0, limit - c} end
      c = redis.call('INCRBY', KEYS[1], p)
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return {1, limit - c}
      """);

  // KEYS[1] log; ARGV: now ms, window ms, limit, permits, unique member base.
  // Returns {allowed, remaining, retry ms}.
  private static final Script SLIDING = new Script("""
      local now = tonumber(ARGV[1])
      local window = tonumber(ARGV[2])
      local limit = tonumber(ARGV[3])
      local p = tonumber(ARGV[4])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
      local c = redis.call('ZCARD', KEYS[1])
      if c + p <= limit then
        for i = 1, p do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
        redis.call('PEXPIRE', KEYS[1], window + 1000)
        return {1, limit - c - p, 0}
      end
      local need = c + p - limit
      local oldest = redis.call('ZRANGE', KEYS[1], need - 1, need - 1, 'WITHSCORES')
      local retry = tonumber(oldest[2]) + window - now
      if retry < 1 then retry = 1 end
      return {0, limit - c, retry}
      """);

  private final RedisTier redis;
  private final String prefix;
  private final WallClock clock;

  RedisRateLimiters(RedisTier redis, String prefix, WallClock clock) {
    this.redis = redis;
    this.prefix = prefix;
    this.clock = clock;
  }

  @Override
  public RateLimiter fixedWindow(String name, int limit, Duration window, FailurePolicy policy) {
    return new Limiter(name, limit, window, policy, false);
  }

  @Override
  public RateLimiter slidingWindow(String name, int limit, Duration window, FailurePolicy policy) {
    return new Limiter(name, limit, window, policy, true);
  }

  private final class Limiter implements RateLimiter {
    private final String name;
    private final int limit;
    private final Duration window;
    private final long windowMillis;
    private final FailurePolicy policy;
    private final boolean sliding;

    Limiter(String name, int limit, Duration window, FailurePolicy policy, boolean sliding) {
      this.name = Names.requireName(name, "name");
      this.limit = Names.requirePositive(limit, "limit");
      if (sliding && limit > MAX_SLIDING_LIMIT) {
        throw new IllegalArgumentException(
            "limit of a sliding window must be at most " + MAX_SLIDING_LIMIT
                + " (one Redis entry per permit), was " + limit + ": use a fixed window");
      }
      this.windowMillis = Names.requirePositiveMillis(window, "window");
      this.window = Duration.ofMillis(windowMillis);
      this.policy = Names.requireNonNull(policy, "policy");
      this.sliding = sliding;
    }

    @Override
    public RateLimit tryAcquire(String subject, int permits) {
      Names.requireName(subject, "subject");
      if (permits <= 0 || permits > limit) {
        throw new IllegalArgumentException(
            "permits must be between 1 and the limit " + limit + ", was " + permits);
      }
      long now = clock.currentTimeMillis();
      try {
        return sliding ? sliding(subject, permits, now) : fixed(subject, permits, now);
      } catch (RedisUnavailableException e) {
        log.debug("rate limiter '{}' answers by its policy {}: {}", name, policy, e.getMessage());
        return policy == FailurePolicy.FAIL_OPEN
            ? new RateLimit(true, limit, Duration.ZERO, true)
            : new RateLimit(
                false,
                0,
                DEGRADED_RETRY_AFTER.compareTo(window) < 0 ? DEGRADED_RETRY_AFTER : window,
                true);
      }
    }

    private RateLimit fixed(String subject, int permits, long now) {
      long index = Math.floorDiv(now, windowMillis);
      long untilNext = (index + 1) * windowMillis - now;
      String key = Names.key(prefix, "rate", "fw", name, subject, Long.toString(index));
      // The TTL only collects old windows; the grace covers clock skew between processes.
      List<Object> reply = redis.call(
          "rate limit",
          r -> FIXED.run(
              r,
              ScriptOutputType.MULTI,
              new String[] {key},
              Names.utf8(limit),
              Names.utf8(permits),
              Names.utf8(untilNext + 1000)));
      boolean allowed = (Long) reply.get(0) == 1;
      long remaining = Math.max(0, (Long) reply.get(1));
      return new RateLimit(
          allowed, remaining, allowed ? Duration.ZERO : Duration.ofMillis(untilNext), false);
    }

    private RateLimit sliding(String subject, int permits, long now) {
      String key = Names.key(prefix, "rate", "sw", name, subject);
      String member = now + ":" + Long.toHexString(ThreadLocalRandom.current().nextLong());
      List<Object> reply = redis.call(
          "rate limit",
          r -> SLIDING.run(
              r,
              ScriptOutputType.MULTI,
              new String[] {key},
              Names.utf8(now),
              Names.utf8(windowMillis),
              Names.utf8(limit),
              Names.utf8(permits),
              Names.utf8(member)));
      boolean allowed = (Long) reply.get(0) == 1;
      long remaining = Math.max(0, (Long) reply.get(1));
      return new RateLimit(allowed, remaining, Duration.ofMillis((Long) reply.get(2)), false);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int limit() {
      return limit;
    }

    @Override
    public Duration window() {
      return window;
    }

    @Override
    public FailurePolicy policy() {
      return policy;
    }

    @Override
    public String toString() {
      return (sliding ? "SlidingWindow" : "FixedWindow") + "RateLimiter[" + name + ", " + limit
          + " per " + window + ", " + policy + "]";
    }
  }
}
