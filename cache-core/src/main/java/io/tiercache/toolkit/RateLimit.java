package io.tiercache.toolkit;

import java.time.Duration;

/**
 * A rate limiter's answer.
 *
 * @param allowed whether the caller may proceed
 * @param remaining permits left in the current window after this call (0 when refused, or the
 *     limit when the answer came from the failure policy)
 * @param retryAfter how long until a refused call could be allowed; {@link Duration#ZERO} when
 *     allowed
 * @param degraded whether Redis could not be asked and the answer is the limiter's {@link
 *     FailurePolicy}
 */
public record RateLimit(boolean allowed, long remaining, Duration retryAfter, boolean degraded) {

  /** Checks the arguments. */
  public RateLimit {
    Names.requireNonNull(retryAfter, "retryAfter");
    if (remaining < 0) {
      throw new IllegalArgumentException("remaining must not be negative, was " + remaining);
    }
  }
}
