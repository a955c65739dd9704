package io.tiercache;

/**
 * The root of every exception Tiercache throws on its own account. Bad arguments throw {@link
 * IllegalArgumentException} and calls in the wrong state {@link IllegalStateException}, as the JDK
 * does; exceptions thrown by a caller's loader reach the caller unchanged.
 */
public class TierCacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message. */
  public TierCacheException(String message) {
    super(message);
  }

  /** An exception with a message and a cause. */
  public TierCacheException(String message, Throwable cause) {
    super(message, cause);
  }
}
