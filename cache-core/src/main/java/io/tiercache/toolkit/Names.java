package io.tiercache.toolkit;

import io.tiercache.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Argument checks and key building shared by the tools; messages name the argument and the rule. */
final class Names {

  private Names() {}

  static String requireName(String value, String argument) {
    if (value == null) {
      throw new NullPointerException(argument + " must not be null");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException(argument + " must not be empty");
    }
    return value;
  }

  static <T> T requireNonNull(T value, String argument) {
    if (value == null) {
      throw new NullPointerException(argument + " must not be null");
    }
    return value;
  }

  /** The longest duration a tool accepts: 100 years, so that milliseconds and nanoseconds never overflow. */
  private static final Duration MAX = Duration.ofDays(36_500);

  /** Positive, at least 1 ms (Redis counts in milliseconds), at most 100 years; in milliseconds. */
  static long requirePositiveMillis(Duration value, String argument) {
    requireNonNull(value, argument);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(argument + " must be positive, was " + value);
    }
    return requireMillisInRange(value, argument);
  }

  /** Zero, or as {@link #requirePositiveMillis}; in milliseconds. */
  static long requireNonNegativeMillis(Duration value, String argument) {
    requireNonNull(value, argument);
    if (value.isNegative()) {
      throw new IllegalArgumentException(argument + " must not be negative, was " + value);
    }
    return value.isZero() ? 0 : requireMillisInRange(value, argument);
  }

  private static long requireMillisInRange(Duration value, String argument) {
    if (value.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(
          argument + " must be at most 36500 days (100 years), was " + value);
    }
    if (value.toMillis() < 1) {
      throw new IllegalArgumentException(argument + " must be at least 1 ms, was " + value);
    }
    return value.toMillis();
  }

  static int requirePositive(int value, String argument) {
    if (value <= 0) {
      throw new IllegalArgumentException(argument + " must be positive, was " + value);
    }
    return value;
  }

  /** {@code prefix:kind:seg(part)...}. */
  static String key(String prefix, String kind, String... parts) {
    StringBuilder key = new StringBuilder(prefix.length() + kind.length() + 32)
        .append(prefix)
        .append(':')
        .append(kind);
    for (String part : parts) {
      key.append(':').append(Keys.segment(part));
    }
    return key.toString();
  }

  /**
   * {@code prefix:kind:{seg(part)}}: the encoded part is a cluster hash tag, so that keys of
   * different kinds built from the same part share a slot and one script may touch them all. The
   * part is never empty and its braces are escaped, so the tag is exactly the encoded part.
   */
  static String taggedKey(String prefix, String kind, String part) {
    return prefix + ':' + kind + ":{" + Keys.segment(part) + '}';
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] utf8(long number) {
    return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
  }

  static String string(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
