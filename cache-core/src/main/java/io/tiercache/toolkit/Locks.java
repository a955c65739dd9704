package io.tiercache.toolkit;

import io.tiercache.RedisUnavailableException;
import java.time.Duration;
import java.util.Optional;

/**
 * Distributed mutual-exclusion locks on one Redis primary: {@code SET key owner NX PX lease},
 * retried until a wait bound, released by a Lua compare-and-delete, renewed while held.
 *
 * <p><b>Guarantees and their limits.</b> Among processes that reach the same Redis primary, at
 * most one holds a lock at a time, as long as no holder is paused for longer than its lease. Redis
 * replication is asynchronous: if the primary fails after granting a lock and before a replica
 * received it, the promoted replica does not know the lock and grants it again (the fencing
 * counter can go back too, if its last increments were lost). A fence key that is evicted or lost
 * in a restart does not make tokens go back: the next token comes from the server's clock in
 * microseconds, which is larger than every earlier token unless that clock went back. Use these
 * locks for efficiency (avoiding duplicate work), and fencing tokens checked by the downstream
 * store for correctness.
 */
public interface Locks {

  /**
   * Acquires a lock, retrying until the spec's {@link LockSpec#maxWait()} has passed.
   *
   * @param name the lock's name, not empty
   * @param spec lease, wait, retry interval and renewal
   * @return the held lock
   * @throws LockNotAcquiredException if another holder kept the lock for the whole wait, or the
   *     thread was interrupted (its interrupt flag is set again)
   * @throws RedisUnavailableException if Redis is down or slow: the lock cannot be taken
   */
  Lock acquire(String name, LockSpec spec);

  /**
   * {@link #acquire(String, LockSpec)} with a renewed lease.
   *
   * @param name the lock's name, not empty
   * @param lease at least 1 ms
   * @param maxWait how long to keep retrying, not negative
   * @return the held lock
   * @throws LockNotAcquiredException if the lock stayed taken for the whole wait
   * @throws RedisUnavailableException if Redis is down or slow
   */
  default Lock acquire(String name, Duration lease, Duration maxWait) {
    return acquire(name, LockSpec.of(lease, maxWait));
  }

  /**
   * Like {@link #acquire(String, LockSpec)} but answers "not acquired" with an empty optional.
   *
   * @param name the lock's name, not empty
   * @param spec lease, wait, retry interval and renewal
   * @return the held lock, or empty if the wait passed or the thread was interrupted
   * @throws RedisUnavailableException if Redis is down or slow
   */
  Optional<Lock> tryAcquire(String name, LockSpec spec);

  /**
   * Whether some holder has the lock right now.
   *
   * @param name the lock's name, not empty
   * @throws RedisUnavailableException if Redis is down or slow
   */
  boolean isLocked(String name);
}
