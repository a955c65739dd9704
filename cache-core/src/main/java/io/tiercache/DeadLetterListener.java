package io.tiercache;

/**
 * Receives write-back entries that could not be written after every retry, so that they can be
 * logged, stored elsewhere or replayed: the flusher never drops a write silently.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface DeadLetterListener<K, V> {

  /**
   * Called once per entry, on the flusher's thread, after the last failed attempt.
   *
   * @param cacheName the cache the write belongs to
   * @param key the key
   * @param value the value that was not written
   * @param cause the exception of the last attempt
   */
  void onDeadLetter(String cacheName, K key, V value, Throwable cause);
}
