package io.tiercache.toolkit;

import io.tiercache.TypeRef;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/**
 * Plain values under the toolkit's prefix, with the key operations seed 002's client offers
 * (set with a TTL, get, delete, batch delete, exists, TTL, expire): for state that is not a cache
 * entry (no L1, no coherence, no loader) but should still live under the application's prefix and
 * be written as JSON. Keys are {@code {prefix}:__tk:value:{key}}.
 *
 * <pre>{@code
 * Values values = toolkit.values();
 * values.set("maintenance", new Notice("tonight 22:00"), Duration.ofHours(6));
 * Optional<Notice> notice = values.get("maintenance", Notice.class);
 * Optional<Duration> left = values.ttl("maintenance");
 * long removed = values.deleteAll(List.of("a", "b", "c"));
 * }</pre>
 *
 * <p>A stored value that cannot be read as the asked type, or is larger than {@link #MAX_BYTES}, is
 * read as absent (and logged), never an exception. Redis being down throws {@link
 * io.tiercache.RedisUnavailableException}.
 */
public interface Values {

  /** The largest value read or written: 4 MiB. */
  int MAX_BYTES = 4 << 20;

  /**
   * Stores {@code value} as JSON for {@code ttl}.
   *
   * @param key not empty
   * @param value not null, at most {@link #MAX_BYTES} as JSON
   * @param ttl positive
   */
  <T> void set(String key, T value, Duration ttl);

  /** Stores {@code value} as JSON with no TTL. */
  <T> void set(String key, T value);

  /** The value, empty if absent or unreadable as {@code type}. */
  <T> Optional<T> get(String key, Class<T> type);

  /** The value, empty if absent or unreadable as {@code type}. */
  <T> Optional<T> get(String key, TypeRef<T> type);

  /** Deletes the key; whether it existed. */
  boolean delete(String key);

  /**
   * Deletes many keys, pipelined (one round trip per 1,000; on a cluster each key on its own
   * node).
   *
   * @param keys not null, no empty key
   * @return how many existed
   */
  long deleteAll(Collection<String> keys);

  /** Whether the key exists. */
  boolean exists(String key);

  /** The key's remaining time to live; empty if it does not exist or has no TTL. */
  Optional<Duration> ttl(String key);

  /**
   * Sets the key's TTL.
   *
   * @param ttl positive
   * @return whether the key exists (and now has the TTL)
   */
  boolean expire(String key, Duration ttl);
}
