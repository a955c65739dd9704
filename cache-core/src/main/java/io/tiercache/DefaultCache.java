package io.tiercache;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.tiercache.codec.ValueCodec;
import io.tiercache.redis.RedisTier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A typed view of one {@link CacheGroup}: L1, then L2, then the loader.
 *
 * <p>Design: a load is owned by the caller that installed its own future in the group's
 * single-flight table ({@link LocalTier#install}); that caller reads L2, runs the loader on its own
 * thread, writes L2 and completes the future, which becomes the L1 entry. Other callers of the
 * same key wait on that future. An L2 write after a load is skipped if the key was invalidated or
 * overwritten during the load, so a slow load never puts an older value over a newer one.
 */
final class DefaultCache<K, V> implements Cache<K, V> {

  private static final Logger log = LoggerFactory.getLogger(DefaultCache.class);
  /** Per-read lines (hit DEBUG, miss INFO, as seed 000 asks); tune or silence this logger alone. */
  private static final Logger access = LoggerFactory.getLogger("io.tiercache.access");

  /** What a view needs from its {@link TierCache}. */
  record Context(RedisTier redis, String keyPrefix, int maxKeyLength, Executor asyncExecutor, java.time.Clock clock,
      java.util.concurrent.ScheduledExecutorService scheduler, Executor refreshExecutor, String instanceId,
      java.util.function.Predicate<String> ownsKeys) {}
  private static final Object MISSING = new Object();

  private final CacheGroup group;
  private final String name;
  private final CacheSpec spec;
  private final LocalTier local;
  private final StatsCounter stats;
  private final WriteBackQueue writeBack;
  /** The persistent third level; null when the cache has none. */
  private final PersistentLevel l3;
  private final ValueCodec<V> codec;
  private final RedisTier redis;
  private final String redisPrefix;
  private final String namespace;
  /** Where the distributed load leases live: under Tiercache's own keys, which patterns never reach. */
  private final String leasePrefix;
  /** For a shared cache: whether a name is that of a cache with its own key space; null otherwise. */
  private final java.util.function.Predicate<String> ownsKeys;
  private final int maxKeyLength;
  private final Executor asyncExecutor;
  private final Coherence coherence;
  private final java.time.Clock clock;
  private final RefreshAhead<K, V> refresh;
  /** The longest frame a read takes from Redis: the largest value, its header and length. */
  private final int maxFrame;
  /** Keys whose undecodable value was logged lately: a hostile value is logged once, not per read. */
  private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> decodeLogged =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
          .expireAfterWrite(java.time.Duration.ofHours(1)).executor(Runnable::run).build();
  /** Runs the polls of {@link #getAsync} that wait for another instance's load. */
  private final ScheduledExecutorService scheduler;

  DefaultCache(CacheGroup group, ValueCodec<V> codec, Context context) {
    RedisTier redis = context.redis();
    String keyPrefix = context.keyPrefix();
    int maxKeyLength = context.maxKeyLength();
    Executor asyncExecutor = context.asyncExecutor();
    this.group = group;
    this.name = group.name;
    this.spec = group.spec;
    this.local = group.local;
    this.stats = group.stats;
    this.writeBack = group.writeBack;
    this.l3 = group.l3;
    this.codec = codec;
    this.maxFrame = codec.maxValueSize() + 6;
    this.redis = spec.l2Enabled() ? redis : null;
    this.redisPrefix = group.redisPrefix;
    // a cache with its own key space needs no name in its keys; a shared one keeps other key
    // types apart from its String keys under its name, as before
    this.namespace = group.ownKeys ? "" : name + ":";
    this.leasePrefix = keyPrefix + ":__tc:load:" + (group.ownKeys ? name + ":" : "");
    this.ownsKeys = group.ownKeys ? null : context.ownsKeys();
    this.maxKeyLength = maxKeyLength;
    this.asyncExecutor = asyncExecutor;
    this.coherence = group.coherence;
    this.clock = context.clock();
    this.scheduler = context.scheduler();
    this.refresh = spec.refreshAfter() == null ? null
        : new RefreshAhead<>(name, spec, this::reload, this.redis, keyPrefix, context.instanceId(),
            context.scheduler(), context.refreshExecutor(), context.clock());
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
    if (refresh != null) {
      refresh.touch(k, key, loader);
    }
    // Kept small on purpose: a hit is this method alone, which the JIT inlines into the caller,
    // so a key the caller just built need not be allocated at all.
    Object hit = writeBack == null ? local.getIfPresent(k) : localHit(k);
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
    return getMissed(key, k, loader);
  }

  @Override
  public V getIfInL1(K key) {
    String k = keyOf(key);
    if (refresh != null) {
      return null; // get registers and touches the key for refresh-ahead
    }
    Object hit = writeBack == null ? local.getIfPresent(k) : localHit(k);
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

  private V getMissed(K key, String k, Function<? super K, ? extends V> loader) {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> winner = install(k, mine);
    if (winner != mine) {
      countShared(winner);
      return unwrap(await(winner));
    }
    try {
      Object value = fetchOrLoad(key, k, loader, mine);
      mine.complete(value);
      afterLoad(k, mine, value);
      return unwrap(value);
    } catch (RuntimeException | Error e) {
      local.remove(k, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  @Override
  public CompletableFuture<V> getAsync(K key, Function<? super K, ? extends CompletableFuture<? extends V>> loader) {
    String k = keyOf(key);
    Objects.requireNonNull(loader, "loader must not be null");
    if (group.hot != null) {
      group.hot.record(k);
    }
    if (refresh != null) {
      refresh.touchAsync(k, key, loader);
    }
    Object hit = localHit(k);
    if (hit != null) {
      stats.l1HitRequests.increment();
      if (access.isDebugEnabled()) {
        logL1Hit(k);
      }
      return CompletableFuture.completedFuture(unwrap(hit));
    }
    stats.requests.increment();
    io.tiercache.toolkit.BloomFilter guard = group.guard;
    if (guard != null) {
      // the guard's round trip off the caller's thread, as every Redis call of getAsync
      return CompletableFuture.supplyAsync(() -> guard.mightContain(k), asyncExecutor).thenCompose(passes -> {
        if (!passes) {
          stats.misses.increment();
          return CompletableFuture.<V>completedFuture(null);
        }
        return missedAsync(key, k, loader);
      });
    }
    return missedAsync(key, k, loader);
  }

  private CompletableFuture<V> missedAsync(K key, String k,
      Function<? super K, ? extends CompletableFuture<? extends V>> loader) {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> winner = install(k, mine);
    if (winner != mine) {
      countShared(winner);
      return winner.thenApply(this::unwrap);
    }
    // The caller's future completes after afterLoad, as get returns after it: a read that follows
    // never sees a value that afterLoad drops (an uncached null).
    CompletableFuture<V> result = new CompletableFuture<>();
    fetchOrLoadAsync(key, k, loader, mine).whenComplete((value, error) -> {
      if (error != null) {
        Throwable cause = unwrapCompletion(error);
        local.remove(k, mine);
        mine.completeExceptionally(cause);
        result.completeExceptionally(cause);
      } else {
        mine.complete(value);
        afterLoad(k, mine, value);
        result.complete(unwrap(value));
      }
    });
    return result;
  }

  @Override
  public V getIfPresent(K key) {
    String k = Keys.requireEncodable(keyOf(key), "key");
    if (group.hot != null) {
      group.hot.record(k);
    }
    if (refresh != null) {
      refresh.keepRegistered(k);
    }
    Object hit = localHit(k);
    if (hit != null) {
      stats.l1HitRequests.increment();
      return unwrap(hit);
    }
    stats.requests.increment();
    Object found = readL2IntoL1(k);
    return found == MISSING ? null : unwrap(found);
  }

  /**
   * A read past L1: the value in Redis, put in L1 and counted as an L2 hit; {@link #MISSING},
   * counted as a miss, if Redis has none (or the cache has no L2).
   */
  private Object readL2IntoL1(String k) {
    if (redis != null) {
      Object found = readL2(k);
      if (found != MISSING) {
        stats.l2Hits.increment();
        local.put(k, found);
        return found;
      }
    }
    Object persisted = readL3(k, null);
    if (persisted != MISSING) {
      local.put(k, persisted);
      return persisted;
    }
    stats.misses.increment();
    return MISSING;
  }

  @Override
  public Map<K, V> getAll(Collection<? extends K> keys,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Objects.requireNonNull(keys, "keys must not be null");
    Objects.requireNonNull(bulkLoader, "bulkLoader must not be null");
    Map<String, K> byKey = new LinkedHashMap<>();
    for (K key : keys) {
      if (key == null) {
        throw new NullPointerException("keys must not contain null");
      }
      // every key checked before any load is installed, which a later refusal would strand
      byKey.putIfAbsent(Keys.requireEncodable(keyOf(key), "key"), key);
    }
    if (group.hot != null) {
      byKey.keySet().forEach(group.hot::record);
    }
    stats.requests.add(byKey.size());
    if (refresh != null) {
      Function<K, V> oneKey = one -> oneOf(bulkLoader, one);
      byKey.forEach((k, key) -> refresh.touch(k, key, oneKey));
    }
    Map<String, Object> found = new HashMap<>();
    Map<String, CompletableFuture<Object>> owned = new LinkedHashMap<>();
    Map<String, CompletableFuture<Object>> waiting = new LinkedHashMap<>();
    List<String> missed = new ArrayList<>();
    for (String k : byKey.keySet()) {
      Object hit = localHit(k);
      if (hit != null) {
        stats.l1Hits.increment();
        found.put(k, hit);
      } else {
        missed.add(k);
      }
    }
    io.tiercache.toolkit.BloomFilter guard = group.guard;
    Set<String> passing = guard == null || missed.isEmpty() ? null : guard.mightContainAll(missed);
    for (String k : missed) {
      if (passing != null && !passing.contains(k)) {
        stats.misses.increment(); // never seen by the guard: left out, without L2 or the loader
        continue;
      }
      CompletableFuture<Object> mine = new CompletableFuture<>();
      CompletableFuture<Object> winner = install(k, mine);
      if (winner == mine) {
        owned.put(k, mine);
      } else {
        countShared(winner);
        waiting.put(k, winner);
      }
    }
    if (!owned.isEmpty()) {
      try {
        loadOwned(byKey, owned, found, bulkLoader);
      } catch (RuntimeException | Error e) {
        for (Map.Entry<String, CompletableFuture<Object>> o : owned.entrySet()) {
          if (!o.getValue().isDone()) {
            local.remove(o.getKey(), o.getValue());
            o.getValue().completeExceptionally(e);
          }
        }
        throw e;
      }
    }
    for (Map.Entry<String, CompletableFuture<Object>> w : waiting.entrySet()) {
      found.put(w.getKey(), await(w.getValue()));
    }
    Map<K, V> result = new LinkedHashMap<>();
    for (Map.Entry<String, K> e : byKey.entrySet()) {
      Object value = LocalTier.strip(found.get(e.getKey()));
      if (value != null && value != LocalTier.NULL) {
        result.put(e.getValue(), unwrap(value));
      }
    }
    return result;
  }

  /** A refresh-ahead reload of a key read through {@link #getAll}: the bulk loader, one key. */
  private V oneOf(Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader, K key) {
    Map<? extends K, ? extends V> loaded = bulkLoader.apply(Set.of(key));
    if (loaded == null) {
      throw new NullPointerException("bulkLoader of cache '" + name + "' returned null instead of a map");
    }
    return loaded.get(key);
  }

  private void loadOwned(Map<String, K> byKey, Map<String, CompletableFuture<Object>> owned,
      Map<String, Object> found, Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    List<String> ownKeys = new ArrayList<>(owned.keySet());
    List<String> missing = new ArrayList<>();
    List<Object> fromL2 = readAllL2(ownKeys);
    for (int i = 0; i < ownKeys.size(); i++) {
      String k = ownKeys.get(i);
      Object value = fromL2.get(i);
      if (value == MISSING) {
        missing.add(k);
      } else {
        stats.l2Hits.increment();
        found.put(k, value);
        complete(k, owned.get(k), value);
      }
    }
    if (l3 != null) {
      missing.removeIf(k -> {
        Object persisted = readL3(k, owned.get(k));
        if (persisted == MISSING) {
          return false;
        }
        found.put(k, persisted);
        complete(k, owned.get(k), persisted);
        return true;
      });
    }
    if (missing.isEmpty()) {
      return;
    }
    if (redis == null || spec.distributedLoadWait() == null) {
      bulkLoad(byKey, owned, found, missing, null, bulkLoader);
      return;
    }
    // Distributed single-flight, key by key. The keys whose lease this call takes are loaded
    // first, and their leases released, before it waits for the others: two calls that each took
    // some of the other's keys never wait for each other.
    byte[] lease = newLease();
    long waitMillis = spec.distributedLoadWait().toMillis();
    long deadline = System.nanoTime() + waitMillis * 1_000_000L;
    boolean[] taken = takeLoadLeases(missing, lease, waitMillis);
    if (taken == null) {
      bulkLoad(byKey, owned, found, missing, null, bulkLoader); // Redis cannot coordinate
      return;
    }
    List<String> here = new ArrayList<>();
    List<String> elsewhere = new ArrayList<>();
    for (int i = 0; i < missing.size(); i++) {
      (taken[i] ? here : elsewhere).add(missing.get(i));
    }
    if (!here.isEmpty()) {
      bulkLoad(byKey, owned, found, here, lease, bulkLoader);
    }
    if (!elsewhere.isEmpty()) {
      List<String> late = awaitOtherLoads(elsewhere, deadline, !here.isEmpty(), owned, found);
      if (!late.isEmpty()) {
        log.debug("cache '{}': waited {} ms for other instances to load {} keys; loading them here", name,
            waitMillis, late.size());
        bulkLoad(byKey, owned, found, late, null, bulkLoader);
      }
    }
  }

  /**
   * Takes the load leases of {@code keys} in one pipeline ({@code SET NX PX} each); which were
   * taken, in key order, or null if Redis cannot coordinate.
   */
  private boolean[] takeLoadLeases(List<String> keys, byte[] lease, long waitMillis) {
    try {
      return redis.pipeline("SET NX (load leases)", commands -> {
        List<RedisFuture<?>> futures = new ArrayList<>(keys.size());
        for (String k : keys) {
          futures.add(commands.set(leaseKey(k), lease, SetArgs.Builder.px(waitMillis).nx()));
        }
        return futures;
      }, futures -> {
        boolean[] taken = new boolean[futures.size()];
        for (int i = 0; i < taken.length; i++) {
          try {
            taken[i] = "OK".equals(futures.get(i).get()); // done: the pipeline waited for all
          } catch (ExecutionException | InterruptedException e) {
            return null; // an error reply
          }
        }
        return taken;
      });
    } catch (RedisUnavailableException e) {
      return null;
    }
  }

  /**
   * Waits, as {@link #awaitOtherLoad} does, for the values of {@code keys} that other instances
   * are loading; completes the keys found. Returns the keys still missing at the deadline.
   *
   * @param now whether to read at once (time has passed since the leases were asked for)
   */
  private List<String> awaitOtherLoads(List<String> keys, long deadlineNanos, boolean now,
      Map<String, CompletableFuture<Object>> owned, Map<String, Object> found) {
    List<String> left = new ArrayList<>(keys);
    pollUntil(deadlineNanos, now, () -> {
      List<Object> values = readAllL2(left);
      for (int i = values.size() - 1; i >= 0; i--) {
        Object value = values.get(i);
        if (value != MISSING) {
          String k = left.remove(i);
          stats.l2Hits.increment();
          found.put(k, value);
          complete(k, owned.get(k), value);
        }
      }
      return left.isEmpty();
    });
    return left;
  }

  /**
   * One call of the bulk loader for {@code keys}, then one pipeline of {@code SET NX PX} for the
   * values that may be written, then the release of the keys' load leases (if {@code lease}).
   */
  private void bulkLoad(Map<String, K> byKey, Map<String, CompletableFuture<Object>> owned,
      Map<String, Object> found, List<String> keys, byte[] lease,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    stats.misses.add(keys.size());
    Set<K> toLoad = new LinkedHashSet<>();
    for (String k : keys) {
      toLoad.add(byKey.get(k));
    }
    long start = System.nanoTime();
    Map<? extends K, ? extends V> loaded;
    try {
      loaded = bulkLoader.apply(java.util.Collections.unmodifiableSet(toLoad));
    } catch (RuntimeException | Error e) {
      recordLoad(start, false);
      releaseLoadLeases(keys, lease);
      throw e;
    }
    if (loaded == null) {
      recordLoad(start, false);
      releaseLoadLeases(keys, lease);
      throw new NullPointerException("bulkLoader of cache '" + name + "' returned null instead of a map");
    }
    stats.loadNanos.add(System.nanoTime() - start);
    stats.loads.add(keys.size());
    Map<String, byte[]> frames = new HashMap<>();
    Map<String, Long> ttls = new HashMap<>();
    for (String k : keys) {
      V value = loaded.get(byKey.get(k));
      CompletableFuture<Object> mine = owned.get(k);
      found.put(k, value == null ? LocalTier.NULL : value);
      byte[] frame = null;
      long ttl = ttlMillis(value == null);
      if (redis != null && (value != null || spec.cacheNulls())) {
        frame = encodeLoaded(k, value);
        if (frame != null) {
          if (coherence != null) {
            coherence.loading(group.space, k, frame);
          }
          if (local.isCurrent(k, mine)) {
            frames.put(redisPrefix + k, frame);
            ttls.put(redisPrefix + k, ttl);
          }
        }
      }
      persist(k, mine, value == null ? LocalTier.NULL : value, frame, ttl);
    }
    // Written before the futures complete, while "still current" means "not invalidated".
    if (!frames.isEmpty() && redis.available()) {
      try {
        redis.setAll(frames, ttls, true);
        if (coherence != null) {
          for (String k : keys) {
            byte[] frame = frames.get(redisPrefix + k);
            if (frame != null && !local.isCurrent(k, owned.get(k))) {
              coherence.compareAndDelete(group.space, k, frame);
            }
          }
        }
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
      }
    }
    releaseLoadLeases(keys, lease);
    for (String k : keys) {
      complete(k, owned.get(k), found.get(k));
    }
  }

  /** Releases the load leases of {@code keys} without waiting (each expires by itself anyway). */
  private void releaseLoadLeases(List<String> keys, byte[] lease) {
    if (lease != null) {
      for (String k : keys) {
        releaseLoadLeaseAsync(k, lease);
      }
    }
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
    switch (spec.strategy()) {
      case WRITE_BACK:
        stats.puts.increment();
        writeBack.put(k, new WriteBackQueue.Pending(key, value, redisPrefix + k, frame, ttlMillis(false),
            WriteBackQueue.nextVersion()));
        local.put(k, value);
        return;
      case WRITE_THROUGH:
        try {
          @SuppressWarnings("unchecked")
          CacheWriter<K, V> writer = (CacheWriter<K, V>) spec.writer();
          writer.write(key, value);
        } catch (RuntimeException e) {
          throw new CacheWriterException("cache '" + name + "': writer failed for key '" + k
              + "'; nothing was cached", e);
        }
        break;
      default:
        break;
    }
    stats.puts.increment();
    if (l3 != null) {
      // before Redis: a write-through put whose Redis write fails still leaves the new value here
      l3.put(k, frame, ttlMillis(false));
    }
    if (redis != null) {
      String redisKey = redisPrefix + k;
      try {
        long ttl = ttlMillis(false);
        writeL2(redisKey, c -> c.set(redisKey, frame, io.lettuce.core.SetArgs.Builder.px(ttl)),
            () -> redis.set(redisKey, frame, ttl));
        if (coherence != null) {
          coherence.publishKeys(group.space, List.of(k));
        }
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        redis.rememberDelete(redisKey);
        if (spec.strategy() == Strategy.WRITE_THROUGH) {
          // the store has the value and so does this L1; the caller is told the cache does not
          local.put(k, value);
          throw new RedisUnavailableException("cache '" + name + "': key '" + k + "' was written by the writer "
              + "but not to Redis (" + e.getMessage() + "); Redis will not serve the replaced value: the key is "
              + "deleted there as soon as it answers", e);
        }
      }
    }
    local.put(k, value);
  }

  @Override
  public void invalidate(K key) {
    String k = Keys.requireEncodable(keyOf(key), "key");
    stats.invalidations.increment();
    if (redis != null) {
      String redisKey = redisPrefix + k;
      try {
        writeL2(redisKey, c -> c.unlink(redisKey), () -> redis.delete(List.of(redisKey)));
        if (coherence != null) {
          coherence.publishKeys(group.space, List.of(k));
        }
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        redis.rememberDelete(redisKey);
      }
    }
    group.evict(k);
  }

  @Override
  public void invalidateAll() {
    local.invalidateAll();
    if (l3 != null) {
      l3.clear();
    }
    if (redis != null) {
      String pattern = Keys.escapeGlob(redisPrefix + namespace) + "*";
      try {
        redis.deleteMatching(pattern);
        if (coherence != null) {
          coherence.publishCache(name);
        }
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        redis.rememberDeletePattern(pattern, null, coherence == null ? null : () -> coherence.publishCache(name));
      }
    }
  }

  @Override
  public void flush() {
    if (writeBack != null) {
      writeBack.flush();
    }
  }

  @Override
  public java.util.Optional<BloomGuard<K>> bloomGuard() {
    io.tiercache.toolkit.BloomFilter filter = group.guard;
    return filter == null ? java.util.Optional.empty() : java.util.Optional.of(new Guard(filter));
  }

  /** {@link BloomGuard} over the group's filter: keys become the strings the cache writes to Redis. */
  private final class Guard implements BloomGuard<K> {
    private final io.tiercache.toolkit.BloomFilter filter;

    Guard(io.tiercache.toolkit.BloomFilter filter) {
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
    public long rebuild(java.util.Iterator<? extends K> keys) {
      Objects.requireNonNull(keys, "keys must not be null");
      return filter.rebuild(new java.util.Iterator<String>() {
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
    public io.tiercache.toolkit.BloomStats stats() {
      return filter.stats();
    }

    @Override
    public io.tiercache.toolkit.BloomFilter filter() {
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

  /** When a write was last logged for too few replica acknowledgements ({@link System#nanoTime}). */
  private volatile long lastReplicaWarning;

  /**
   * Runs a write of this cache: {@code plain} on the shared connection, or, with {@link
   * CacheSpec#replicaAcks}, {@code replicated} on the connection that then waits for the replicas.
   * A write the replicas did not acknowledge in time is done on the master: counted as degraded
   * and logged at most once a minute.
   *
   * @throws RedisUnavailableException as the write itself would
   */
  private void writeL2(String redisKey,
      java.util.function.Consumer<io.lettuce.core.cluster.api.sync.RedisClusterCommands<String, byte[]>> replicated,
      Runnable plain) {
    int replicas = spec.replicaAcks();
    if (replicas == 0) {
      plain.run();
      return;
    }
    long acked = redis.writeAndAwaitReplicas("write + WAIT", redisKey, replicated, replicas, spec.replicaAckTimeout());
    if (acked < replicas) {
      stats.degraded.increment();
      long now = System.nanoTime();
      if (lastReplicaWarning == 0 || now - lastReplicaWarning > 60_000_000_000L) {
        lastReplicaWarning = now;
        log.warn("cache '{}': a write was acknowledged by {} of {} replicas within {}; it is done on the master, "
            + "but a failover now could lose it (logged at most once a minute)", name, acked, replicas,
            spec.replicaAckTimeout());
      }
    }
  }

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
        throw new IllegalArgumentException("key '" + k + "' of shared cache '" + name + "' starts with '"
            + k.substring(0, colon) + ":', the name of a cache with its own key space: its Redis key would be "
            + "that cache's; rename one of them, or give that cache sharedKeys(true) too");
      }
    }
    return k;
  }

  /** The rare cases of {@link #keyOf}: empty, reserved or over-long keys. */
  private String checkedKey(String k) {
    if (k.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (k.startsWith("__")) {
      throw new IllegalArgumentException("key must not start with '__' (reserved for Tiercache's own data), was '"
          + k + "'");
    }
    // an over-long key's tail is hashed: check it whole first, or two tails could hash alike
    return k.length() > maxKeyLength ? Keys.bounded(Keys.requireEncodable(k, "key"), maxKeyLength) : k;
  }

  private Object localHit(String k) {
    if (writeBack != null) {
      WriteBackQueue.Pending pending = writeBack.pending(k);
      if (pending != null) {
        return pending.value();
      }
    }
    return local.getIfPresent(k);
  }

  /** Installs {@code mine} or returns the live future of another caller; skips failed ones. */
  private CompletableFuture<Object> install(String k, CompletableFuture<Object> mine) {
    Keys.requireEncodable(k, "key"); // on the miss path only: a key that fails never reaches L1
    requireShareable(k);
    while (true) {
      CompletableFuture<Object> winner = local.install(k, mine);
      if (winner == mine || !winner.isCompletedExceptionally()) {
        return winner;
      }
      local.remove(k, winner);
    }
  }

  private void countShared(CompletableFuture<Object> winner) {
    if (winner.isDone() && !winner.isCompletedExceptionally()) {
      stats.l1Hits.increment();
    } else {
      stats.misses.increment();
    }
  }

  private Object fetchOrLoad(K key, String k, Function<? super K, ? extends V> loader, CompletableFuture<Object> mine) {
    if (redis != null) {
      Object found = readL2(k);
      if (found != MISSING) {
        stats.l2Hits.increment();
        if (access.isDebugEnabled()) {
          access.debug("cache '{}' L2 hit for key '{}'", name, k);
        }
        return found;
      }
    }
    Object persisted = readL3(k, mine);
    if (persisted != MISSING) {
      return persisted;
    }
    byte[] lease = null;
    if (redis != null && spec.distributedLoadWait() != null) {
      lease = newLease();
      Object found = awaitOtherLoad(k, lease);
      if (found == null) {
        lease = null; // not ours: another instance loads, or Redis cannot coordinate
      } else if (found != MISSING) {
        stats.l2Hits.increment();
        return found;
      }
    }
    stats.misses.increment();
    access.info("cache '{}' miss for key '{}'", name, k);
    long start = System.nanoTime();
    V value;
    try {
      value = loader.apply(key);
    } catch (RuntimeException | Error e) {
      recordLoad(start, false);
      releaseLoadLease(k, lease);
      throw e;
    }
    long took = recordLoad(start, true);
    Object stored = value == null ? LocalTier.NULL : value;
    long ttl = writeLoaded(k, mine, stored, lease);
    if (refresh != null) {
      refresh.loaded(k, took, ttl);
    }
    return stored;
  }

  /**
   * {@link #fetchOrLoad} without blocking, for {@link #getAsync}: L2, then the load lease (waiting
   * for another instance's load on the scheduler, never on a thread of Lettuce or of the async
   * executor), then the loader, then the L2 write.
   */
  private CompletableFuture<Object> fetchOrLoadAsync(K key, String k,
      Function<? super K, ? extends CompletableFuture<? extends V>> loader, CompletableFuture<Object> mine) {
    if (redis == null) {
      Object persisted = readL3(k, mine);
      return persisted != MISSING ? CompletableFuture.completedFuture(persisted) : loadAsync(key, k, loader, mine, null);
    }
    return readL2Async(k).thenCompose(found -> {
      if (found != MISSING) {
        stats.l2Hits.increment();
        if (access.isDebugEnabled()) {
          access.debug("cache '{}' L2 hit for key '{}'", name, k);
        }
        return CompletableFuture.completedFuture(found);
      }
      Object persisted = readL3(k, mine);
      if (persisted != MISSING) {
        return CompletableFuture.completedFuture(persisted);
      }
      if (spec.distributedLoadWait() == null) {
        return loadAsync(key, k, loader, mine, null);
      }
      byte[] lease = newLease();
      // Async: the wait may end on the JDK's timer thread, which must not run the loader.
      return awaitOtherLoadAsync(k, lease).thenComposeAsync(other -> {
        if (other == MISSING) {
          return loadAsync(key, k, loader, mine, lease);
        }
        if (other == null) {
          log.debug("cache '{}': no value from another instance's load of '{}' in time; loading here", name, k);
          return loadAsync(key, k, loader, mine, null);
        }
        stats.l2Hits.increment();
        return CompletableFuture.completedFuture(other);
      }, asyncExecutor);
    });
  }

  /** The miss of {@link #getAsync}: starts the loader, then writes its value without blocking. */
  private CompletableFuture<Object> loadAsync(K key, String k,
      Function<? super K, ? extends CompletableFuture<? extends V>> loader, CompletableFuture<Object> mine,
      byte[] lease) {
    stats.misses.increment();
    access.info("cache '{}' miss for key '{}'", name, k);
    long start = System.nanoTime();
    CompletableFuture<? extends V> loading;
    try {
      loading = Objects.requireNonNull(loader.apply(key), "loader returned a null future");
    } catch (RuntimeException | Error e) {
      recordLoad(start, false);
      releaseLoadLeaseAsync(k, lease);
      return CompletableFuture.failedFuture(e);
    }
    return loading.handle((value, error) -> {
      long took = recordLoad(start, error == null);
      if (error != null) {
        releaseLoadLeaseAsync(k, lease);
        return CompletableFuture.<Object>failedFuture(unwrapCompletion(error));
      }
      Object stored = value == null ? LocalTier.NULL : value;
      return writeLoadedNonBlocking(k, mine, stored, lease).thenApply(ttl -> {
        if (refresh != null) {
          refresh.loaded(k, took, ttl);
        }
        return stored;
      });
    }).thenCompose(Function.identity());
  }

  /**
   * Writes a loaded value to L2 (unless that could be stale) and then releases the load lease, if
   * any; in the background with {@link CacheSpec#writeLoadedAsync}. Returns the value's TTL.
   */
  private long writeLoaded(String k, CompletableFuture<Object> mine, Object stored, byte[] lease) {
    long ttl = ttlMillis(stored == LocalTier.NULL);
    byte[] frame = loadedFrame(k, mine, stored);
    persist(k, mine, stored, frame, ttl);
    if (frame == null) {
      releaseLoadLease(k, lease);
    } else if (spec.writeLoadedAsync()) {
      writeInBackground(k, frame, ttl, lease);
    } else {
      try {
        redis.setIfAbsent(redisPrefix + k, frame, ttl);
        if (coherence != null && !local.isCurrent(k, mine)) {
          coherence.compareAndDelete(group.space, k, frame);
        }
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
      }
      releaseLoadLease(k, lease);
    }
    return ttl;
  }

  /**
   * {@link #writeLoaded} without blocking, for {@link #getAsync}: completes, on the async
   * executor, once the value is in L2 and an invalidation that overtook the load has been dealt
   * with (the load is still in flight meanwhile, so "still current" means "not invalidated"); at
   * once if nothing is written or with {@link CacheSpec#writeLoadedAsync}. Its value is the TTL.
   */
  private CompletableFuture<Long> writeLoadedNonBlocking(String k, CompletableFuture<Object> mine, Object stored,
      byte[] lease) {
    long ttl = ttlMillis(stored == LocalTier.NULL);
    byte[] frame = loadedFrame(k, mine, stored);
    persist(k, mine, stored, frame, ttl);
    if (frame == null) {
      releaseLoadLeaseAsync(k, lease);
      return CompletableFuture.completedFuture(ttl);
    }
    if (spec.writeLoadedAsync()) {
      writeInBackground(k, frame, ttl, lease);
      return CompletableFuture.completedFuture(ttl);
    }
    // NX: a loaded value never replaces one that a writer stored meanwhile.
    return redis.setIfAbsentAsync(redisPrefix + k, frame, ttl).handleAsync((written, error) -> {
      if (error != null) {
        stats.degraded.increment();
      } else if (coherence != null && !local.isCurrent(k, mine)) {
        coherence.compareAndDelete(group.space, k, frame);
      }
      releaseLoadLeaseAsync(k, lease);
      return ttl;
    }, asyncExecutor);
  }

  /** The write of {@link CacheSpec#writeLoadedAsync}: the caller does not wait for it. */
  private void writeInBackground(String k, byte[] frame, long ttl, byte[] lease) {
    // NX: a loaded value never replaces one that a writer stored meanwhile.
    redis.setIfAbsentAsync(redisPrefix + k, frame, ttl).whenComplete((written, error) -> {
      if (error != null) {
        stats.degraded.increment();
      } else if (coherence != null && !coherence.isRecentLoad(group.space, k, frame)) {
        // Invalidated after the load was read: by now the caller has completed, so the check
        // is against the coherence window rather than the single-flight entry.
        coherence.compareAndDelete(group.space, k, frame);
      }
      releaseLoadLeaseAsync(k, lease);
    });
  }

  /** The frame to write a loaded value to L2 with, or null if it must not be written. */
  private byte[] loadedFrame(String k, CompletableFuture<Object> mine, Object stored) {
    boolean isNull = stored == LocalTier.NULL;
    // With the breaker open the read already counted this call as degraded: skip quietly.
    if (redis == null || !redis.available() || (isNull && !spec.cacheNulls()) || !local.isCurrent(k, mine)) {
      return null;
    }
    @SuppressWarnings("unchecked")
    byte[] frame = encodeLoaded(k, isNull ? null : (V) stored);
    if (frame == null) {
      return null;
    }
    if (coherence != null) {
      coherence.loading(group.space, k, frame);
      if (!local.isCurrent(k, mine)) {
        return null; // invalidated while loading: the value may predate the change
      }
    }
    return frame;
  }

  /**
   * Distributed single-flight: takes the load lease of {@code k}, or waits for the instance that
   * holds it to put the value into Redis.
   *
   * @return {@link #MISSING} if this caller holds the lease and must load; the value if another
   *     instance stored it meanwhile; null if the wait ran out or Redis cannot coordinate, and
   *     this caller loads without a lease
   */
  private Object awaitOtherLoad(String k, byte[] lease) {
    long waitMillis = spec.distributedLoadWait().toMillis();
    try {
      if (redis.setIfAbsent(leaseKey(k), lease, waitMillis)) {
        return MISSING;
      }
    } catch (RedisUnavailableException e) {
      return null;
    }
    Object[] found = {MISSING};
    if (pollUntil(System.nanoTime() + waitMillis * 1_000_000L, false, () -> (found[0] = readL2(k)) != MISSING)) {
      return found[0];
    }
    log.debug("cache '{}': waited {} ms for another instance to load '{}'; loading here", name, waitMillis, k);
    return null;
  }

  /**
   * {@link #awaitOtherLoad} without blocking: the lease with {@code SET NX} on Lettuce, the polls
   * of L2 scheduled on the scheduler, the deadline on the future itself (so that a poll the
   * scheduler drops while the cache closes holds no caller up for longer). Completes as {@link
   * #awaitOtherLoad} returns.
   */
  private CompletableFuture<Object> awaitOtherLoadAsync(String k, byte[] lease) {
    long waitMillis = spec.distributedLoadWait().toMillis();
    CompletableFuture<Object> result = new CompletableFuture<>();
    redis.setIfAbsentAsync(leaseKey(k), lease, waitMillis).whenCompleteAsync((taken, error) -> {
      if (error != null) {
        result.complete(null);
      } else if (taken) {
        result.complete(MISSING);
      } else {
        result.completeOnTimeout(null, waitMillis, TimeUnit.MILLISECONDS);
        pollL2Async(k, FIRST_POLL_PAUSE_MILLIS, result);
      }
    }, asyncExecutor);
    return result;
  }

  /** One poll of {@link #awaitOtherLoadAsync} after {@code pause} ms, and the next until done. */
  private void pollL2Async(String k, long pause, CompletableFuture<Object> result) {
    if (result.isDone()) {
      return;
    }
    try {
      scheduler.schedule(() -> {
        if (!result.isDone()) {
          readL2Async(k).whenComplete((found, error) -> {
            if (error == null && found != MISSING) {
              result.complete(found);
            } else {
              pollL2Async(k, nextPause(pause), result);
            }
          });
        }
      }, pause, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      result.complete(null); // the cache is closing: load here
    }
  }

  /**
   * Calls {@code done} until it returns true or the deadline passes, sleeping before each call
   * (but the first if {@code now}): 5 ms, then twice as long each time up to 50 ms. False if the
   * time ran out or the thread was interrupted (its interrupt flag is kept).
   */
  private static boolean pollUntil(long deadlineNanos, boolean now, BooleanSupplier done) {
    if (now && done.getAsBoolean()) {
      return true;
    }
    long pause = FIRST_POLL_PAUSE_MILLIS;
    while (System.nanoTime() < deadlineNanos) {
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      pause = nextPause(pause);
      if (done.getAsBoolean()) {
        return true;
      }
    }
    return false;
  }

  private static final long FIRST_POLL_PAUSE_MILLIS = 5;

  private static long nextPause(long pause) {
    return Math.min(pause * 2, 50);
  }

  /** A random token that marks this caller's load leases: only it releases them. */
  private static byte[] newLease() {
    byte[] lease = new byte[16];
    ThreadLocalRandom.current().nextBytes(lease);
    return lease;
  }

  private String leaseKey(String k) {
    return leasePrefix + k;
  }

  private void releaseLoadLease(String k, byte[] lease) {
    if (lease == null) {
      return;
    }
    try {
      redis.compareAndDelete(leaseKey(k), lease);
    } catch (RedisUnavailableException e) {
      // the lease expires by itself
    }
  }

  /** {@link #releaseLoadLease} without blocking, for callbacks on Lettuce's threads. */
  private void releaseLoadLeaseAsync(String k, byte[] lease) {
    if (lease != null) {
      // a failure needs no handling: the lease expires by itself
      redis.compareAndDeleteAsync(leaseKey(k), lease);
    }
  }

  /**
   * A background reload for refresh-ahead, on the refresh executor (an asynchronous loader's
   * future is joined there); the old value stays if the loader fails.
   */
  private boolean reload(String k, RefreshAhead.Entry<K, V> entry) {
    long start = System.nanoTime();
    V value;
    try {
      value = entry.load();
    } catch (RuntimeException e) {
      stats.refreshFailures.increment();
      log.warn("cache '{}': refresh of key '{}' failed, the old value is kept until it expires: {}", name, k,
          e.toString());
      return false;
    }
    long took = System.nanoTime() - start;
    long ttl = store(k, value);
    stats.refreshes.increment();
    refresh.loaded(k, took, ttl);
    log.debug("cache '{}': refreshed key '{}'", name, k);
    return true;
  }

  /**
   * Stores a value just read from the source: L2 with a plain SET (it replaces what is there),
   * the other instances told, then L1. A null is stored only when the cache caches nulls.
   *
   * @return the TTL given
   */
  private long store(String k, V value) {
    boolean isNull = value == null;
    long ttl = ttlMillis(isNull);
    if (l3 != null && (!isNull || spec.cacheNulls())) {
      persist(k, null, isNull ? LocalTier.NULL : value, null, ttl);
    }
    if (redis != null && (!isNull || spec.cacheNulls())) {
      byte[] frame = encodeLoaded(k, value);
      if (frame != null) {
        try {
          String redisKey = redisPrefix + k;
          writeL2(redisKey, c -> c.set(redisKey, frame, io.lettuce.core.SetArgs.Builder.px(ttl)),
              () -> redis.set(redisKey, frame, ttl));
          if (coherence != null) {
            coherence.publishKeys(group.space, List.of(k));
          }
        } catch (RedisUnavailableException e) {
          stats.degraded.increment();
          redis.rememberDelete(redisPrefix + k);
        }
      }
    }
    if (!isNull || spec.cacheNulls()) {
      local.put(k, isNull ? LocalTier.NULL : value);
    }
    return ttl;
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
    store(k, value);
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
    Object found = readL2IntoL1(k);
    return found == MISSING ? refresh(key, loader) : unwrap(found);
  }

  @Override
  public WarmUpResult warmUp(Collection<? extends K> keys, Function<? super K, ? extends V> loader, int concurrency,
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
    java.util.concurrent.atomic.AtomicInteger loaded = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
        Math.min(concurrency, Math.max(1, todo.size())), runnable -> {
          Thread thread = new Thread(runnable, "tiercache-warm-up-" + name);
          thread.setDaemon(true);
          return thread;
        });
    try {
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>(todo.size());
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
      for (java.util.concurrent.Future<?> future : futures) {
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
    WarmUpResult result = new WarmUpResult(total, loaded.get() - failed.get(), total - loaded.get(), failed.get(),
        java.time.Duration.ofNanos(System.nanoTime() - start));
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
    if (refresh != null) {
      refresh.close();
    }
  }

  /** Keys in the refresh registry (0 without refresh-ahead). */
  long refreshRegistrySize() {
    return refresh == null ? 0 : refresh.size();
  }

  /* ---- The persistent level ---- */

  /** Keys whose undecodable L3 frame was logged: once per key, not per read. */
  private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> l3DecodeLogged =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(10_000)
          .expireAfterWrite(java.time.Duration.ofHours(1)).executor(Runnable::run).build();

  /**
   * After an L2 miss (or with Redis down): the value the persistent level holds, counted as an L3
   * hit and copied to L2 in the background with what is left of its TTL; {@link #MISSING} when it
   * has none (or the cache has no such level).
   *
   * @param mine the load in progress, or null outside a load
   */
  private Object readL3(String k, CompletableFuture<Object> mine) {
    if (l3 == null) {
      return MISSING;
    }
    PersistentLevel.Found found = l3.get(k);
    if (found == null) {
      stats.l3Misses.increment();
      return MISSING;
    }
    Object value;
    try {
      V decoded = codec.decode(found.frame());
      value = decoded == null ? LocalTier.NULL : decoded;
    } catch (CodecException e) {
      stats.decodeErrors.increment();
      stats.l3Misses.increment();
      l3.remove(k);
      if (l3DecodeLogged.asMap().putIfAbsent(k, Boolean.TRUE) == null) {
        log.warn("cache '{}': the persistent level's value under key '{}' cannot be decoded as {} and is deleted "
            + "(read as a miss; logged once an hour per key): {}", name, k, codec.type(), e.getMessage());
      }
      return MISSING;
    }
    stats.l3Hits.increment();
    if (access.isDebugEnabled()) {
      access.debug("cache '{}' L3 hit for key '{}'", name, k);
    }
    promote(k, mine, found);
    return value;
  }

  /**
   * Copies a value found in the persistent level to L2 ({@code SET NX}, with the rest of its TTL),
   * so that after a Redis flush the other instances find it there; handled as a loaded value: an
   * invalidation that overtakes the write removes it again.
   */
  private void promote(String k, CompletableFuture<Object> mine, PersistentLevel.Found found) {
    if (redis == null || !redis.available() || (mine != null && !local.isCurrent(k, mine))) {
      return;
    }
    long ttl = found.expiresAtMillis() - clock.millis();
    if (ttl < 1) {
      return;
    }
    byte[] frame = found.frame();
    if (coherence != null) {
      coherence.loading(group.space, k, frame);
    }
    redis.setIfAbsentAsync(redisPrefix + k, frame, ttl).whenComplete((written, error) -> {
      if (error == null && coherence != null && !coherence.isRecentLoad(group.space, k, frame)) {
        coherence.compareAndDelete(group.space, k, frame);
      }
    });
  }

  /**
   * Writes a value just loaded or stored to the persistent level, unless the load was invalidated
   * meanwhile ({@code mine} no longer current) or the value is a null the cache does not keep.
   *
   * @param frame its frame if already encoded for L2, else null
   */
  private void persist(String k, CompletableFuture<Object> mine, Object stored, byte[] frame, long ttl) {
    if (l3 == null || (stored == LocalTier.NULL && !spec.cacheNulls()) || (mine != null && !local.isCurrent(k, mine))) {
      return;
    }
    if (frame == null) {
      try {
        @SuppressWarnings("unchecked")
        V value = stored == LocalTier.NULL ? null : (V) stored;
        frame = codec.encode(value);
      } catch (CodecException e) {
        return; // logged where the value is written to L2, or stays out of every level
      }
    }
    l3.put(k, frame, ttl);
    if (mine != null && !local.isCurrent(k, mine)) {
      l3.remove(k); // invalidated between the check and the write: the invalidation wins
    }
  }

  private byte[] encodeLoaded(String k, V value) {
    try {
      byte[] frame = codec.encode(value);
      stats.encoded(frame);
      return frame;
    } catch (CodecException e) {
      log.error("cache '{}': loaded value for key '{}' cannot be encoded and stays out of Redis: {}",
          name, k, e.getMessage());
      return null;
    }
  }

  private void afterLoad(String k, CompletableFuture<Object> mine, Object value) {
    if (value == LocalTier.NULL && !spec.cacheNulls()) {
      local.remove(k, mine);
    } else {
      local.loaded(k, mine);
    }
  }

  private void complete(String k, CompletableFuture<Object> mine, Object value) {
    mine.complete(value);
    afterLoad(k, mine, value);
  }

  private Object readL2(String k) {
    byte[] frame;
    try {
      frame = redis.getBounded(redisPrefix + k, maxFrame);
    } catch (RedisUnavailableException e) {
      stats.degraded.increment();
      return MISSING;
    }
    return frame == null ? MISSING : decodeOrDelete(k, frame);
  }

  /** {@link #readL2} without blocking; completes on the async executor, which decodes. */
  private CompletableFuture<Object> readL2Async(String k) {
    return redis.getBoundedAsync(redisPrefix + k, maxFrame).handleAsync((frame, error) -> {
      if (error != null) {
        stats.degraded.increment();
        return MISSING;
      }
      return frame == null ? MISSING : decodeOrDelete(k, frame);
    }, asyncExecutor);
  }

  private List<Object> readAllL2(List<String> keys) {
    List<Object> values = new ArrayList<>(keys.size());
    if (redis != null) {
      List<String> redisKeys = new ArrayList<>(keys.size());
      for (String k : keys) {
        redisKeys.add(redisPrefix + k);
      }
      try {
        List<byte[]> frames = redis.mget(redisKeys);
        for (int i = 0; i < keys.size(); i++) {
          byte[] frame = frames.get(i);
          values.add(frame == null ? MISSING : decodeOrDelete(keys.get(i), frame));
        }
        return values;
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        values.clear();
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      values.add(MISSING);
    }
    return values;
  }

  private Object decodeOrDelete(String k, byte[] frame) {
    try {
      V value = codec.decode(frame);
      return value == null ? LocalTier.NULL : value;
    } catch (CodecException e) {
      stats.decodeErrors.increment();
      if (decodeLogged.asMap().putIfAbsent(k, Boolean.TRUE) == null) {
        log.error("cache '{}': value under key '{}' cannot be decoded as {} and is deleted (read as a miss; "
            + "logged once an hour per key): {}", name, k, codec.type(), e.getMessage());
      }
      String redisKey = redisPrefix + k;
      try {
        redis.delete(List.of(redisKey));
      } catch (RedisUnavailableException unavailable) {
        redis.rememberDelete(redisKey);
      }
      return MISSING;
    }
  }

  private long recordLoad(long start, boolean success) {
    long took = System.nanoTime() - start;
    stats.loadNanos.add(took);
    (success ? stats.loads : stats.loadFailures).increment();
    return took;
  }

  long ttlMillis(boolean isNull) {
    long base = (isNull ? spec.nullTtl() : spec.ttl()).toMillis();
    double jitter = spec.ttlJitter();
    if (jitter > 0) {
      double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
      base = Math.round(base * factor);
    }
    return Expiries.capMillis(spec, clock, Math.max(1, base));
  }

  @SuppressWarnings("unchecked")
  private V unwrap(Object stored) {
    Object value = LocalTier.strip(stored);
    return value == LocalTier.NULL ? null : (V) value;
  }

  private static Object await(CompletableFuture<Object> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new CompletionException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for a load of the same key");
    }
  }

  private static Throwable unwrapCompletion(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }
}
