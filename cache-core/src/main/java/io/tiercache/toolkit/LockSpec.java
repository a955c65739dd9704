package io.tiercache.toolkit;

import java.time.Duration;

/**
 * How to take a lock: the lease (how long Redis keeps the lock if its holder vanishes), how long
 * to wait for it, how often to retry while waiting, and whether to renew the lease in the
 * background while the lock is held.
 *
 * @param lease how long the lock lives without renewal, at least 1 ms
 * @param maxWait how long {@code acquire} keeps retrying; {@link Duration#ZERO} tries once
 * @param retryInterval the pause between attempts (randomised between half and all of it), at
 *     least 1 ms
 * @param renew whether to extend the lease every third of it while the lock is held
 */
public record LockSpec(Duration lease, Duration maxWait, Duration retryInterval, boolean renew) {

  /** The default pause between attempts. */
  public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofMillis(20);

  /** Checks the arguments. */
  public LockSpec {
    Names.requirePositiveMillis(lease, "lease");
    Names.requireNonNegativeMillis(maxWait, "maxWait");
    Names.requirePositiveMillis(retryInterval, "retryInterval");
  }

  /** A renewed lock with this lease and maximum wait and the default retry interval. */
  public static LockSpec of(Duration lease, Duration maxWait) {
    return new LockSpec(lease, maxWait, DEFAULT_RETRY_INTERVAL, true);
  }

  /** A copy that retries every {@code interval}. */
  public LockSpec withRetryInterval(Duration interval) {
    return new LockSpec(lease, maxWait, interval, renew);
  }

  /** A copy whose lease is never renewed: the lock ends after the lease even if still held. */
  public LockSpec withoutRenewal() {
    return new LockSpec(lease, maxWait, retryInterval, false);
  }
}
