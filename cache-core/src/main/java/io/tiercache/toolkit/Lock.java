package io.tiercache.toolkit;

import io.tiercache.RedisUnavailableException;

/**
 * A held distributed lock. Close it (best in try-with-resources) to release it; while it is open
 * and its {@link LockSpec#renew()} is on, a background task extends its lease every third of the
 * lease.
 *
 * <p><b>A lease can be lost.</b> If this process stalls (a long GC pause) or cannot reach Redis
 * for longer than the lease, Redis lets the lock go and another process may take it while this
 * one still runs its critical section. {@link #isHeld()} turns false as soon as this process
 * knows or must assume that, but a check followed by a write is still racy; writes to another
 * store should carry {@link #fencingToken()} and that store should refuse tokens older than the
 * newest it has seen.
 *
 * <pre>{@code
 * try (Lock lock = toolkit.locks().acquire("report:daily", Duration.ofSeconds(30), Duration.ofSeconds(5))) {
 *   store.write(report, lock.fencingToken());
 * }
 * }</pre>
 */
public interface Lock extends AutoCloseable {

  /** The lock's name. */
  String name();

  /**
   * A number that is larger for every later acquisition of a lock of this name, for stores that
   * must refuse writes from a holder whose lease has ended. It is taken atomically with the lock:
   * the fence key's value + 1 ({@code INCR}), or, when the fence key is gone (evicted, lost in a
   * restart without persistence), the Redis server's clock in microseconds, which is still larger
   * than every earlier token as long as that clock has not gone back.
   */
  long fencingToken();

  /**
   * Whether this holder still owns the lock as far as it can tell: not released, the last renewal
   * found it still the owner, and less than one lease has passed since the last successful
   * acquisition or renewal began.
   */
  boolean isHeld();

  /**
   * Stops renewal and deletes the lock in Redis if this holder still owns it (a Lua
   * compare-and-delete: a holder whose lease ended can never delete the next holder's lock).
   *
   * @return whether this call deleted the lock; false if it was released already or the lease had
   *     ended
   * @throws RedisUnavailableException if Redis cannot be reached; renewal stops anyway and the
   *     lock ends with its lease
   */
  boolean release();

  /**
   * {@link #release()}, logging instead of throwing if Redis is unreachable (the lock then ends
   * with its lease), so that try-with-resources never hides the body's own exception.
   */
  @Override
  void close();
}
