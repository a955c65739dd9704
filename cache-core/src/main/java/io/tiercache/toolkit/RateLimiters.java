package io.tiercache.toolkit;

import java.time.Duration;

/**
 * Creates rate limiters. Limiters are cheap views: creating one twice with the same name shares
 * its counts in Redis.
 *
 * <p>Windows are read from the toolkit's {@link WallClock}, so processes that share a limiter
 * should have synchronised clocks; a skew of {@code s} moves a fixed window's boundary, or
 * stretches a sliding window, by up to {@code s}.
 */
public interface RateLimiters {

  /** What a limiter answers while Redis is down unless told otherwise. */
  FailurePolicy DEFAULT_POLICY = FailurePolicy.FAIL_OPEN;

  /** The largest limit of a sliding-window limiter. */
  int MAX_SLIDING_LIMIT = 100_000;

  /**
   * A fixed-window limiter: at most {@code limit} permits in each window {@code [k·w, (k+1)·w)} of
   * the epoch. One integer per subject and window; a burst of up to {@code 2·limit} can straddle a
   * boundary.
   *
   * @param name the limiter's name, not empty
   * @param limit permits per window, positive
   * @param window the window, at least 1 ms
   * @param policy the answer while Redis is down
   * @return the limiter
   */
  RateLimiter fixedWindow(String name, int limit, Duration window, FailurePolicy policy);

  /**
   * A sliding-window (log) limiter: at most {@code limit} permits in any window of length {@code
   * window} ending now. Exact, at the price of one sorted-set entry per permit granted in the last
   * window; suits limits up to a few thousand, and refuses more than {@value #MAX_SLIDING_LIMIT}
   * (each permit is one entry added by a script that blocks Redis while it runs; use
   * {@link #fixedWindow} for larger limits).
   *
   * @param name the limiter's name, not empty
   * @param limit permits per window, 1 to {@value #MAX_SLIDING_LIMIT}
   * @param window the window, at least 1 ms
   * @param policy the answer while Redis is down
   * @return the limiter
   */
  RateLimiter slidingWindow(String name, int limit, Duration window, FailurePolicy policy);

  /** {@link #fixedWindow(String, int, Duration, FailurePolicy)} with {@link #DEFAULT_POLICY}. */
  default RateLimiter fixedWindow(String name, int limit, Duration window) {
    return fixedWindow(name, limit, window, DEFAULT_POLICY);
  }

  /** {@link #slidingWindow(String, int, Duration, FailurePolicy)} with {@link #DEFAULT_POLICY}. */
  default RateLimiter slidingWindow(String name, int limit, Duration window) {
    return slidingWindow(name, limit, window, DEFAULT_POLICY);
  }
}
