package io.tiercache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * Builds structured keys such as {@code project:42:leaderboard:continuous} whose segments are
 * encoded injectively.
 *
 * <p>A segment keeps the characters {@code A-Z a-z 0-9 - _ . ~ @ + = , /} as they are and writes
 * every other character as {@code %XX} escapes of its UTF-8 bytes. So an encoded segment never
 * contains {@code :} (two argument tuples never produce the same key), never contains a Redis glob
 * character {@code * ? [ ] \} (a value can never widen an invalidation pattern), never contains a
 * cluster hash-tag brace {@code { }}, and different values always give different segments. A
 * {@code null} segment is written {@code %N}, and a lone surrogate {@code %uXXXX}, which no other
 * value produces.
 *
 * <pre>{@code
 * Keys.of("project", 42, "info")        // "project:42:info"
 * Keys.of("user", "a:b*")               // "user:a%3Ab%2A"
 * }</pre>
 */
public final class Keys {

  /** What {@link #segment} writes for {@code null}. */
  public static final String NULL_SEGMENT = "%N";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final boolean[] SAFE = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      SAFE[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      SAFE[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      SAFE[c] = true;
    }
    for (char c : "-_.~@+=,/".toCharArray()) {
      SAFE[c] = true;
    }
  }

  private Keys() {}

  /**
   * Encodes one key segment.
   *
   * @param value any value; its {@link String#valueOf} form is encoded, except an enum constant's,
   *     which is its {@link Enum#name()} (a {@code toString} may give two constants one text, or
   *     change); {@code null} gives {@link #NULL_SEGMENT}
   * @return the encoded segment, free of {@code : * ? [ ] \ { } %}-ambiguity
   */
  public static String segment(Object value) {
    if (value == null) {
      return NULL_SEGMENT;
    }
    String text = value instanceof Enum<?> constant ? constant.name() : value.toString();
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c >= 128 || !SAFE[c]) {
        break;
      }
      i++;
    }
    if (i == n) {
      return text; // the common case: nothing to escape, no allocation
    }
    StringBuilder out = new StringBuilder(n + 16).append(text, 0, i);
    while (i < n) {
      char c = text.charAt(i);
      if (c < 128) {
        if (SAFE[c]) {
          out.append(c);
        } else {
          escape(out, c);
        }
        i++;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        for (byte b : text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8)) {
          escape(out, b & 0xFF);
        }
        i += 2;
      } else if (Character.isSurrogate(c)) {
        // A lone surrogate has no UTF-8 form; "%u" is no byte escape, so it stays distinct.
        out.append("%u")
            .append(HEX[(c >>> 12) & 0xF])
            .append(HEX[(c >>> 8) & 0xF])
            .append(HEX[(c >>> 4) & 0xF])
            .append(HEX[c & 0xF]);
        i++;
      } else {
        for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
          escape(out, b & 0xFF);
        }
        i++;
      }
    }
    return out.toString();
  }

  private static void escape(StringBuilder out, int b) {
    out.append('%').append(HEX[b >>> 4]).append(HEX[b & 0xF]);
  }

  /**
   * Joins literal parts and encoded values with {@code :}. Strings are treated as values and
   * encoded too, so pass only trusted literals that need no escaping ({@code "project"}).
   *
   * @param parts the segments, at least one
   * @return the key
   */
  public static String of(Object... parts) {
    if (parts == null || parts.length == 0) {
      throw new IllegalArgumentException("parts must hold at least one segment");
    }
    StringBuilder key = new StringBuilder(16 * parts.length);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        key.append(':');
      }
      key.append(segment(parts[i]));
    }
    return key.toString();
  }

  /**
   * Escapes a literal for use inside a Redis {@code MATCH} pattern: every glob character is
   * preceded by a backslash. Segments made by {@link #segment} need no escaping; this is for
   * literal text a caller puts into a pattern.
   */
  public static String escapeGlob(String literal) {
    if (literal == null) {
      throw new NullPointerException("literal must not be null");
    }
    StringBuilder out = new StringBuilder(literal.length() + 8);
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * Bounds a key's length: a key longer than {@code maxLength} keeps its head and replaces the
   * tail by {@code %H} and the URL-safe SHA-256 of the whole key. The head is kept so that prefix
   * patterns ({@code project:42:*}) still match; {@code %H} cannot occur in encoded segments.
   *
   * @param key the key, not null
   * @param maxLength at least 64
   * @throws IllegalArgumentException if {@code maxLength} is below 64
   */
  public static String bounded(String key, int maxLength) {
    Objects.requireNonNull(key, "key must not be null");
    if (maxLength < 64) {
      throw new IllegalArgumentException("maxLength must be at least 64, was " + maxLength);
    }
    if (key.length() <= maxLength) {
      return key;
    }
    String digest = sha256(key);
    int head = boundedHeadLength(maxLength);
    if (Character.isHighSurrogate(key.charAt(head - 1))) {
      head--;
    }
    return key.substring(0, head) + "%H" + digest;
  }

  /**
   * A whole key as a cache stores it, checked: not empty, not reserved ({@code __}), and over
   * {@code maxLength} cut by {@link #bounded} (checked whole first, or two tails could hash alike).
   *
   * @throws IllegalArgumentException naming the rule the key breaks
   */
  static String stored(String key, int maxLength) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (key.startsWith("__")) {
      throw new IllegalArgumentException(
          "key must not start with '__' (reserved for Tiercache's own data), was '" + key + "'");
    }
    return key.length() > maxLength ? bounded(requireEncodable(key, "key"), maxLength) : key;
  }

  /**
   * Checks that a key or pattern names exactly one Redis key: Redis keys are bytes, and a lone
   * surrogate has no UTF-8 form (the encoder writes {@code ?} for it), so {@code "u:\uD800"},
   * {@code "u:\uDFFF"} and {@code "u:?"} would be one key. {@link #segment} escapes lone
   * surrogates in the values it encodes; a key written by hand is checked here.
   *
   * @throws IllegalArgumentException naming the argument and the position of the lone surrogate
   */
  static String requireEncodable(String key, String argument) {
    for (int i = 0, n = key.length(); i < n; i++) {
      char c = key.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(key.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException(
              argument + " must be valid Unicode: it holds a lone surrogate \\u"
                  + Integer.toHexString(c).toUpperCase(Locale.ROOT) + " at index " + i
                  + ", which Redis "
                  + "would store as '?' (build keys with Keys.of or Keys.segment, which escape it)");
        }
      }
    }
    return key;
  }

  /** How many characters of a key {@link #bounded} keeps (one less to keep a surrogate pair whole). */
  static int boundedHeadLength(int maxLength) {
    return maxLength - DIGEST_LENGTH - 2;
  }

  /** The length of {@link #sha256}'s text: 32 bytes in URL-safe base64 without padding. */
  private static final int DIGEST_LENGTH = 43;

  static String sha256(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
