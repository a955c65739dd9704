package io.tiercache;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.tiercache.internal.codec.ValueCodec;
import io.tiercache.internal.redis.RedisTier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L2 of one cache: the only way the engine reaches Redis for a cache's values. It adds the
 * cache's key prefix, reads a bounded frame and decodes it (a frame that cannot be decoded is a
 * miss, and is deleted), writes or deletes a key and then tells the other instances, and remembers
 * the delete of a key when Redis cannot be reached, so that Redis never serves the replaced value
 * once it is back. {@link #of} returns a level that does nothing for a cache without L2.
 *
 * <p>Every change to Redis, here and in {@link DefaultTierCache} and {@link WriteBackQueue}, is
 * one {@link #announced} sequence.
 */
abstract class RedisLevel {

  private static final Logger log = LoggerFactory.getLogger(RedisLevel.class);

  /** What a read returns when the level holds nothing for the key. */
  static final Object MISSING = new Object();
  /** {@link #readOrLease}: Redis has no value, and this caller now holds the key's load lease. */
  static final Object LEASE_TAKEN = new Object();
  /** {@link #readOrLease}: Redis has no value, and another caller holds the key's load lease. */
  static final Object LEASE_HELD = new Object();

  /** Whether a read's result is a value (or a cached null), not one of the markers above. */
  static boolean isValue(Object found) {
    return found != MISSING && found != LEASE_TAKEN && found != LEASE_HELD;
  }

  /** The level of {@code group}: Redis, or a level that holds nothing when the cache has no L2. */
  static RedisLevel of(CacheGroup group, RedisTier redis) {
    return redis != null && group.spec.l2Enabled() ? new Live(group, redis) : new Off();
  }

  /**
   * Runs a change to Redis and then announces it to the other instances. If Redis cannot be
   * reached, {@code remember} records what must be deleted once it is back (and announced then),
   * and the failure is returned; null when the change was made.
   *
   * @param announce null when nothing is announced (coherence off)
   */
  static RedisUnavailableException announced(Runnable write, Runnable announce, Runnable remember) {
    try {
      write.run();
    } catch (RedisUnavailableException e) {
      remember.run();
      return e;
    }
    if (announce != null) {
      announce.run();
    }
    return null;
  }

  /** The marker of a lease asked for alone: taken, held, or (null) Redis cannot coordinate. */
  static Object leased(Boolean taken) {
    return taken == null ? MISSING : taken ? LEASE_TAKEN : LEASE_HELD;
  }

  /** The part of a key Redis hashes to find its slot: the first non-empty {@code {tag}}, else all of it. */
  static String hashedPart(String key) {
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        return key.substring(open + 1, close);
      }
    }
    return key;
  }

  /** Whether this level is Redis (the cache has an L2). */
  abstract boolean enabled();

  /** Whether Redis is believed reachable (the breaker is closed); false without L2. */
  abstract boolean available();

  /**
   * The value under {@code k}: decoded, {@link LocalTier#NULL} for a cached null, or {@link
   * #MISSING} when absent, undecodable or Redis unreachable (counted as degraded).
   */
  abstract Object read(String k, ValueCodec<?> codec);

  /** {@link #read} without blocking; completes on {@code decodeOn}, which decodes. */
  abstract CompletableFuture<Object> readAsync(String k, ValueCodec<?> codec, Executor decodeOn);

  /**
   * A read for a load with a lease (distributed single flight): the value, as {@link #read}; when
   * Redis has none, the key's load lease is asked for in the same round trip: {@link #LEASE_TAKEN}
   * or {@link #LEASE_HELD}. {@link #MISSING} when Redis cannot coordinate (unreachable, or a value
   * it could not decode). One script where the value and its lease share a slot; else a read and
   * then {@code SET NX}.
   */
  abstract Object readOrLease(String k, ValueCodec<?> codec, byte[] lease, long millis);

  /** {@link #readOrLease} without blocking; completes on {@code decodeOn}. */
  abstract CompletableFuture<Object> readOrLeaseAsync(
      String k, ValueCodec<?> codec, byte[] lease, long millis, Executor decodeOn);

  /** {@link #read} of many keys in one round trip per slot; the values in key order. */
  abstract List<Object> readAll(List<String> keys, ValueCodec<?> codec);

  /**
   * Replaces the value of {@code k} ({@code SET PX}, waiting for replicas where the cache asks
   * for it) and announces it. Returns null when done (or when there is no L2); the failure, when
   * Redis could not be reached and the delete of {@code k} is remembered.
   */
  abstract RedisUnavailableException replace(String k, byte[] frame, long ttlMillis);

  /** Deletes {@code k} and announces it; as {@link #replace} when Redis cannot be reached. */
  abstract void delete(String k);

  /** Deletes every key of the cache ({@code namespace} is its part of the key) and announces it. */
  abstract void deleteAll(String namespace, String cacheName);

  /**
   * Runs {@code write}, a change to the values of {@code keys} made by the caller (a write-back
   * batch), and announces it; as {@link #replace} when Redis cannot be reached.
   */
  abstract void changed(List<String> keys, Runnable write);

  /* ---- Loads ---- */

  /**
   * {@code SET NX PX} of a loaded value: it never replaces a value a writer stored meanwhile.
   * Whether Redis was reached (a failure is counted as degraded).
   */
  abstract boolean writeLoaded(String k, byte[] frame, long ttlMillis);

  /** {@link #writeLoaded} without blocking; fails when Redis could not be reached. */
  abstract CompletableFuture<Boolean> writeLoadedAsync(String k, byte[] frame, long ttlMillis);

  /**
   * {@link #writeLoaded} and then the release of the load lease {@code lease} (if not null), in
   * one round trip where the value and its lease share a slot. Whether Redis was reached.
   */
  abstract boolean writeLoadedReleasing(String k, byte[] frame, long ttlMillis, byte[] lease);

  /** {@link #writeLoadedReleasing} without blocking; fails when Redis could not be reached. */
  abstract CompletableFuture<?> writeLoadedReleasingAsync(
      String k, byte[] frame, long ttlMillis, byte[] lease);

  /** {@link #writeLoaded} of many keys in one pipeline; false if nothing was written (Redis unreachable). */
  abstract boolean writeLoadedAll(Map<String, byte[]> frames, Map<String, Long> ttls);

  /** Tells coherence that a loaded frame is about to be written (the load-race window opens). */
  abstract void loading(String k, byte[] frame);

  /** Whether a loaded frame is still in its load-race window (no invalidation overtook it). */
  abstract boolean isRecentLoad(String k, byte[] frame);

  /** Deletes a loaded frame again, if Redis still holds exactly it: an invalidation overtook it. */
  abstract void undoLoad(String k, byte[] frame);

  /** Takes the load lease of {@code k}; true if taken, false if held, null if Redis cannot coordinate. */
  abstract Boolean takeLease(String k, byte[] lease, long millis);

  /** {@link #takeLease} without blocking; completes with null if Redis cannot coordinate. */
  abstract CompletableFuture<Boolean> takeLeaseAsync(String k, byte[] lease, long millis);

  /** {@link #takeLease} of many keys in one pipeline: which were taken, in order; null if Redis cannot coordinate. */
  abstract boolean[] takeLeases(List<String> keys, byte[] lease, long millis);

  /** Releases a load lease without waiting (it expires by itself anyway). */
  abstract void releaseLease(String k, byte[] lease);

  /** The Redis of a cache. */
  private static final class Live extends RedisLevel {
    private final RedisTier redis;
    private final String name;
    private final String space;
    private final String redisPrefix;
    private final String leasePrefix;
    private final CacheSpec spec;
    private final StatsCounter stats;
    /** Null when coherence is off. */
    private final Coherence coherence;
    /** Keys whose undecodable value was logged lately: a hostile value is logged once, not per read. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> decodeLogged =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofHours(1))
            .executor(Runnable::run)
            .build();
    /** When a write was last logged for too few replica acknowledgements ({@link System#nanoTime}). */
    private volatile long lastReplicaWarning;

    private final boolean clustered;

    Live(CacheGroup group, RedisTier redis) {
      this.redis = redis;
      this.name = group.name;
      this.space = group.space;
      this.redisPrefix = group.redisPrefix;
      this.leasePrefix = ReservedKeys.loadLeases(group.keyPrefix, group.name, group.ownKeys);
      this.spec = group.spec;
      this.stats = group.stats;
      this.coherence = group.coherence;
      this.clustered = redis.isCluster();
    }

    @Override
    boolean enabled() {
      return true;
    }

    @Override
    boolean available() {
      return redis.available();
    }

    private int maxFrame(ValueCodec<?> codec) {
      return codec.maxValueSize() + 6; // the largest value, its header and its length
    }

    @Override
    Object read(String k, ValueCodec<?> codec) {
      byte[] frame;
      try {
        frame = redis.getBounded(redisPrefix + k, maxFrame(codec));
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        return MISSING;
      }
      return frame == null ? MISSING : decodeOrDelete(k, frame, codec);
    }

    @Override
    CompletableFuture<Object> readAsync(String k, ValueCodec<?> codec, Executor decodeOn) {
      return redis
          .getBoundedAsync(redisPrefix + k, maxFrame(codec))
          .handleAsync(
              (frame, error) -> {
                if (error != null) {
                  stats.degraded.increment();
                  return MISSING;
                }
                return frame == null ? MISSING : decodeOrDelete(k, frame, codec);
              },
              decodeOn);
    }

    @Override
    Object readOrLease(String k, ValueCodec<?> codec, byte[] lease, long millis) {
      String redisKey = redisPrefix + k;
      String leaseKey = leaseKey(k);
      if (!redis.sameSlot(redisKey, leaseKey)) {
        Object found = read(k, codec);
        return found != MISSING ? found : leased(takeLease(k, lease, millis));
      }
      RedisTier.ValueOrLease found;
      try {
        found = redis.getOrLease(redisKey, maxFrame(codec), leaseKey, lease, millis);
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        return MISSING;
      }
      return found.value() != null
          ? decodeOrDelete(k, found.value(), codec)
          : found.leaseTaken() ? LEASE_TAKEN : LEASE_HELD;
    }

    @Override
    CompletableFuture<Object> readOrLeaseAsync(
        String k, ValueCodec<?> codec, byte[] lease, long millis, Executor decodeOn) {
      String redisKey = redisPrefix + k;
      String leaseKey = leaseKey(k);
      if (!redis.sameSlot(redisKey, leaseKey)) {
        return readAsync(k, codec, decodeOn)
            .thenCompose(found -> found != MISSING
                ? CompletableFuture.completedFuture(found)
                : takeLeaseAsync(k, lease, millis).thenApplyAsync(RedisLevel::leased, decodeOn));
      }
      return redis
          .getOrLeaseAsync(redisKey, maxFrame(codec), leaseKey, lease, millis)
          .handleAsync(
              (found, error) -> {
                if (error != null) {
                  stats.degraded.increment();
                  return MISSING;
                }
                return found.value() != null
                    ? decodeOrDelete(k, found.value(), codec)
                    : found.leaseTaken() ? LEASE_TAKEN : LEASE_HELD;
              },
              decodeOn);
    }

    /**
     * The key of {@code k}'s load lease. On a cluster it carries the hash tag of the value's key
     * where one can, so that both are in one slot and {@link #readOrLease} is one script.
     */
    private String leaseKey(String k) {
      if (!clustered) {
        return leasePrefix + k;
      }
      String hashed = hashedPart(redisPrefix + k);
      if (hashed.indexOf('}') < 0) {
        String tagged = leasePrefix + "{" + hashed + "}" + k;
        if (redis.sameSlot(tagged, redisPrefix + k)) {
          return tagged;
        }
      }
      return leasePrefix + k;
    }

    @Override
    List<Object> readAll(List<String> keys, ValueCodec<?> codec) {
      List<String> redisKeys = new ArrayList<>(keys.size());
      for (String k : keys) {
        redisKeys.add(redisPrefix + k);
      }
      List<Object> values = new ArrayList<>(keys.size());
      try {
        List<byte[]> frames = redis.mgetBounded(redisKeys, maxFrame(codec));
        for (int i = 0; i < keys.size(); i++) {
          byte[] frame = frames.get(i);
          values.add(frame == null ? MISSING : decodeOrDelete(keys.get(i), frame, codec));
        }
        return values;
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        return Collections.nCopies(keys.size(), MISSING);
      }
    }

    private Object decodeOrDelete(String k, byte[] frame, ValueCodec<?> codec) {
      try {
        Object value = codec.decode(frame);
        return value == null ? LocalTier.NULL : value;
      } catch (CodecException e) {
        stats.decodeErrors.increment();
        if (decodeLogged.asMap().putIfAbsent(k, Boolean.TRUE) == null) {
          log.error(
              "cache '{}': value under key '{}' cannot be decoded as {} and is deleted (read as a miss; "
                  + "logged once an hour per key): {}",
              name,
              k,
              codec.type(),
              e.getMessage());
        }
        String redisKey = redisPrefix + k;
        announced(
            () -> redis.delete(List.of(redisKey)), null, () -> redis.rememberDelete(redisKey));
        return MISSING;
      }
    }

    @Override
    RedisUnavailableException replace(String k, byte[] frame, long ttlMillis) {
      String redisKey = redisPrefix + k;
      if (folds()) {
        boolean[] made = new boolean[1];
        RedisUnavailableException failed = change(
            k,
            () -> made[0] = coherence.writeAndPublishKey(space, k, redisKey, frame, ttlMillis),
            false);
        if (failed != null || made[0]) {
          return failed;
        }
      }
      return change(
          k,
          () -> write(
              redisKey,
              c -> c.set(redisKey, frame, SetArgs.Builder.px(ttlMillis)),
              () -> redis.set(redisKey, frame, ttlMillis)));
    }

    @Override
    void delete(String k) {
      String redisKey = redisPrefix + k;
      if (folds()) {
        boolean[] made = new boolean[1];
        RedisUnavailableException failed = change(
            k, () -> made[0] = coherence.writeAndPublishKey(space, k, redisKey, null, 0), false);
        if (failed != null || made[0]) {
          return;
        }
      }
      long[] removed = {1};
      change(
          k,
          () -> write(
              redisKey,
              c -> removed[0] = c.unlink(redisKey),
              () -> removed[0] = redis.delete(List.of(redisKey))));
      if (removed[0] == 0 && coherence != null && coherence.keysByTracking()) {
        // Client tracking pushes only real changes: a delete of a key Redis does not have is
        // heard by nobody, while another instance's load of it may be about to write the old
        // value (SET NX). That delete is announced on the stream, which undoes such a load.
        coherence.publishKeysOnStream(space, List.of(k));
      }
    }

    /**
     * Whether a one-key write and its announcement may be one script ({@link
     * Coherence#writeAndPublishKey}, which says whether it was): coherence on one Redis server, and
     * no wait for replicas (which needs the write and its {@code WAIT} together).
     */
    private boolean folds() {
      return coherence != null && spec.replicaAcks() == 0 && coherence.foldsWrites();
    }

    private RedisUnavailableException change(String k, Runnable write) {
      return change(k, write, true);
    }

    /**
     * One key's {@link #announced} change, counted as degraded when Redis was not reached.
     *
     * @param announce false when {@code write} announces the change itself
     */
    private RedisUnavailableException change(String k, Runnable write, boolean announce) {
      RedisUnavailableException failed = announced(
          write,
          coherence == null || !announce ? null : () -> coherence.publishKeys(space, List.of(k)),
          () -> redis.rememberDelete(redisPrefix + k));
      if (failed != null) {
        stats.degraded.increment();
      }
      return failed;
    }

    @Override
    void deleteAll(String namespace, String cacheName) {
      String pattern = Keys.escapeGlob(redisPrefix + namespace) + "*";
      Runnable announce = coherence == null ? null : () -> coherence.publishCache(cacheName);
      if (announced(
              () -> redis.deleteMatching(pattern),
              announce,
              () -> redis.rememberDeletePattern(pattern, null, announce))
          != null) {
        stats.degraded.increment();
      }
    }

    @Override
    void changed(List<String> keys, Runnable write) {
      if (announced(
              write,
              coherence == null ? null : () -> coherence.publishKeys(space, keys),
              () -> keys.forEach(k -> redis.rememberDelete(redisPrefix + k)))
          != null) {
        stats.degraded.increment();
      }
    }

    /**
     * Runs a write of this cache: {@code plain} on the shared connection, or, with {@link
     * CacheSpec#replicaAcks}, {@code replicated} on the connection that then waits for the
     * replicas. A write the replicas did not acknowledge in time is done on the master: counted as
     * degraded and logged at most once a minute.
     *
     * @throws RedisUnavailableException as the write itself would
     */
    private void write(
        String redisKey,
        Consumer<RedisClusterCommands<String, byte[]>> replicated,
        Runnable plain) {
      int replicas = spec.replicaAcks();
      if (replicas == 0) {
        plain.run();
        return;
      }
      long acked = redis.writeAndAwaitReplicas(
          "write + WAIT", redisKey, replicated, replicas, spec.replicaAckTimeout());
      if (acked < replicas) {
        stats.degraded.increment();
        long now = System.nanoTime();
        if (lastReplicaWarning == 0 || now - lastReplicaWarning > 60_000_000_000L) {
          lastReplicaWarning = now;
          log.warn(
              "cache '{}': a write was acknowledged by {} of {} replicas within {}; it is done on the master, "
                  + "but a failover now could lose it (logged at most once a minute)",
              name,
              acked,
              replicas,
              spec.replicaAckTimeout());
        }
      }
    }

    @Override
    boolean writeLoaded(String k, byte[] frame, long ttlMillis) {
      try {
        redis.setIfAbsent(redisPrefix + k, frame, ttlMillis);
        return true;
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        return false;
      }
    }

    @Override
    CompletableFuture<Boolean> writeLoadedAsync(String k, byte[] frame, long ttlMillis) {
      return redis.setIfAbsentAsync(redisPrefix + k, frame, ttlMillis);
    }

    @Override
    boolean writeLoadedReleasing(String k, byte[] frame, long ttlMillis, byte[] lease) {
      String leaseKey = lease == null ? null : leaseKey(k);
      if (leaseKey == null || !redis.sameSlot(redisPrefix + k, leaseKey)) {
        boolean reached = writeLoaded(k, frame, ttlMillis);
        if (lease != null) {
          releaseLease(k, lease);
        }
        return reached;
      }
      try {
        redis.setIfAbsentAndRelease(redisPrefix + k, frame, ttlMillis, leaseKey, lease);
        return true;
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        return false;
      }
    }

    @Override
    CompletableFuture<?> writeLoadedReleasingAsync(
        String k, byte[] frame, long ttlMillis, byte[] lease) {
      String leaseKey = lease == null ? null : leaseKey(k);
      if (leaseKey == null || !redis.sameSlot(redisPrefix + k, leaseKey)) {
        return writeLoadedAsync(k, frame, ttlMillis).whenComplete((written, error) -> {
          if (lease != null) {
            releaseLease(k, lease);
          }
        });
      }
      return redis.setIfAbsentAndReleaseAsync(redisPrefix + k, frame, ttlMillis, leaseKey, lease);
    }

    @Override
    boolean writeLoadedAll(Map<String, byte[]> frames, Map<String, Long> ttls) {
      if (frames.isEmpty() || !redis.available()) {
        return false;
      }
      Map<String, byte[]> byRedisKey = new HashMap<>();
      Map<String, Long> ttlByRedisKey = new HashMap<>();
      frames.forEach((k, frame) -> {
        byRedisKey.put(redisPrefix + k, frame);
        ttlByRedisKey.put(redisPrefix + k, ttls.get(k));
      });
      try {
        redis.setAll(byRedisKey, ttlByRedisKey, true);
        return true;
      } catch (RedisUnavailableException e) {
        stats.degraded.increment();
        return false;
      }
    }

    @Override
    void loading(String k, byte[] frame) {
      if (coherence != null) {
        coherence.loading(space, k, frame);
      }
    }

    @Override
    boolean isRecentLoad(String k, byte[] frame) {
      return coherence == null || coherence.isRecentLoad(space, k, frame);
    }

    @Override
    void undoLoad(String k, byte[] frame) {
      if (coherence != null) {
        coherence.compareAndDelete(space, k, frame);
      }
    }

    @Override
    Boolean takeLease(String k, byte[] lease, long millis) {
      try {
        return redis.setIfAbsent(leaseKey(k), lease, millis);
      } catch (RedisUnavailableException e) {
        return null;
      }
    }

    @Override
    CompletableFuture<Boolean> takeLeaseAsync(String k, byte[] lease, long millis) {
      return redis.setIfAbsentAsync(leaseKey(k), lease, millis).exceptionally(error -> null);
    }

    @Override
    boolean[] takeLeases(List<String> keys, byte[] lease, long millis) {
      try {
        return redis.pipeline(
            "SET NX (load leases)",
            commands -> {
              List<RedisFuture<?>> futures = new ArrayList<>(keys.size());
              for (String k : keys) {
                futures.add(
                    commands.set(leaseKey(k), lease, SetArgs.Builder.px(millis).nx()));
              }
              return futures;
            },
            futures -> {
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

    @Override
    void releaseLease(String k, byte[] lease) {
      // a failure needs no handling: the lease expires by itself
      redis.compareAndDeleteAsync(leaseKey(k), lease);
    }
  }

  /** The L2 of a cache without one: holds nothing, and every change is a no-op. */
  private static final class Off extends RedisLevel {
    @Override
    boolean enabled() {
      return false;
    }

    @Override
    boolean available() {
      return false;
    }

    @Override
    Object read(String k, ValueCodec<?> codec) {
      return MISSING;
    }

    @Override
    CompletableFuture<Object> readAsync(String k, ValueCodec<?> codec, Executor decodeOn) {
      return CompletableFuture.completedFuture(MISSING);
    }

    @Override
    Object readOrLease(String k, ValueCodec<?> codec, byte[] lease, long millis) {
      return MISSING;
    }

    @Override
    CompletableFuture<Object> readOrLeaseAsync(
        String k, ValueCodec<?> codec, byte[] lease, long millis, Executor decodeOn) {
      return CompletableFuture.completedFuture(MISSING);
    }

    @Override
    List<Object> readAll(List<String> keys, ValueCodec<?> codec) {
      return Collections.nCopies(keys.size(), MISSING);
    }

    @Override
    RedisUnavailableException replace(String k, byte[] frame, long ttlMillis) {
      return null;
    }

    @Override
    void delete(String k) {}

    @Override
    void deleteAll(String namespace, String cacheName) {}

    @Override
    void changed(List<String> keys, Runnable write) {}

    @Override
    boolean writeLoaded(String k, byte[] frame, long ttlMillis) {
      return false;
    }

    @Override
    CompletableFuture<Boolean> writeLoadedAsync(String k, byte[] frame, long ttlMillis) {
      return CompletableFuture.completedFuture(false);
    }

    @Override
    boolean writeLoadedReleasing(String k, byte[] frame, long ttlMillis, byte[] lease) {
      return false;
    }

    @Override
    CompletableFuture<?> writeLoadedReleasingAsync(
        String k, byte[] frame, long ttlMillis, byte[] lease) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    boolean writeLoadedAll(Map<String, byte[]> frames, Map<String, Long> ttls) {
      return false;
    }

    @Override
    void loading(String k, byte[] frame) {}

    @Override
    boolean isRecentLoad(String k, byte[] frame) {
      return true;
    }

    @Override
    void undoLoad(String k, byte[] frame) {}

    @Override
    Boolean takeLease(String k, byte[] lease, long millis) {
      return null;
    }

    @Override
    CompletableFuture<Boolean> takeLeaseAsync(String k, byte[] lease, long millis) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    boolean[] takeLeases(List<String> keys, byte[] lease, long millis) {
      return null;
    }

    @Override
    void releaseLease(String k, byte[] lease) {}
  }
}
