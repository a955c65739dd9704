package io.tiercache.toolkit;

import java.time.Duration;

/**
 * One named limit, such as "10 logins per minute per user", applied per subject (a user id, an
 * IP address). The check and the count are one Lua script, so concurrent callers on any number of
 * processes never exceed the limit.
 *
 * <pre>{@code
 * RateLimiter logins = toolkit.rateLimiters()
 *     .slidingWindow("login", 10, Duration.ofMinutes(1), FailurePolicy.FAIL_CLOSED);
 * RateLimit answer = logins.tryAcquire(userId);
 * if (!answer.allowed()) {
 *   return tooManyRequests(answer.retryAfter());
 * }
 * }</pre>
 */
public interface RateLimiter {

  /**
   * Takes one permit for {@code subject} if the window has one left.
   *
   * @param subject who is limited, not empty
   * @return the answer; when Redis is down, the answer of the {@link #policy()}, marked {@link
   *     RateLimit#degraded()}
   */
  default RateLimit tryAcquire(String subject) {
    return tryAcquire(subject, 1);
  }

  /**
   * Takes {@code permits} permits for {@code subject}, all or none.
   *
   * @param subject who is limited, not empty
   * @param permits how many, from 1 to {@link #limit()}
   * @return the answer; when Redis is down, the answer of the {@link #policy()}, marked {@link
   *     RateLimit#degraded()}
   */
  RateLimit tryAcquire(String subject, int permits);

  /** The limiter's name. */
  String name();

  /** Permits per window. */
  int limit();

  /** The window's length. */
  Duration window();

  /** What {@link #tryAcquire} answers while Redis is down. */
  FailurePolicy policy();
}
