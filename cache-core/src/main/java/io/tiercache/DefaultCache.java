package io.tiercache;

import io.tiercache.internal.codec.ValueCodec;
import io.tiercache.internal.redis.RedisTier;
import io.tiercache.toolkit.BloomFilter;
import io.tiercache.toolkit.BloomStats;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A typed view of one {@link CacheGroup}: the facade a caller holds. It turns keys into the
 * strings the levels store, checks arguments, answers L1 hits itself (kept small, so that a hit is
 * inlined into the caller) and hands every miss to the cache's {@link MissPath} and every put to its
 * {@link WritePolicy}; deletes go through its {@link RedisLevel}.
 */
final class DefaultCache<K, V> implements Cache<K, V> {

  private static final Logger log = LoggerFactory.getLogger(DefaultCache.class);
  /** Per-read lines (hit DEBUG, miss INFO, as seed 000 asks); tune or silence this logger alone. */
  private static final Logger access = LoggerFactory.getLogger("io.tiercache.access");

  /** What a view needs from its {@link TierCache}. */
  record Context(
      RedisTier redis,
      String keyPrefix,
      int maxKeyLength,
      Executor asyncExecutor,
      Clock clock,
      ScheduledExecutorService scheduler,
      Executor refreshExecutor,
      String instanceId,
      Predicate<String> ownsKeys) {}

  private static final Object MISSING = RedisLevel.MISSING;

  private final CacheGroup group;
  private final String name;
  private final CacheSpec spec;
  private final LocalTier local;
  private final StatsCounter stats;
  private final WriteBackQueue writeBack;
  private final ValueCodec<V> codec;
  private final MissPath<K, V> miss;
  private final String namespace;
  /** For a shared cache: whether a name is that of a cache with its own key space; null otherwise. */
  private final Predicate<String> ownsKeys;

  private final int maxKeyLength;
  private final Executor asyncExecutor;
  /** Refresh-ahead, or {@link Refresher#off()}. */
  private final Refresher<K, V> refresh;

  DefaultCache(CacheGroup group, ValueCodec<V> codec, Context context) {
    this.group = group;
    this.name = group.name;
    this.spec = group.spec;
    this.local = group.local;
    this.stats = group.stats;
    this.writeBack = group.writeBack;
    this.codec = codec;
    // a cache with its own key space needs no name in its keys; a shared one keeps other key
    // types apart from its String keys under its name, as before
    this.namespace = group.ownKeys ? "" : name + ":";
    this.ownsKeys = group.ownKeys ? null : context.ownsKeys();
    this.maxKeyLength = context.maxKeyLength();
    this.asyncExecutor = context.asyncExecutor();
    this.miss = new MissPath<>(group, codec, asyncExecutor, context.scheduler(), context.clock());
    this.refresh = spec.refreshAfter() == null
        ? Refresher.off()
        : new RefreshAhead<>(
            name,
            spec,
            miss::reload,
            spec.l2Enabled() ? context.redis() : null,
            context.keyPrefix(),
            context.instanceId(),
            context.scheduler(),
            context.refreshExecutor(),
            context.clock());
    miss.refreshAhead(refresh);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CacheSpec spec() {
    return spec;
  }

  /* ---- Reads ---- */

  @Override
  public V get(K key, Function<? super K, ? extends V> loader) {
    String k = keyOf(key);
    Objects.requireNonNull(loader, "loader must not be null");
    if (group.hot != null) {
      group.hot.record(k);
    }
    refresh.touch(k, key, loader);
    // Kept small on purpose: a hit is this method alone, which the JIT inlines into the caller,
    // so a key the caller just built need not be allocated at all.
    Object hit = writeBack == null ? local.getIfPresent(k) : group.localHit(k);
    if (hit != null) {
      stats.l1HitRequests.increment();
      if (access.isDebugEnabled()) {
        logL1Hit(k);
      }
      return unwrap(hit);
    }
    stats.requests.increment();
    if (group.guard != null && !group.guard.mightContain(k)) {
      stats.misses.increment(); // a key the guard never saw: absent, without L2 or the loader
      return null;
    }
    return miss.get(key, checkedForMiss(k), loader);
  }

  @Override
  public V getIfInL1(K key) {
    String k = keyOf(key);
    if (refresh.enabled()) {
      return null; // get registers and touches the key for refresh-ahead
    }
    Object hit = writeBack == null ? local.getIfPresent(k) : group.localHit(k);
    V value = hit == null ? null : unwrap(hit);
    if (value != null) {
      stats.l1HitRequests.increment();
      if (access.isDebugEnabled()) {
        logL1Hit(k);
      }
    }
    return value;
  }

  private void logL1Hit(String k) {
    access.debug("cache '{}' L1 hit for key '{}'", name, k);
  }

  @Override
  public CompletableFuture<V> getAsync(
      K key, Function<? super K, ? extends CompletableFuture<? extends V>> loader) {
    String k = keyOf(key);
    Objects.requireNonNull(loader, "loader must not be null");
    if (group.hot != null) {
      group.hot.record(k);
    }
    refresh.touchAsync(k, key, loader);
    Object hit = group.localHit(k);
    if (hit != null) {
      stats.l1HitRequests.increment();
      if (access.isDebugEnabled()) {
        logL1Hit(k);
      }
      return CompletableFuture.completedFuture(unwrap(hit));
    }
    stats.requests.increment();
    checkedForMiss(k);
    BloomFilter guard = group.guard;
    if (guard != null) {
      // the guard's round trip off the caller's thread, as every Redis call of getAsync
      return CompletableFuture.supplyAsync(() -> guard.mightContain(k), asyncExecutor)
          .thenCompose(passes -> {
            if (!passes) {
              stats.misses.increment();
              return CompletableFuture.<V>completedFuture(null);
            }
            return miss.getAsync(key, k, loader);
          });
    }
    return miss.getAsync(key, k, loader);
  }

  @Override
  public V getIfPresent(K key) {
    String k = Keys.requireEncodable(keyOf(key), "key");
    if (group.hot != null) {
      group.hot.record(k);
    }
    refresh.keepRegistered(k);
    Object hit = group.localHit(k);
    if (hit != null) {
      stats.l1HitRequests.increment();
      return unwrap(hit);
    }
    stats.requests.increment();
    Object found = miss.readThrough(k);
    return found == MISSING ? null : unwrap(found);
  }

  @Override
  public Map<K, V> getAll(
      Collection<? extends K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(keys, "keys must not be null");
    Objects.requireNonNull(bulkLoader, "bulkLoader must not be null");
    Map<String, K> byKey = new LinkedHashMap<>();
    for (K key : keys) {
      if (key == null) {
        throw new NullPointerException("keys must not contain null");
      }
      // every key checked before any load is installed, which a later refusal would strand
      byKey.putIfAbsent(requireShareable(Keys.requireEncodable(keyOf(key), "key")), key);
    }
    if (group.hot != null) {
      byKey.keySet().forEach(group.hot::record);
    }
    stats.requests.add(byKey.size());
    if (refresh.enabled()) {
      Function<K, V> oneKey = one -> oneOf(bulkLoader, one);
      byKey.forEach((k, key) -> refresh.touch(k, key, oneKey));
    }
    return miss.getAll(byKey, bulkLoader);
  }

  /** A refresh-ahead reload of a key read through {@link #getAll}: the bulk loader, one key. */
  private V oneOf(
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader, K key) {
    Map<? extends K, ? extends V> loaded = bulkLoader.apply(Set.of(key));
    if (loaded == null) {
      throw new NullPointerException(
          "bulkLoader of cache '" + name + "' returned null instead of a map");
    }
    return loaded.get(key);
  }

  /* ---- Writes ---- */

  @Override
  public void put(K key, V value) {
    String k = requireShareable(Keys.requireEncodable(keyOf(key), "key"));
    Objects.requireNonNull(value, "value must not be null: use invalidate(key) to remove a key");
    byte[] frame = codec.encode(value);
    stats.encoded(frame);
    if (group.guard != null) {
      group.guard.add(k); // before the value is readable anywhere, so no read of it is rejected
    }
    group.writes.put(key, k, value, frame);
  }

  @Override
  public void invalidate(K key) {
    String k = Keys.requireEncodable(keyOf(key), "key");
    stats.invalidations.increment();
    group.l2.delete(k);
    group.evict(k);
  }

  @Override
  public void invalidateAll() {
    local.invalidateAll();
    group.l3.clear();
    group.l2.deleteAll(namespace, name);
  }

  @Override
  public void flush() {
    if (writeBack != null) {
      writeBack.flush();
    }
  }

  @Override
  public Optional<BloomGuard<K>> bloomGuard() {
    BloomFilter filter = group.guard;
    return filter == null ? Optional.empty() : Optional.of(new Guard(filter));
  }

  /** {@link BloomGuard} over the group's filter: keys become the strings the cache writes to Redis. */
  private final class Guard implements BloomGuard<K> {
    private final BloomFilter filter;

    Guard(BloomFilter filter) {
      this.filter = filter;
    }

    @Override
    public boolean add(K key) {
      return filter.add(keyOf(key));
    }

    @Override
    public long addAll(Collection<? extends K> keys) {
      Objects.requireNonNull(keys, "keys must not be null");
      List<String> ks = new ArrayList<>(keys.size());
      for (K key : keys) {
        ks.add(keyOf(key));
      }
      return filter.addAll(ks);
    }

    @Override
    public boolean mightContain(K key) {
      return filter.mightContain(keyOf(key));
    }

    @Override
    public long rebuild(Iterator<? extends K> keys) {
      Objects.requireNonNull(keys, "keys must not be null");
      return filter.rebuild(new Iterator<String>() {
        @Override
        public boolean hasNext() {
          return keys.hasNext();
        }

        @Override
        public String next() {
          return keyOf(keys.next());
        }
      });
    }

    @Override
    public BloomStats stats() {
      return filter.stats();
    }

    @Override
    public BloomFilter filter() {
      return filter;
    }
  }

  @Override
  public CacheStats stats() {
    return group.snapshot();
  }

  @Override
  public String toString() {
    return "Cache{" + name + ", " + codec.type() + "}";
  }

  /* ---- Internals ---- */

  String keyOf(K key) {
    if (key instanceof String) {
      String k = (String) key;
      if (k.isEmpty() || k.length() > maxKeyLength || k.startsWith("__")) {
        return checkedKey(k);
      }
      return k;
    }
    if (key == null) {
      throw new NullPointerException("key must not be null");
    }
    return checkedKey(namespace + Keys.segment(key));
  }

  /**
   * A shared cache's key must not look like a key of a cache with its own key space: {@code
   * users:1} in a shared cache and {@code 1} in a cache {@code users} would be one Redis key.
   */
  private String requireShareable(String k) {
    if (ownsKeys != null) {
      int colon = k.indexOf(':');
      if (colon > 0 && ownsKeys.test(k.substring(0, colon))) {
        throw new IllegalArgumentException(
            "key '" + k + "' of shared cache '" + name + "' starts with '"
                + k.substring(0, colon)
                + ":', the name of a cache with its own key space: its Redis key would be "
                + "that cache's; rename one of them, or give that cache sharedKeys(true) too");
      }
    }
    return k;
  }

  /** The rare cases of {@link #keyOf}: empty, reserved or over-long keys. */
  private String checkedKey(String k) {
    return Keys.stored(k, maxKeyLength);
  }

  /**
   * The checks a key passes before a miss installs its load (an L1 hit skips them: a key that
   * fails never reaches L1): it must be encodable and, in a shared cache, shareable.
   */
  private String checkedForMiss(String k) {
    return requireShareable(Keys.requireEncodable(k, "key"));
  }

  @Override
  public V refresh(K key, Function<? super K, ? extends V> loader) {
    String k = requireShareable(Keys.requireEncodable(keyOf(key), "key"));
    Objects.requireNonNull(loader, "loader must not be null");
    long start = System.nanoTime();
    V value;
    try {
      value = loader.apply(key);
    } catch (RuntimeException e) {
      stats.loadFailures.increment();
      stats.loadNanos.add(System.nanoTime() - start);
      throw e;
    }
    stats.loads.increment();
    stats.loadNanos.add(System.nanoTime() - start);
    if (value == null && !spec.cacheNulls()) {
      invalidate(key);
      return null;
    }
    miss.store(k, value);
    return value;
  }

  @Override
  public V getBypassingL1(K key, Function<? super K, ? extends V> loader) {
    String k = Keys.requireEncodable(keyOf(key), "key");
    Objects.requireNonNull(loader, "loader must not be null");
    if (group.hot != null) {
      group.hot.record(k);
    }
    stats.requests.increment();
    Object found = miss.readThrough(k);
    return found == MISSING ? refresh(key, loader) : unwrap(found);
  }

  @Override
  public WarmUpResult warmUp(
      Collection<? extends K> keys,
      Function<? super K, ? extends V> loader,
      int concurrency,
      WarmUpListener listener) {
    Objects.requireNonNull(keys, "keys must not be null");
    Objects.requireNonNull(loader, "loader must not be null");
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
    }
    List<K> todo = new ArrayList<>(keys.size());
    for (K key : keys) {
      keyOf(key); // every key checked before anything is loaded
      todo.add(key);
    }
    long start = System.nanoTime();
    AtomicInteger loaded = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(concurrency, Math.max(1, todo.size())), runnable -> {
          Thread thread = new Thread(runnable, "tiercache-warm-up-" + name);
          thread.setDaemon(true);
          return thread;
        });
    try {
      List<Future<?>> futures = new ArrayList<>(todo.size());
      for (K key : todo) {
        futures.add(pool.submit(() -> {
          try {
            get(key, k -> {
              loaded.incrementAndGet();
              return loader.apply(k);
            });
          } catch (RuntimeException e) {
            failed.incrementAndGet();
            log.warn("cache '{}': warm-up of key '{}' failed: {}", name, keyOf(key), e.toString());
          }
          int n = done.incrementAndGet();
          if (listener != null) {
            listener.progress(n, todo.size());
          }
        }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("warm-up of cache '" + name + "' interrupted");
    } catch (ExecutionException e) {
      throw new IllegalStateException("warm-up of cache '" + name + "' failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    int total = todo.size();
    WarmUpResult result = new WarmUpResult(
        total,
        loaded.get() - failed.get(),
        total - loaded.get(),
        failed.get(),
        Duration.ofNanos(System.nanoTime() - start));
    log.info("cache '{}': warm-up done, {}", name, result);
    return result;
  }

  @Override
  public List<String> hottestKeys(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    return group.hot != null ? group.hot.top(limit) : local.hottest(limit);
  }

  void close() {
    refresh.close();
  }

  /** Keys in the refresh registry (0 without refresh-ahead). */
  long refreshRegistrySize() {
    return refresh.size();
  }

  @SuppressWarnings("unchecked")
  private V unwrap(Object stored) {
    Object value = LocalTier.strip(stored);
    return value == LocalTier.NULL ? null : (V) value;
  }
}
