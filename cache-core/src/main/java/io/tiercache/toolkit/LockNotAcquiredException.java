package io.tiercache.toolkit;

import io.tiercache.TierCacheException;

/**
 * {@link Locks#acquire} waited as long as it was allowed to (or was interrupted) and another
 * holder still had the lock. Redis being down is a {@link io.tiercache.RedisUnavailableException}
 * instead.
 */
public class LockNotAcquiredException extends TierCacheException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message. */
  public LockNotAcquiredException(String message) {
    super(message);
  }
}
