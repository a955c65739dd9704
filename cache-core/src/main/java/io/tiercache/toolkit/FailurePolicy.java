package io.tiercache.toolkit;

/** What a rate limiter answers while Redis is down or slow. */
public enum FailurePolicy {
  /** Allow the call: availability over protection (a cache of a public page). */
  FAIL_OPEN,
  /** Refuse the call: protection over availability (login attempts, costly operations). */
  FAIL_CLOSED
}
