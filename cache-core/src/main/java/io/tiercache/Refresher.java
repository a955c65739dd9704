package io.tiercache;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What a cache's reads tell refresh-ahead: {@link RefreshAhead} when the spec sets {@link
 * CacheSpec#refreshAfter}, else {@link #off()}, which does nothing, so that no read tests for it.
 */
interface Refresher<K, V> extends AutoCloseable {

  /** Whether refresh-ahead is on: then a read must register its key, so L1 alone cannot answer it. */
  boolean enabled();

  /** A read of {@code k} through {@code loader}: registers the key, or keeps it registered. */
  void touch(String k, K key, Function<? super K, ? extends V> loader);

  /** {@link #touch} for an asynchronous loader. */
  void touchAsync(
      String k, K key, Function<? super K, ? extends CompletableFuture<? extends V>> loader);

  /** A read without a loader: keeps an already registered key registered. */
  void keepRegistered(String k);

  /** A value of {@code k} was just loaded in {@code loadNanos} and stored for {@code ttlMillis}. */
  void loaded(String k, long loadNanos, long ttlMillis);

  /** Keys registered. */
  long size();

  @Override
  void close();

  /** The refresh-ahead of a cache without it. */
  @SuppressWarnings("unchecked")
  static <K, V> Refresher<K, V> off() {
    return (Refresher<K, V>) Off.INSTANCE;
  }

  /** Does nothing. */
  enum Off implements Refresher<Object, Object> {
    INSTANCE;

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void touch(String k, Object key, Function<? super Object, ?> loader) {}

    @Override
    public void touchAsync(
        String k, Object key, Function<? super Object, ? extends CompletableFuture<?>> loader) {}

    @Override
    public void keepRegistered(String k) {}

    @Override
    public void loaded(String k, long loadNanos, long ttlMillis) {}

    @Override
    public long size() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
