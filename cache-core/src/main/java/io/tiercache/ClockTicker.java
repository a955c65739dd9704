package io.tiercache;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;

/**
 * The nanosecond time source of L1 and refresh-ahead, derived from the builder's {@link Clock}: for
 * the system clock (in any zone) Caffeine's system ticker, so that nothing changes on a hit; for any
 * other clock (a test's) the nanoseconds its instant has moved since this ticker was made, so that
 * moving the clock by hand moves L1 expiry and refresh-ahead with it.
 */
final class ClockTicker implements Ticker {

  private final Clock clock;
  private final long originSeconds;
  private final long originNanos;

  private ClockTicker(Clock clock) {
    this.clock = clock;
    Instant origin = clock.instant();
    this.originSeconds = origin.getEpochSecond();
    this.originNanos = origin.getNano();
  }

  /** Caffeine's system ticker for the system clock, else a ticker reading {@code clock}. */
  static Ticker of(Clock clock) {
    return isSystem(clock) ? Ticker.systemTicker() : new ClockTicker(clock);
  }

  /** Whether {@code clock} is the system clock ({@link Clock#system}, {@link Clock#systemUTC}, ...). */
  static boolean isSystem(Clock clock) {
    return clock.equals(Clock.system(clock.getZone()));
  }

  /**
   * Nanoseconds since this ticker was made (negative once the clock is set back before that);
   * saturated instead of overflowing for a clock moved by more than about 290 years.
   */
  @Override
  public long read() {
    Instant now = clock.instant();
    long seconds = now.getEpochSecond() - originSeconds;
    if (Math.abs(seconds) >= Long.MAX_VALUE / 1_000_000_000L - 1) {
      return seconds > 0 ? Long.MAX_VALUE / 4 : Long.MIN_VALUE / 4;
    }
    return seconds * 1_000_000_000L + (now.getNano() - originNanos);
  }
}
