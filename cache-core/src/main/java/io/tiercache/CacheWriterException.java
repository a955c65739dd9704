package io.tiercache;

/** A write-through {@link CacheWriter} failed; the cache was left untouched. */
public class CacheWriterException extends TierCacheException {
  private static final long serialVersionUID = 1L;

  /** An exception naming the cache and key, with the writer's exception as the cause. */
  public CacheWriterException(String message, Throwable cause) {
    super(message, cause);
  }
}
