package io.tiercache;

/**
 * Redis could not be reached, answered too slowly, or the circuit breaker is open. Caches never
 * throw it to callers (they degrade to the loader); operations that cannot degrade, such as
 * acquiring a distributed lock, do.
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
