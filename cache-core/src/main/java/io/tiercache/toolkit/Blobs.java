package io.tiercache.toolkit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * A cache of blobs (seed 001's image proxy): bytes plus content type under a key, with a size
 * limit and a TTL.
 *
 * <p>It is a cache, so Redis being down never fails a call: {@link #get} answers empty (a miss),
 * {@link #put} answers false and the key is deleted once Redis is back so that an older blob is
 * never served after a newer one failed to be written.
 *
 * <pre>{@code
 * Blob image = toolkit.blobs().getOrLoad(url, u -> fetch(u));
 * response.contentType(image.contentType()).body(image.bytes());
 * }</pre>
 */
public interface Blobs {

  /** The default size limit: 1 MiB. */
  long DEFAULT_MAX_BYTES = 1L << 20;

  /** The largest size limit accepted: 64 MiB. */
  long MAX_MAX_BYTES = 64L << 20;

  /** The default TTL: one day. */
  Duration DEFAULT_TTL = Duration.ofDays(1);

  /**
   * Stores a blob for {@link #ttl()}.
   *
   * @param key not empty
   * @param blob at most {@link #maxBytes()} bytes
   * @return whether Redis stored it
   * @throws IllegalArgumentException if the blob is larger than {@link #maxBytes()}
   */
  boolean put(String key, Blob blob);

  /**
   * Stores a blob for {@code ttl}.
   *
   * @param key not empty
   * @param blob at most {@link #maxBytes()} bytes
   * @param ttl positive
   * @return whether Redis stored it
   */
  boolean put(String key, Blob blob, Duration ttl);

  /**
   * Reads a blob.
   *
   * @param key not empty
   * @return the blob, empty on a miss or while Redis is down
   */
  Optional<Blob> get(String key);

  /**
   * Reads a blob, or loads and stores it on a miss. A loaded blob larger than {@link #maxBytes()}
   * is returned but not stored.
   *
   * @param key not empty
   * @param loader called with the key on a miss; must not return null
   * @return the cached or loaded blob
   */
  Blob getOrLoad(String key, Function<String, Blob> loader);

  /**
   * Deletes a blob.
   *
   * @param key not empty
   * @return whether it existed; false while Redis is down (the delete is replayed when it is back)
   */
  boolean delete(String key);

  /** The size limit in bytes. */
  long maxBytes();

  /** The TTL of {@link #put(String, Blob)}. */
  Duration ttl();
}
