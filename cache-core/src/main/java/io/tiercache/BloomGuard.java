package io.tiercache;

import io.tiercache.toolkit.BloomFilter;
import io.tiercache.toolkit.BloomStats;
import java.util.Collection;
import java.util.Iterator;

/**
 * A cache's Bloom guard ({@link CacheSpec.Builder#bloomGuard}) in the cache's own key type: after
 * an L1 miss, a key it has never seen is answered absent without L2 or the loader. It is a view of
 * the toolkit's {@link BloomFilter} named {@code cache.{cacheName}}, whose items are the cache's
 * keys as it writes them to Redis.
 *
 * <pre>{@code
 * Cache<Long, User> users = tier.cache("users", User.class);
 * users.bloomGuard().orElseThrow().rebuild(userRepository.allIds().iterator()); // at start, and nightly
 * userRepository.insert(user);
 * users.bloomGuard().orElseThrow().add(user.id());                              // every new id
 * }</pre>
 *
 * @param <K> the cache's key type
 */
public interface BloomGuard<K> {

  /**
   * Adds a key: reads of it are no longer rejected. {@code put} does this itself.
   *
   * @param key not null
   * @return whether it was surely absent before
   */
  boolean add(K key);

  /**
   * Adds keys, 1,000 per round trip.
   *
   * @param keys not null, no null key
   * @return how many were surely absent before
   */
  long addAll(Collection<? extends K> keys);

  /**
   * Whether a read of {@code key} would pass the guard.
   *
   * @param key not null
   * @return false only for a key never added
   */
  boolean mightContain(K key);

  /**
   * Replaces the guard's content with {@code keys} (the keys that exist); see {@link
   * BloomFilter#rebuild}.
   *
   * @param keys not null; read once
   * @return how many keys were read
   */
  long rebuild(Iterator<? extends K> keys);

  /** Rejections, fail-open answers and fill; see {@link BloomStats}. */
  BloomStats stats();

  /** The filter underneath, whose items are the cache's keys as written to Redis. */
  BloomFilter filter();
}
