package io.tiercache.spring;

import io.tiercache.Keys;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.Objects;
import java.util.UUID;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.util.ReflectionUtils;

/**
 * Spring's cache keys as Tiercache {@code String} keys. A single value is its {@link
 * Keys#segment} ({@code 42}, {@code ada%40example.org}, an enum's {@code name()}); a {@link
 * SimpleKey} of several parameters is their segments joined with {@code ':'}, which no segment
 * contains; {@link SimpleKey#EMPTY} (a method without parameters) is {@code %E}, which no
 * segment is; an empty text is {@code %0} and a leading {@code __} becomes {@code %5F_}, which no
 * segment starts with. So two keys of one key type that are not equal never share an entry. Keys of
 * different types with one text ({@code 42L} and {@code "42"}) do, as in Spring's own Redis
 * cache: one cache's methods should use one key type.
 *
 * <p>Other types are refused: their {@code toString} is not known to be injective. Give the
 * annotation a key expression ({@code key = "#user.id"}) or a {@code KeyGenerator}.
 */
public final class SpringKeys {

  /** The key of a method without parameters. */
  public static final String EMPTY = "%E";

  private static final Field PARAMS = findParams();

  private SpringKeys() {}

  /**
   * The Tiercache key of a Spring cache key.
   *
   * @param cacheName the cache, for the message
   * @param key the key Spring computed, not null
   * @return the key, never empty
   * @throws IllegalArgumentException if the key (or one of its parameters) has a type refused here
   */
  public static String of(String cacheName, Object key) {
    Objects.requireNonNull(key, "key must not be null");
    if (key instanceof SimpleKey simple) {
      Object[] params = params(simple);
      if (params.length == 0) {
        return EMPTY;
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < params.length; i++) {
        if (i > 0) {
          out.append(':');
        }
        out.append(Keys.segment(checked(cacheName, params[i])));
      }
      return unreserved(out.toString());
    }
    String segment = Keys.segment(checked(cacheName, key));
    return segment.isEmpty() ? "%0" : unreserved(segment);
  }

  /**
   * Tiercache keeps keys starting with {@code __} for itself: the first {@code _} is written
   * {@code %5F}, which {@link Keys#segment} never writes ({@code _} is kept as it is).
   */
  private static String unreserved(String key) {
    return key.startsWith("__") ? "%5F" + key.substring(1) : key;
  }

  private static Object checked(String cacheName, Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger
        || value instanceof BigDecimal
        || value instanceof Double
        || value instanceof Float
        || value instanceof Boolean
        || value instanceof Character
        || value instanceof UUID
        || value instanceof Enum<?>
        || (value instanceof TemporalAccessor
            && value.getClass().getName().startsWith("java.time."))) {
      return value;
    }
    throw new IllegalArgumentException(
        "cache '" + cacheName + "': a key of type " + value.getClass().getName()
            + " cannot be made a Tiercache key (its text is not known to be unique); keys may be String, a number, "
            + "Boolean, Character, UUID, an enum, a java.time value, or several of them as the method's parameters. "
            + "Give the annotation a key expression such as key = \"#user.id\", or a KeyGenerator");
  }

  private static Object[] params(SimpleKey key) {
    if (key.equals(SimpleKey.EMPTY)) {
      return new Object[0];
    }
    if (PARAMS == null) {
      throw new IllegalStateException(
          "this Spring version's SimpleKey has no 'params' field: give the cached "
              + "method a key expression or a KeyGenerator");
    }
    return (Object[]) ReflectionUtils.getField(PARAMS, key);
  }

  private static Field findParams() {
    Field field = ReflectionUtils.findField(SimpleKey.class, "params", Object[].class);
    if (field != null) {
      ReflectionUtils.makeAccessible(field);
    }
    return field;
  }
}
