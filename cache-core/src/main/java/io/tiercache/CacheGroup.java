package io.tiercache;

/**
 * What every typed view of one cache name shares: the policy, L1 with its single-flight table,
 * the counters and the write-back queue.
 */
final class CacheGroup {
  final String name;
  final CacheSpec spec;
  final StatsCounter stats = new StatsCounter();
  final LocalTier local;
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
  volatile io.tiercache.toolkit.BloomFilter guard;
  /** Reads per key over {@link CacheSpec#hotKeysWindow}; null when not counted. */
  final HotKeys hot;
  /** The persistent third level ({@link CacheSpec#l3Enabled}); null when off. */
  final PersistentLevel l3;

  CacheGroup(String name, CacheSpec spec, String keyPrefix, Coherence coherence, java.time.Clock clock,
      WriteBackQueue.Factory writeBackFactory) {
    this.name = name;
    this.keyPrefix = keyPrefix;
    this.ownKeys = !spec.sharedKeys();
    this.redisPrefix = ownKeys ? keyPrefix + ":" + name + ":" : keyPrefix + ":";
    this.space = ownKeys ? name : "";
    this.spec = spec;
    this.coherence = spec.l2Enabled() ? coherence : null;
    this.local = LocalTier.create(spec, stats, clock, this.coherence != null ? this.coherence::trusted : null);
    this.writeBack = spec.strategy() == Strategy.WRITE_BACK ? writeBackFactory.create(this) : null;
    this.hot = spec.hotKeysWindow() == null ? null : new HotKeys(clock, spec.hotKeysWindow());
    this.l3 = spec.l3Enabled() ? PersistentLevel.open(name, keyPrefix, spec, clock, this.coherence) : null;
  }

  /** Removes a key from L1 and the persistent level. */
  void evict(String key) {
    local.invalidate(key);
    if (l3 != null) {
      l3.remove(key);
    }
  }

  /** Removes every key {@code test} accepts from L1 and the persistent level; returns how many left L1. */
  int evictIf(java.util.function.Predicate<String> test) {
    int evicted = local.invalidateIf(test);
    if (l3 != null) {
      l3.removeIf(test);
    }
    return evicted;
  }

  /** Closes the persistent level (its file is committed). */
  void close() {
    if (l3 != null) {
      l3.close();
    }
  }

  CacheStats snapshot() {
    return stats.snapshot(name, local.size(), writeBack == null ? 0 : writeBack.depth(), l3 == null ? 0 : l3.size());
  }
}
