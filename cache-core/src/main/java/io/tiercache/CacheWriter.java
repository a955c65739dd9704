package io.tiercache;

import java.util.Map;

/**
 * The system of record behind a {@link Strategy#WRITE_THROUGH} or {@link Strategy#WRITE_BACK}
 * cache: a database, a remote service, a file.
 *
 * <p>Implementations must be thread-safe. An exception thrown by a write-through call reaches the
 * caller of {@link Cache#put}; one thrown by a write-back batch makes the flusher retry the batch
 * with backoff and, after the last attempt, hand each entry to the {@link DeadLetterListener}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface CacheWriter<K, V> {

  /**
   * Writes one value.
   *
   * @param key the key, never null
   * @param value the value; null when the cache stores a null result
   */
  void write(K key, V value);

  /**
   * Writes a batch; write-back calls this with every coalesced entry of one flush. The default
   * writes each entry in turn; override it to use a batched statement.
   *
   * @param entries the entries, keys never null
   */
  default void writeAll(Map<K, V> entries) {
    for (Map.Entry<K, V> entry : entries.entrySet()) {
      write(entry.getKey(), entry.getValue());
    }
  }
}
