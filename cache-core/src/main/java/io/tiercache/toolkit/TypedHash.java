package io.tiercache.toolkit;

import io.tiercache.CodecException;
import io.tiercache.RedisUnavailableException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A Redis hash whose fields hold values of one type (seed 002's {@code set_hash}/{@code
 * get_hash}): JSON per field, or plain UTF-8 strings for {@link Hashes#strings}.
 *
 * <p>A field that cannot be read as the type reads as absent and is logged. Every method throws
 * {@link RedisUnavailableException} while Redis is down or slow.
 *
 * <pre>{@code
 * TypedHash<Profile> profiles = toolkit.hashes().json("profiles", Profile.class);
 * profiles.put(userId, profile);
 * Optional<Profile> p = profiles.get(userId);
 * }</pre>
 *
 * @param <T> the value type
 */
public interface TypedHash<T> {

  /**
   * Sets a field.
   *
   * @param field not empty
   * @param value not null
   * @return whether the field is new
   * @throws CodecException if the value cannot be written
   */
  boolean put(String field, T value);

  /**
   * Sets many fields in one command.
   *
   * @param values field to value; fields not empty, values not null
   */
  void putAll(Map<String, ? extends T> values);

  /**
   * Reads a field.
   *
   * @param field not empty
   * @return the value, empty if the field is absent or unreadable
   */
  Optional<T> get(String field);

  /** Every field and value, in Redis's order. */
  Map<String, T> getAll();

  /**
   * Removes a field.
   *
   * @param field not empty
   * @return whether it existed
   */
  boolean remove(String field);

  /**
   * Whether a field exists.
   *
   * @param field not empty
   */
  boolean contains(String field);

  /** How many fields the hash holds. */
  long size();

  /**
   * Sets a TTL on the whole hash.
   *
   * @param ttl positive
   * @return whether the hash exists
   */
  boolean expire(Duration ttl);

  /** Deletes the hash. */
  void clear();

  /** The hash's name. */
  String name();
}
