package io.tiercache;

/**
 * Redis could not be reached, answered too slowly, or the circuit breaker is open. Reads never
 * throw it to callers (they degrade to the loader), nor do cache-aside and write-back writes;
 * a write-through {@code put} whose Redis write failed after the writer succeeded does, so that a
 * write that did not reach Redis is never reported as done; operations that cannot degrade, such
 * as acquiring a distributed lock, do too.
 */
public class RedisUnavailableException extends TierCacheException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message. */
  public RedisUnavailableException(String message) {
    super(message);
  }

  /** An exception with a message and a cause. */
  public RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
