package io.tiercache;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.tiercache.internal.codec.ValueCodec;
import io.tiercache.toolkit.BloomFilter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * Everything a read does after L1 missed, for every read of a cache ({@code get}, {@code getAsync},
 * {@code getAll}, {@code getIfPresent} and refresh-ahead's reloads): single flight, the L2 read,
 * the persistent level, the distributed load lease, the loader, the guarded L2 write and the L1
 * install.
 *
 * <p>The walk of one key: the caller whose future {@link LocalTier#install} accepts owns the load
 * (the others wait on that future); it reads L2, then L3; with distributed load it takes the
 * key's lease or waits for the instance that holds it; it calls the loader on its own thread; it
 * writes the value to L3 and, with {@code SET NX}, to L2; it completes the future, which becomes the
 * L1 entry.
 *
 * <p><b>The load-race rule</b>, all of it in this class: an invalidation beats an in-flight load.
 * An invalidation evicts the key's single-flight future from L1, so the load's future is no longer
 * {@linkplain LocalTier#isCurrent current}. A loaded value is written only while its future is
 * current, checked again after coherence was told a load is being written ({@link
 * RedisLevel#loading}); if the future stopped being current while the write was under way, the
 * written frame is deleted again if Redis still holds exactly it ({@link RedisLevel#undoLoad}).
 * Writes that end after the caller returned (background writes, promotions from L3) check the
 * coherence window instead ({@link RedisLevel#isRecentLoad}). So a slow load never leaves an older
 * value behind a newer invalidation in any level.
 */
final class MissPath<K, V> {

  private static final Logger log = LoggerFactory.getLogger(DefaultCache.class);
  /** Per-read lines (hit DEBUG, miss INFO, as seed 000 asks); tune or silence this logger alone. */
  private static final Logger access = LoggerFactory.getLogger("io.tiercache.access");

  private static final Object MISSING = RedisLevel.MISSING;
  private static final long FIRST_POLL_PAUSE_MILLIS = 5;

  private final CacheGroup group;
  private final String name;
  private final CacheSpec spec;
  private final LocalTier local;
  private final StatsCounter stats;
  private final RedisLevel l2;
  private final PersistentLevel l3;
  /** Whether the cache has a persistent level (L3 hits and misses are counted only then). */
  private final boolean l3On;

  private final ValueCodec<V> codec;
  private final Executor asyncExecutor;
  /** Runs the polls of {@link #getAsync} that wait for another instance's load. */
  private final ScheduledExecutorService scheduler;

  private final Clock clock;
  /** Whether a miss takes the key's load lease first ({@link CacheSpec#distributedLoadWait}). */
  private final boolean distributed;
  /** How long a lease lives, and how long a caller waits for another instance's load. */
  private final long waitMillis;
  /** Refresh-ahead, or {@link Refresher#off()}; set once by {@link #refreshAhead}. */
  private Refresher<K, V> refresh = Refresher.off();
  /** Keys whose undecodable L3 frame was logged: once per key, not per read. */
  private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> l3DecodeLogged =
      Caffeine.newBuilder()
          .maximumSize(10_000)
          .expireAfterWrite(Duration.ofHours(1))
          .executor(Runnable::run)
          .build();

  MissPath(
      CacheGroup group,
      ValueCodec<V> codec,
      Executor asyncExecutor,
      ScheduledExecutorService scheduler,
      Clock clock) {
    this.group = group;
    this.name = group.name;
    this.spec = group.spec;
    this.local = group.local;
    this.stats = group.stats;
    this.l2 = group.l2;
    this.l3 = group.l3;
    this.l3On = spec.l3Enabled();
    this.codec = codec;
    this.asyncExecutor = asyncExecutor;
    this.scheduler = scheduler;
    this.clock = clock;
    this.distributed = l2.enabled() && spec.distributedLoadWait() != null;
    this.waitMillis = distributed ? spec.distributedLoadWait().toMillis() : 0;
  }

  /** Connects refresh-ahead, which calls {@link #reload} (created after this path, which it needs). */
  void refreshAhead(Refresher<K, V> refresh) {
    this.refresh = refresh;
  }

  /* ---- One key, blocking ---- */

  /** A {@code get} that missed L1: the value, loaded here or by whoever loads it already. */
  V get(K key, String k, Function<? super K, ? extends V> loader) {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> winner = install(k, mine);
    if (winner != mine) {
      countShared(winner);
      return unwrap(await(winner));
    }
    try {
      Object value = fetchOrLoad(key, k, loader, mine);
      complete(k, mine, value);
      return unwrap(value);
    } catch (RuntimeException | Error e) {
      local.remove(k, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private Object fetchOrLoad(
      K key, String k, Function<? super K, ? extends V> loader, CompletableFuture<Object> mine) {
    // With distributed load, a read that misses takes the key's lease in the same round trip;
    // with a persistent level, the lease only once that level missed too.
    byte[] lease = distributed ? newLease() : null;
    Object found =
        lease != null && !l3On ? l2.readOrLease(k, codec, lease, waitMillis) : l2.read(k, codec);
    if (RedisLevel.isValue(found)) {
      countL2Hit(k);
      return found;
    }
    Object persisted = readL3(k, mine);
    if (persisted != MISSING) {
      return persisted;
    }
    if (lease != null && l3On) {
      found = RedisLevel.leased(l2.takeLease(k, lease, waitMillis));
    }
    if (found != RedisLevel.LEASE_TAKEN) {
      lease = null; // not ours: another instance loads, or Redis cannot coordinate
    }
    if (found == RedisLevel.LEASE_HELD) {
      Object other = awaitOtherLoad(k);
      if (other != MISSING) {
        stats.l2Hits.increment();
        return other;
      }
    }
    countMiss(k);
    long start = System.nanoTime();
    V value;
    try {
      value = loader.apply(key);
    } catch (RuntimeException | Error e) {
      recordLoad(start, false);
      releaseLease(k, lease);
      throw e;
    }
    long took = recordLoad(start, true);
    Object stored = value == null ? LocalTier.NULL : value;
    long ttl = writeLoaded(k, mine, stored, lease);
    refresh.loaded(k, took, ttl);
    return stored;
  }

  /**
   * Writes a loaded value to L3 and L2 (unless that could be stale) and then releases the load
   * lease, if any; the L2 write in the background with {@link CacheSpec#writeLoadedAsync}.
   * Returns the value's TTL.
   */
  private long writeLoaded(String k, CompletableFuture<Object> mine, Object stored, byte[] lease) {
    long ttl = group.ttlMillis(stored == LocalTier.NULL);
    byte[] frame = loadedFrame(k, mine, stored);
    persist(k, mine, stored, frame, ttl);
    if (frame == null) {
      releaseLease(k, lease);
    } else if (spec.writeLoadedAsync()) {
      writeInBackground(k, frame, ttl, lease);
    } else if (l2.writeLoadedReleasing(k, frame, ttl, lease) && !local.isCurrent(k, mine)) {
      l2.undoLoad(k, frame);
    }
    return ttl;
  }

  /**
   * Distributed single-flight, when another instance holds the load lease of {@code k}: waits
   * for it to put the value into Redis. The value, or {@link #MISSING} if the wait ran out (this
   * caller then loads without a lease).
   */
  private Object awaitOtherLoad(String k) {
    Object[] found = {MISSING};
    if (pollUntil(
        System.nanoTime() + waitMillis * 1_000_000L,
        false,
        () -> (found[0] = l2.read(k, codec)) != MISSING)) {
      return found[0];
    }
    log.debug(
        "cache '{}': waited {} ms for another instance to load '{}'; loading here",
        name,
        waitMillis,
        k);
    return MISSING;
  }

  /* ---- One key, without blocking ---- */

  /** A {@code getAsync} that missed L1 (and passed the guard). */
  CompletableFuture<V> getAsync(
      K key, String k, Function<? super K, ? extends CompletableFuture<? extends V>> loader) {
    CompletableFuture<Object> mine = new CompletableFuture<>();
    CompletableFuture<Object> winner = install(k, mine);
    if (winner != mine) {
      countShared(winner);
      return winner.thenApply(this::unwrap);
    }
    // The caller's future completes after the L1 install, as get returns after it: a read that
    // follows never sees a value that the install drops (an uncached null).
    CompletableFuture<V> result = new CompletableFuture<>();
    fetchOrLoadAsync(key, k, loader, mine).whenComplete((value, error) -> {
      if (error != null) {
        Throwable cause = unwrapCompletion(error);
        local.remove(k, mine);
        mine.completeExceptionally(cause);
        result.completeExceptionally(cause);
      } else {
        complete(k, mine, value);
        result.complete(unwrap(value));
      }
    });
    return result;
  }

  /**
   * {@link #fetchOrLoad} without blocking: L2, then L3, then the load lease (waiting for another
   * instance's load on the scheduler, never on a thread of Lettuce or of the async executor), then
   * the loader, then the L2 write.
   */
  private CompletableFuture<Object> fetchOrLoadAsync(
      K key,
      String k,
      Function<? super K, ? extends CompletableFuture<? extends V>> loader,
      CompletableFuture<Object> mine) {
    if (!l2.enabled()) {
      Object persisted = readL3(k, mine);
      return persisted != MISSING
          ? CompletableFuture.completedFuture(persisted)
          : loadAsync(key, k, loader, mine, null);
    }
    byte[] lease = distributed ? newLease() : null;
    // as fetchOrLoad: the lease with the read, or, with a persistent level, after it missed
    CompletableFuture<Object> read = lease != null && !l3On
        ? l2.readOrLeaseAsync(k, codec, lease, waitMillis, asyncExecutor)
        : l2.readAsync(k, codec, asyncExecutor);
    return read.thenCompose(value -> {
          if (RedisLevel.isValue(value)) {
            countL2Hit(k);
            return CompletableFuture.completedFuture(value);
          }
          Object persisted = readL3(k, mine);
          if (persisted != MISSING) {
            return CompletableFuture.completedFuture(persisted);
          }
          if (lease != null && l3On) {
            return l2.takeLeaseAsync(k, lease, waitMillis)
                .thenApplyAsync(RedisLevel::leased, asyncExecutor);
          }
          return CompletableFuture.completedFuture(value);
        })
        .thenCompose(found -> {
          if (RedisLevel.isValue(found)) {
            return CompletableFuture.completedFuture(found);
          }
          byte[] mineLease = found == RedisLevel.LEASE_TAKEN ? lease : null;
          if (found != RedisLevel.LEASE_HELD) {
            return loadAsync(key, k, loader, mine, mineLease);
          }
          // Async: the wait may end on the JDK's timer thread, which must not run the loader.
          return awaitOtherLoadAsync(k)
              .thenComposeAsync(
                  other -> {
                    if (other == null) {
                      log.debug(
                          "cache '{}': no value from another instance's load of '{}' in time; loading here",
                          name,
                          k);
                      return loadAsync(key, k, loader, mine, null);
                    }
                    stats.l2Hits.increment();
                    return CompletableFuture.completedFuture(other);
                  },
                  asyncExecutor);
        });
  }

  /** The miss of {@link #getAsync}: starts the loader, then writes its value without blocking. */
  private CompletableFuture<Object> loadAsync(
      K key,
      String k,
      Function<? super K, ? extends CompletableFuture<? extends V>> loader,
      CompletableFuture<Object> mine,
      byte[] lease) {
    countMiss(k);
    long start = System.nanoTime();
    CompletableFuture<? extends V> loading;
    try {
      loading = Objects.requireNonNull(loader.apply(key), "loader returned a null future");
    } catch (RuntimeException | Error e) {
      recordLoad(start, false);
      releaseLease(k, lease);
      return CompletableFuture.failedFuture(e);
    }
    return loading
        .handle((value, error) -> {
          long took = recordLoad(start, error == null);
          if (error != null) {
            releaseLease(k, lease);
            return CompletableFuture.<Object>failedFuture(unwrapCompletion(error));
          }
          Object stored = value == null ? LocalTier.NULL : value;
          return writeLoadedNonBlocking(k, mine, stored, lease).thenApply(ttl -> {
            refresh.loaded(k, took, ttl);
            return stored;
          });
        })
        .thenCompose(Function.identity());
  }

  /**
   * {@link #writeLoaded} without blocking: completes, on the async executor, once the value is in
   * L2 and an invalidation that overtook the load has been dealt with (the load is still in flight
   * meanwhile, so "still current" means "not invalidated"); at once if nothing is written or with
   * {@link CacheSpec#writeLoadedAsync}. Its value is the TTL.
   */
  private CompletableFuture<Long> writeLoadedNonBlocking(
      String k, CompletableFuture<Object> mine, Object stored, byte[] lease) {
    long ttl = group.ttlMillis(stored == LocalTier.NULL);
    byte[] frame = loadedFrame(k, mine, stored);
    persist(k, mine, stored, frame, ttl);
    if (frame == null) {
      releaseLease(k, lease);
      return CompletableFuture.completedFuture(ttl);
    }
    if (spec.writeLoadedAsync()) {
      writeInBackground(k, frame, ttl, lease);
      return CompletableFuture.completedFuture(ttl);
    }
    return l2.writeLoadedReleasingAsync(k, frame, ttl, lease)
        .handleAsync(
            (written, error) -> {
              if (error != null) {
                stats.degraded.increment();
              } else if (!local.isCurrent(k, mine)) {
                l2.undoLoad(k, frame);
              }
              return ttl;
            },
            asyncExecutor);
  }

  /**
   * {@link #awaitOtherLoad} without blocking: the polls of L2 scheduled on the scheduler, the
   * deadline on the future itself (so that a poll the scheduler drops while the cache closes holds
   * no caller up for longer). Completes with the value, or null when the wait ran out.
   */
  private CompletableFuture<Object> awaitOtherLoadAsync(String k) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    result.completeOnTimeout(null, waitMillis, TimeUnit.MILLISECONDS);
    pollL2Async(k, FIRST_POLL_PAUSE_MILLIS, result);
    return result;
  }

  /** One poll of {@link #awaitOtherLoadAsync} after {@code pause} ms, and the next until done. */
  private void pollL2Async(String k, long pause, CompletableFuture<Object> result) {
    if (result.isDone()) {
      return;
    }
    try {
      scheduler.schedule(
          () -> {
            if (!result.isDone()) {
              l2.readAsync(k, codec, asyncExecutor).whenComplete((found, error) -> {
                if (error == null && found != MISSING) {
                  result.complete(found);
                } else {
                  pollL2Async(k, nextPause(pause), result);
                }
              });
            }
          },
          pause,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      result.complete(null); // the cache is closing: load here
    }
  }

  /* ---- The guarded write of a loaded value ---- */

  /** The frame to write a loaded value to L2 with, or null if it must not be written. */
  private byte[] loadedFrame(String k, CompletableFuture<Object> mine, Object stored) {
    boolean isNull = stored == LocalTier.NULL;
    // With the breaker open the read already counted this call as degraded: skip quietly.
    if (!l2.available() || (isNull && !spec.cacheNulls()) || !local.isCurrent(k, mine)) {
      return null;
    }
    @SuppressWarnings("unchecked")
    byte[] frame = encodeLoaded(k, isNull ? null : (V) stored);
    if (frame == null) {
      return null;
    }
    l2.loading(k, frame);
    if (!local.isCurrent(k, mine)) {
      return null; // invalidated while loading: the value may predate the change
    }
    return frame;
  }

  /** The write of {@link CacheSpec#writeLoadedAsync}: the caller does not wait for it. */
  private void writeInBackground(String k, byte[] frame, long ttl, byte[] lease) {
    l2.writeLoadedReleasingAsync(k, frame, ttl, lease).whenComplete((written, error) -> {
      if (error != null) {
        stats.degraded.increment();
      } else if (!l2.isRecentLoad(k, frame)) {
        // Invalidated after the load was read: by now the caller has completed, so the check
        // is against the coherence window rather than the single-flight entry.
        l2.undoLoad(k, frame);
      }
    });
  }

  /**
   * Writes a value just loaded or stored to the persistent level, unless the load was invalidated
   * meanwhile ({@code mine} no longer current) or the value is a null the cache does not keep.
   *
   * @param mine the load in progress, or null outside a load
   * @param frame its frame if already encoded for L2, else null
   */
  private void persist(
      String k, CompletableFuture<Object> mine, Object stored, byte[] frame, long ttl) {
    if (!l3On
        || (stored == LocalTier.NULL && !spec.cacheNulls())
        || (mine != null && !local.isCurrent(k, mine))) {
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

  /* ---- The persistent level ---- */

  /**
   * After an L2 miss (or with Redis down): the value the persistent level holds, counted as an L3
   * hit and copied to L2 in the background with what is left of its TTL; {@link #MISSING} when it
   * has none (or the cache has no such level).
   *
   * @param mine the load in progress, or null outside a load
   */
  private Object readL3(String k, CompletableFuture<Object> mine) {
    if (!l3On) {
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
        log.warn(
            "cache '{}': the persistent level's value under key '{}' cannot be decoded as {} and is deleted "
                + "(read as a miss; logged once an hour per key): {}",
            name,
            k,
            codec.type(),
            e.getMessage());
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
    if (!l2.available() || (mine != null && !local.isCurrent(k, mine))) {
      return;
    }
    long ttl = found.expiresAtMillis() - clock.millis();
    if (ttl < 1) {
      return;
    }
    byte[] frame = found.frame();
    l2.loading(k, frame);
    l2.writeLoadedAsync(k, frame, ttl).whenComplete((written, error) -> {
      if (error == null && !l2.isRecentLoad(k, frame)) {
        l2.undoLoad(k, frame);
      }
    });
  }

  /* ---- Reads that never load ---- */

  /**
   * A read past L1 without a loader ({@code getIfPresent}, {@code getBypassingL1}): the value in
   * Redis or the persistent level, put in L1; {@link #MISSING}, counted as a miss, if neither has it.
   */
  Object readThrough(String k) {
    // kept in L1 unless the key changed while it was read (an eviction heard meanwhile)
    Object ticket = local.begin(k, false);
    Object kept = null;
    try {
      Object found = l2.read(k, codec);
      if (found != MISSING) {
        stats.l2Hits.increment();
        kept = found;
        return found;
      }
      Object persisted = readL3(k, null);
      if (persisted != MISSING) {
        kept = persisted;
        return persisted;
      }
      stats.misses.increment();
      return MISSING;
    } finally {
      local.end(k, ticket, kept);
    }
  }

  /* ---- Many keys ---- */

  /**
   * The walk of {@code getAll} for keys already checked: L1, then (for the keys this call owns)
   * L2 in one round trip, L3, the leases, one bulk load and one pipeline of writes.
   *
   * @param byKey the keys as stored, each with the key the caller gave
   */
  Map<K, V> getAll(
      Map<String, K> byKey,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    Map<String, Object> found = new HashMap<>();
    Map<String, CompletableFuture<Object>> owned = new LinkedHashMap<>();
    Map<String, CompletableFuture<Object>> waiting = new LinkedHashMap<>();
    List<String> missed = new ArrayList<>();
    for (String k : byKey.keySet()) {
      Object hit = group.localHit(k);
      if (hit != null) {
        stats.l1Hits.increment();
        found.put(k, hit);
      } else {
        missed.add(k);
      }
    }
    BloomFilter guard = group.guard;
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

  private void loadOwned(
      Map<String, K> byKey,
      Map<String, CompletableFuture<Object>> owned,
      Map<String, Object> found,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    List<String> ownKeys = new ArrayList<>(owned.keySet());
    List<String> missing = new ArrayList<>();
    List<Object> fromL2 = l2.readAll(ownKeys, codec);
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
    if (l3On) {
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
    if (!distributed) {
      bulkLoad(byKey, owned, found, missing, null, bulkLoader);
      return;
    }
    // Distributed single-flight, key by key. The keys whose lease this call takes are loaded
    // first, and their leases released, before it waits for the others: two calls that each took
    // some of the other's keys never wait for each other.
    byte[] lease = newLease();
    long deadline = System.nanoTime() + waitMillis * 1_000_000L;
    boolean[] taken = l2.takeLeases(missing, lease, waitMillis);
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
        log.debug(
            "cache '{}': waited {} ms for other instances to load {} keys; loading them here",
            name,
            waitMillis,
            late.size());
        bulkLoad(byKey, owned, found, late, null, bulkLoader);
      }
    }
  }

  /**
   * Waits, as {@link #awaitOtherLoad} does, for the values of {@code keys} that other instances
   * are loading; completes the keys found. Returns the keys still missing at the deadline.
   *
   * @param now whether to read at once (time has passed since the leases were asked for)
   */
  private List<String> awaitOtherLoads(
      List<String> keys,
      long deadlineNanos,
      boolean now,
      Map<String, CompletableFuture<Object>> owned,
      Map<String, Object> found) {
    List<String> left = new ArrayList<>(keys);
    pollUntil(deadlineNanos, now, () -> {
      List<Object> values = l2.readAll(left, codec);
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
  private void bulkLoad(
      Map<String, K> byKey,
      Map<String, CompletableFuture<Object>> owned,
      Map<String, Object> found,
      List<String> keys,
      byte[] lease,
      Function<? super Set<K>, ? extends Map<? extends K, ? extends V>> bulkLoader) {
    stats.misses.add(keys.size());
    Set<K> toLoad = new LinkedHashSet<>();
    for (String k : keys) {
      toLoad.add(byKey.get(k));
    }
    long start = System.nanoTime();
    Map<? extends K, ? extends V> loaded;
    try {
      loaded = bulkLoader.apply(Collections.unmodifiableSet(toLoad));
    } catch (RuntimeException | Error e) {
      recordLoad(start, false);
      releaseLeases(keys, lease);
      throw e;
    }
    if (loaded == null) {
      recordLoad(start, false);
      releaseLeases(keys, lease);
      throw new NullPointerException(
          "bulkLoader of cache '" + name + "' returned null instead of a map");
    }
    stats.loadNanos.add(System.nanoTime() - start);
    stats.loads.add(keys.size());
    Map<String, byte[]> frames = new HashMap<>();
    Map<String, Long> ttls = new HashMap<>();
    for (String k : keys) {
      V value = loaded.get(byKey.get(k));
      CompletableFuture<Object> mine = owned.get(k);
      Object stored = value == null ? LocalTier.NULL : value;
      found.put(k, stored);
      long ttl = group.ttlMillis(value == null);
      byte[] frame = loadedFrame(k, mine, stored);
      if (frame != null) {
        frames.put(k, frame);
        ttls.put(k, ttl);
      }
      persist(k, mine, stored, frame, ttl);
    }
    // Written before the futures complete, while "still current" means "not invalidated".
    if (l2.writeLoadedAll(frames, ttls)) {
      for (Map.Entry<String, byte[]> e : frames.entrySet()) {
        if (!local.isCurrent(e.getKey(), owned.get(e.getKey()))) {
          l2.undoLoad(e.getKey(), e.getValue());
        }
      }
    }
    releaseLeases(keys, lease);
    for (String k : keys) {
      complete(k, owned.get(k), found.get(k));
    }
  }

  /* ---- Refresh ---- */

  /**
   * A background reload for refresh-ahead, on the refresh executor (an asynchronous loader's
   * future is joined there); the old value stays if the loader fails.
   */
  boolean reload(String k, RefreshAhead.Entry<K, V> entry) {
    long start = System.nanoTime();
    V value;
    try {
      value = entry.load();
    } catch (RuntimeException e) {
      stats.refreshFailures.increment();
      log.warn(
          "cache '{}': refresh of key '{}' failed, the old value is kept until it expires: {}",
          name,
          k,
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
   * Stores a value just read from the source: L3, L2 with a plain SET (it replaces what is there)
   * and the other instances told, then L1. A null is stored only when the cache caches nulls.
   *
   * @return the TTL given
   */
  long store(String k, V value) {
    boolean isNull = value == null;
    long ttl = group.ttlMillis(isNull);
    if (isNull && !spec.cacheNulls()) {
      return ttl;
    }
    Object stored = isNull ? LocalTier.NULL : value;
    Object ticket = local.begin(k, true);
    Object kept = null;
    try {
      persist(k, null, stored, null, ttl);
      if (l2.enabled()) {
        byte[] frame = encodeLoaded(k, value);
        if (frame != null) {
          l2.replace(k, frame, ttl);
        }
      }
      kept = stored;
      return ttl;
    } finally {
      local.end(k, ticket, kept); // kept in L1 unless the key changed meanwhile
    }
  }

  /* ---- Single flight ---- */

  /** Installs {@code mine} or returns the live future of another caller; skips failed ones. */
  private CompletableFuture<Object> install(String k, CompletableFuture<Object> mine) {
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

  /** Completes a load and makes its future the L1 entry (or drops it: an uncached null). */
  private void complete(String k, CompletableFuture<Object> mine, Object value) {
    mine.complete(value);
    if (value == LocalTier.NULL && !spec.cacheNulls()) {
      local.remove(k, mine);
    } else {
      local.loaded(k, mine);
    }
  }

  /* ---- Leases ---- */

  /** A random token that marks this caller's load leases: only it releases them. */
  private static byte[] newLease() {
    byte[] lease = new byte[16];
    ThreadLocalRandom.current().nextBytes(lease);
    return lease;
  }

  private void releaseLease(String k, byte[] lease) {
    if (lease != null) {
      l2.releaseLease(k, lease);
    }
  }

  private void releaseLeases(List<String> keys, byte[] lease) {
    if (lease != null) {
      for (String k : keys) {
        l2.releaseLease(k, lease);
      }
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

  private static long nextPause(long pause) {
    return Math.min(pause * 2, 50);
  }

  /* ---- Small parts ---- */

  private void countL2Hit(String k) {
    stats.l2Hits.increment();
    if (access.isDebugEnabled()) {
      access.debug("cache '{}' L2 hit for key '{}'", name, k);
    }
  }

  private void countMiss(String k) {
    stats.misses.increment();
    access.info("cache '{}' miss for key '{}'", name, k);
  }

  private byte[] encodeLoaded(String k, V value) {
    try {
      byte[] frame = codec.encode(value);
      stats.encoded(frame);
      return frame;
    } catch (CodecException e) {
      log.error(
          "cache '{}': loaded value for key '{}' cannot be encoded and stays out of Redis: {}",
          name,
          k,
          e.getMessage());
      return null;
    }
  }

  private long recordLoad(long start, boolean success) {
    long took = System.nanoTime() - start;
    stats.loadNanos.add(took);
    (success ? stats.loads : stats.loadFailures).increment();
    return took;
  }

  @SuppressWarnings("unchecked")
  V unwrap(Object stored) {
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
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
