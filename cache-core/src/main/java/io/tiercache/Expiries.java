package io.tiercache;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** Time left until an entry must expire at the latest: the spec's period boundary. */
final class Expiries {
  private Expiries() {}

  /**
   * Milliseconds from now to the next boundary of {@code period} in {@code zone}: the zone's
   * midnight plus whole periods (a 1-day period ends at the next midnight, DST days included).
   */
  static long untilNextBoundaryMillis(Duration period, ZoneId zone, Clock clock) {
    ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone));
    ZonedDateTime midnight = now.toLocalDate().atStartOfDay(zone);
    ZonedDateTime next;
    if (period.equals(Duration.ofDays(1))) {
      next = now.toLocalDate().plusDays(1).atStartOfDay(zone);
    } else {
      long p = period.toNanos();
      long since = Duration.between(midnight, now).toNanos();
      next = midnight.plusNanos((since / p + 1) * p);
      ZonedDateTime nextMidnight = now.toLocalDate().plusDays(1).atStartOfDay(zone);
      if (next.isAfter(nextMidnight)) {
        next = nextMidnight;
      }
    }
    return Math.max(1, Duration.between(now, next).toMillis());
  }

  /** The time to live of a new entry: the TTL (with jitter) capped by the boundary, if any. */
  static long capMillis(CacheSpec spec, Clock clock, long ttlMillis) {
    if (spec.expiryBoundary() == null) {
      return ttlMillis;
    }
    return Math.min(
        ttlMillis, untilNextBoundaryMillis(spec.expiryBoundary(), spec.expiryZone(), clock));
  }
}
