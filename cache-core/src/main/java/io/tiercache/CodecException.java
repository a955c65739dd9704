package io.tiercache;

/**
 * A value could not be encoded (thrown to the caller of {@code put}, nothing written) or stored
 * bytes could not be decoded (never thrown to a reader: the entry is treated as a miss, deleted,
 * counted and logged).
 */
public class CodecException extends TierCacheException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message and a cause. */
  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
