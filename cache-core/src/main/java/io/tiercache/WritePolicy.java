package io.tiercache;

/**
 * How {@link Cache#put} of one cache reaches the system of record, Redis and L1: one subclass per
 * {@link Strategy}, chosen once per cache by {@link Strategy#policy}. A new strategy is a new
 * subclass and its enum constant.
 */
abstract class WritePolicy {
  final CacheGroup group;

  WritePolicy(CacheGroup group) {
    this.group = group;
  }

  /**
   * Writes {@code value} under {@code k}, already checked and encoded as {@code frame}. The TTL
   * is taken when the value is settled (after a writer returned), so that a boundary cap counts
   * from then.
   *
   * @param key the key as the caller gave it (for the {@link CacheWriter})
   */
  abstract void put(Object key, String k, Object value, byte[] frame);

  /** The queue of a strategy that writes later, or null. */
  WriteBackQueue queue() {
    return null;
  }

  /**
   * The write every strategy ends with once the value is settled: the persistent level (first, so
   * that a Redis failure still leaves the new value there), then Redis (announced to the other
   * instances), then L1. Returns null, or the failure when Redis could not be reached (its stale
   * value is deleted as soon as it answers).
   */
  final RedisUnavailableException store(String k, Object value, byte[] frame) {
    long ttlMillis = group.ttlMillis(false);
    group.stats.puts.increment();
    Object ticket = group.local.begin(k, true);
    Object kept = null;
    try {
      group.l3.put(k, frame, ttlMillis);
      RedisUnavailableException failed = group.l2.replace(k, frame, ttlMillis);
      kept = value;
      return failed;
    } finally {
      // kept in L1 unless the key changed meanwhile: a later write elsewhere, heard before this
      group.local.end(k, ticket, kept);
    }
  }

  /** {@link Strategy#CACHE_ASIDE}: Redis, then L1; Redis being down only degrades the write. */
  static final class CacheAside extends WritePolicy {
    CacheAside(CacheGroup group) {
      super(group);
    }

    @Override
    void put(Object key, String k, Object value, byte[] frame) {
      store(k, value, frame);
    }
  }

  /**
   * {@link Strategy#WRITE_THROUGH}: the writer first; if it fails, nothing is cached. If Redis then
   * fails, the caller is told, as the store and this L1 have a value Redis does not.
   */
  static final class WriteThrough extends WritePolicy {
    WriteThrough(CacheGroup group) {
      super(group);
    }

    @Override
    void put(Object key, String k, Object value, byte[] frame) {
      try {
        @SuppressWarnings("unchecked")
        CacheWriter<Object, Object> writer = (CacheWriter<Object, Object>) group.spec.writer();
        writer.write(key, value);
      } catch (RuntimeException e) {
        throw new CacheWriterException(
            "cache '" + group.name + "': writer failed for key '" + k + "'; nothing was cached", e);
      }
      RedisUnavailableException failed = store(k, value, frame);
      if (failed != null) {
        throw new RedisUnavailableException(
            "cache '" + group.name + "': key '" + k + "' was written by the writer "
                + "but not to Redis (" + failed.getMessage()
                + "); Redis will not serve the replaced value: the key is "
                + "deleted there as soon as it answers",
            failed);
      }
    }
  }

  /**
   * {@link Strategy#WRITE_BACK}: L1 and the queue; the queue's flusher writes the writer and Redis
   * later, in batches.
   */
  static final class WriteBack extends WritePolicy {
    private final WriteBackQueue queue;

    WriteBack(CacheGroup group, WriteBackQueue.Factory queues) {
      super(group);
      this.queue = queues.create(group);
    }

    @Override
    WriteBackQueue queue() {
      return queue;
    }

    @Override
    void put(Object key, String k, Object value, byte[] frame) {
      group.stats.puts.increment();
      queue.put(
          k,
          new WriteBackQueue.Pending(
              key,
              value,
              group.redisPrefix + k,
              frame,
              group.ttlMillis(false),
              WriteBackQueue.nextVersion()));
      group.local.put(k, value);
    }
  }
}
