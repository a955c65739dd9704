package io.tiercache;

import io.tiercache.internal.redis.RedisTier;
import io.tiercache.toolkit.BloomFilter;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * What every typed view of one cache name shares: the spec, the levels (L1 with its single-flight
 * table, Redis, the persistent level), the write policy of its strategy and the counters. A level
 * the cache does not have is an object that holds nothing, never null.
 */
final class CacheGroup {
  final String name;
  final CacheSpec spec;
  final StatsCounter stats = new StatsCounter();
  final LocalTier local;
  /** The cache's Redis: {@link RedisLevel#of}, which holds nothing when the cache has no L2. */
  final RedisLevel l2;
  /** How a put reaches the store, Redis and L1: the policy of the spec's {@link Strategy}. */
  final WritePolicy writes;
  /** The write-back queue of {@link Strategy#WRITE_BACK}; null for the other strategies. */
  final WriteBackQueue writeBack;
  /** Tells other instances about changes; null when coherence is off or the cache has no L2. */
  final Coherence coherence;
  /** The instance's key prefix. */
  final String keyPrefix;
  /** Whether the cache has its own key space in Redis (not {@link CacheSpec#sharedKeys}). */
  final boolean ownKeys;
  /** What every Redis key of this cache starts with: {@code prefix:name:}, or {@code prefix:} when shared. */
  final String redisPrefix;
  /** The key space named in invalidation messages: the cache's name, or "" when shared. */
  final String space;
  /** The cache's Bloom guard ({@link CacheSpec#bloomGuardInsertions}); null when it has none. */
  volatile BloomFilter guard;
  /** Reads per key over {@link CacheSpec#hotKeysWindow}; null when not counted. */
  final HotKeys hot;
  /** The persistent third level ({@link CacheSpec#l3Enabled}); {@link PersistentLevel.Off} when off. */
  final PersistentLevel l3;

  private final Clock clock;

  CacheGroup(
      String name,
      CacheSpec spec,
      String keyPrefix,
      RedisTier redis,
      Coherence coherence,
      Clock clock,
      WriteBackQueue.Factory writeBackFactory) {
    this.name = name;
    this.keyPrefix = keyPrefix;
    this.ownKeys = !spec.sharedKeys();
    this.redisPrefix = ownKeys ? keyPrefix + ":" + name + ":" : keyPrefix + ":";
    this.space = ownKeys ? name : "";
    this.spec = spec;
    this.clock = clock;
    this.coherence = spec.l2Enabled() ? coherence : null;
    this.local = LocalTier.create(
        spec, stats, clock, this.coherence != null ? this.coherence::trusted : null);
    this.hot = spec.hotKeysWindow() == null ? null : new HotKeys(clock, spec.hotKeysWindow());
    if (spec.l3Enabled() && this.coherence != null && this.coherence.keysByTracking()) {
      throw new IllegalStateException(
          "cache '" + name + "' turns on the persistent level (l3), which coherence TRACKING "
              + "cannot keep: the changes made while an instance is down are pushed to nobody and "
              + "recorded nowhere. Use coherence STREAM or STREAM_AND_TRACKING, or turn l3 off");
    }
    this.l3 = spec.l3Enabled()
        ? PersistentLevel.open(name, keyPrefix, spec, clock, this.coherence)
        : PersistentLevel.Off.INSTANCE;
    this.l2 = RedisLevel.of(this, redis);
    this.writes = spec.strategy().policy(this, writeBackFactory);
    this.writeBack = writes.queue();
  }

  /** What L1 holds for {@code k}: a value not yet written back comes first; null if nothing. */
  Object localHit(String k) {
    if (writeBack != null) {
      WriteBackQueue.Pending pending = writeBack.pending(k);
      if (pending != null) {
        return pending.value();
      }
    }
    return local.getIfPresent(k);
  }

  /** The TTL a value gets in Redis and the persistent level: the spec's, jittered, capped by its period. */
  long ttlMillis(boolean isNull) {
    long base = (isNull ? spec.nullTtl() : spec.ttl()).toMillis();
    double jitter = spec.ttlJitter();
    if (jitter > 0) {
      double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
      base = Math.round(base * factor);
    }
    return Expiries.capMillis(spec, clock, Math.max(1, base));
  }

  /** Removes a key from L1 and the persistent level. */
  void evict(String key) {
    local.invalidate(key);
    l3.remove(key);
  }

  /** Removes every key {@code test} accepts from L1 and the persistent level; returns how many left L1. */
  int evictIf(Predicate<String> test) {
    int evicted = local.invalidateIf(test);
    l3.removeIf(test);
    return evicted;
  }

  /** Closes the persistent level (its file is committed). */
  void close() {
    l3.close();
  }

  CacheStats snapshot() {
    return stats.snapshot(name, local.size(), writeBack == null ? 0 : writeBack.depth(), l3.size());
  }
}
