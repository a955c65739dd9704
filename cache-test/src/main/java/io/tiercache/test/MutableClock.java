package io.tiercache.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that a test moves by hand, for {@code TierCacheBuilder.clock(...)}: L1 expiry,
 * refresh-ahead and period-boundary expiry then follow it instead of the time of day, so a test
 * moves past a TTL with {@link #advance} instead of sleeping. Redis's own TTLs keep Redis's time.
 *
 * <pre>{@code
 * MutableClock clock = new MutableClock();
 * TierCache tier = TierCache.builder().redisUri(redis.uri()).clock(clock)...build();
 * clock.advance(Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>Thread-safe; {@link #withZone} returns a clock with the other zone that shares this one's
 * time, so moving this one moves it too.
 */
public final class MutableClock extends Clock {

  /** The shared time: a clock and its {@link #withZone} copies read and move the same instant. */
  private static final class Now {
    private volatile Instant instant;

    Now(Instant instant) {
      this.instant = instant;
    }
  }

  private final Now now;
  private final ZoneId zone;

  /** A clock at the current time, in UTC. */
  public MutableClock() {
    this(Instant.now(), ZoneOffset.UTC);
  }

  /** A clock at {@code start}, in {@code zone}. */
  public MutableClock(Instant start, ZoneId zone) {
    this(new Now(Objects.requireNonNull(start, "start must not be null")), zone);
  }

  private MutableClock(Now now, ZoneId zone) {
    this.now = now;
    this.zone = Objects.requireNonNull(zone, "zone must not be null");
  }

  /** Moves the clock forward by {@code amount} (zero or more); returns the new time. */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount must not be null");
    if (amount.isNegative()) {
      throw new IllegalArgumentException(
          "amount must not be negative, was " + amount + ": use set(...) to go back");
    }
    synchronized (now) {
      now.instant = now.instant.plus(amount);
      return now.instant;
    }
  }

  /** Sets the clock to {@code instant}, later or earlier than now. */
  public void set(Instant instant) {
    Objects.requireNonNull(instant, "instant must not be null");
    synchronized (now) {
      now.instant = instant;
    }
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone must not be null");
    return zone.equals(this.zone) ? this : new MutableClock(now, zone);
  }

  @Override
  public Instant instant() {
    return now.instant;
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.instant + ", " + zone + "]";
  }
}
