package io.tiercache;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A named two-level cache: Caffeine in the process (L1) over Redis (L2), with the policy of its
 * {@link CacheSpec}. Get one from {@link TierCache#cache(String, Class)}.
 *
 * <h2>Keys</h2>
 * A {@code String} key is a full structured key such as {@code project:42:info} and is stored in
 * Redis as {@code {prefix}:project:42:info}; build it with {@link Keys#of} so that values are
 * encoded injectively. Any other key type is stored as {@code {prefix}:{cacheName}:{segment}}
 * with the key's {@code toString()} encoded by {@link Keys#segment}. Over-long keys are bounded
 * as {@link Keys#bounded} describes.
 *
 * <h2>Failures</h2>
 * A Redis failure or timeout never fails a call: reads fall back to the loader, writes keep L1
 * and remember to delete the key from Redis once it is back. A stored value that cannot be
 * decoded is a miss. Exceptions thrown by a loader reach the caller unchanged and nothing is
 * cached.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface Cache<K, V> {

  /** The cache's name. */
  String name();

  /** The cache's policy. */
  CacheSpec spec();

  /**
   * Returns the value for {@code key}, loading it on a miss. Concurrent callers of one missing key
   * in this process share a single loader call.
   *
   * @param key the key, not null
   * @param loader computes the value on a miss; may return null, which is cached for the spec's
   *     {@code nullTtl} unless {@code cacheNulls} is off
   * @return the cached or loaded value, or null
   * @throws NullPointerException if {@code key} or {@code loader} is null
   */
  V get(K key, Function<? super K, ? extends V> loader);

  /**
   * Non-blocking {@link #get}: the L2 read and the loader run without blocking the caller. Every
   * setting of the cache applies as it does to {@code get}: refresh-ahead registers the key (its
   * reloads call {@code loader} and wait for its future on a refresh thread), distributed load
   * takes the lease and waits for another instance's value without holding a thread, null
   * caching, TTL jitter and boundary expiry shape the write, and an invalidation during the load
   * keeps the loaded value out of Redis and L1.
   *
   * @param key the key, not null
   * @param loader starts loading the value on a miss; its future may complete with null
   * @return a future of the value, completed exceptionally only if the loader's future is
   */
  CompletableFuture<V> getAsync(
      K key, Function<? super K, ? extends CompletableFuture<? extends V>> loader);

  /**
   * Returns the value for {@code key} from L1 or L2 without loading it. With refresh-ahead, a
   * key already registered by {@link #get} or {@link #getAll} stays registered; no key is added.
   *
   * @param key the key, not null
   * @return the value, or null if absent (or cached as null)
   */
  V getIfPresent(K key);

  /**
   * Returns the value L1 holds for {@code key}, without asking Redis and without a loader, so
   * that a caller can skip building a loader on a hit:
   *
   * <pre>{@code
   * Project cached = cache.getIfInL1(key);
   * return cached != null ? cached : cache.get(key, k -> repository.find(id));
   * }</pre>
   *
   * <p>Returns null when L1 has no value for the key, when it holds a cached null, and always when
   * the cache refreshes ahead (reads there go through {@link #get}, which keeps their keys fresh).
   * A value returned counts as one request and one L1 hit, as {@link #get} would count it; a null
   * counts nothing, so the {@code get} that follows counts the request once. The generated
   * decorators read this way: an L1 hit through them allocates nothing of their own.
   *
   * @param key the key, not null
   * @return the value in L1, or null
   * @throws NullPointerException if {@code key} is null
   */
  V getIfInL1(K key);

  /**
   * Returns the values of many keys: L1 first, then one Redis MGET for the rest, then one call of
   * {@code bulkLoader} with exactly the keys still missing. Keys that the loader leaves out of its
   * map are cached as null (if the spec caches nulls) and are absent from the result.
   *
   * <p>With refresh-ahead, every key read here is registered as {@link #get} registers it; the
   * background pass reloads it alone, calling {@code bulkLoader} with a one-key set.
   *
   * <p>With distributed load, the missing keys' leases are taken in one pipeline. The keys this
   * call leased are loaded first; then it waits, as {@code get} does, for the keys another
   * instance is loading, and loads those that are not in Redis in time in a second call.
   *
   * @param keys the keys, not null, no null element
   * @param bulkLoader loads the missing keys; called at most once per call (twice with distributed
   *     load, when another instance's keys did not arrive in time; later with one key at a time by
   *     refresh-ahead), never with an empty set
   * @return a map of the keys that have a non-null value, in the order of {@code keys}
   */
  Map<K, V> getAll(
      Collection<? extends K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader);

  /**
   * Stores a value according to the cache's {@link Strategy}.
   *
   * @param key the key, not null
   * @param value the value, not null (use {@link #invalidate} to remove)
   * @throws CodecException if the value cannot be encoded; nothing is written
   * @throws CacheWriterException if a write-through writer fails; nothing is cached
   */
  void put(K key, V value);

  /**
   * Removes a key from L2 and L1. A pending write-back of the key is not cancelled: it was
   * acknowledged, so it still reaches the writer.
   *
   * @param key the key, not null
   */
  void invalidate(K key);

  /**
   * Removes every entry of this cache from L1 and, for non-{@code String} keys, every key under
   * {@code {prefix}:{cacheName}:} from L2 (SCAN and UNLINK in batches). Structured {@code String}
   * keys are not owned by one cache; remove them from L2 by pattern or one by one.
   */
  void invalidateAll();

  /**
   * Loads keys into the cache ahead of traffic (seed 004): each key goes through {@link #get},
   * so keys already in L1 or Redis cost no loader call. At most {@code concurrency} loads run at
   * once.
   *
   * @param keys the keys, none null
   * @param loader loads one key
   * @param concurrency at least 1
   * @param listener told after each key; may be null
   * @return counts of loaded, already cached and failed keys
   * @throws IllegalArgumentException if {@code concurrency < 1}
   */
  WarmUpResult warmUp(
      Collection<? extends K> keys,
      Function<? super K, ? extends V> loader,
      int concurrency,
      WarmUpListener listener);

  /**
   * The structured keys this instance reads most, hottest first: counted over the cache's {@link
   * CacheSpec.Builder#hotKeys} window when it has one (every read, L1 hit or not); otherwise from
   * L1's frequency sketch (recent reads weigh most; only keys L1 holds; empty when L1 is off). Feed them to a scheduled {@link #warmUp} of
   * another instance, or record them to warm the next start.
   *
   * @param limit how many, not negative
   */
  List<String> hottestKeys(int limit);

  /**
   * Reloads {@code key} now, whatever L1 and L2 hold: calls {@code loader}, stores the value in
   * Redis (replacing what is there) and L1, and tells the other instances, whose next read comes
   * from Redis. The writer of a write-through or write-back cache is not called: the value comes
   * from the source. A null result invalidates the key (or is stored, with {@code cacheNulls}).
   *
   * @param key not null
   * @param loader not null; its exception reaches the caller and changes nothing
   * @return the loaded value
   */
  V refresh(K key, Function<? super K, ? extends V> loader);

  /**
   * Reads {@code key} from Redis, skipping L1 (which the value then replaces); on a Redis miss
   * loads it as {@link #refresh} does. For the one read that must not be served from a copy this
   * instance holds.
   *
   * @param key not null
   * @param loader not null
   * @return the value, or null
   */
  V getBypassingL1(K key, Function<? super K, ? extends V> loader);

  /** Writes every pending write-back entry now; returns when they are written or dead-lettered. */
  void flush();

  /** A snapshot of this cache's counters. */
  CacheStats stats();

  /**
   * The cache's Bloom guard, to fill and keep up to date; empty when its spec sets no {@link
   * CacheSpec.Builder#bloomGuard}.
   */
  Optional<BloomGuard<K>> bloomGuard();
}
