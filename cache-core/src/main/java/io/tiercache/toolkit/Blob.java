package io.tiercache.toolkit;

import java.util.Arrays;

/**
 * Bytes with their content type, such as a proxied image.
 *
 * @param bytes the content; copied in and out, so a blob never changes
 * @param contentType a media type such as {@code image/png}, 1 to 255 printable ASCII characters
 */
public record Blob(byte[] bytes, String contentType) {

  /** The longest content type accepted. */
  public static final int MAX_CONTENT_TYPE_LENGTH = 255;

  /** Checks and copies the arguments. */
  public Blob {
    Names.requireNonNull(bytes, "bytes");
    Names.requireName(contentType, "contentType");
    if (contentType.length() > MAX_CONTENT_TYPE_LENGTH) {
      throw new IllegalArgumentException("contentType must be at most " + MAX_CONTENT_TYPE_LENGTH
          + " characters, was " + contentType.length());
    }
    for (int i = 0; i < contentType.length(); i++) {
      char c = contentType.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        throw new IllegalArgumentException(
            "contentType must be printable ASCII, found character " + (int) c + " at index " + i);
      }
    }
    bytes = bytes.clone();
  }

  /** A copy of the content. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The content's length in bytes. */
  public int size() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Blob that
        && Arrays.equals(bytes, that.bytes)
        && contentType.equals(that.contentType);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(bytes) + contentType.hashCode();
  }

  @Override
  public String toString() {
    return "Blob[" + contentType + ", " + bytes.length + " bytes]";
  }
}
