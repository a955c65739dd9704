package io.tiercache;

/**
 * How a cache's writes reach the system of record, Redis (L2) and the in-process cache (L1).
 *
 * <p>Reads are the same for every strategy: L1, then L2, then the loader.
 */
public enum Strategy {
  /**
   * The application writes its store itself and then calls {@link Cache#invalidate}: the key is
   * deleted from L2 and evicted from L1. {@link Cache#put} writes L2 then L1. The default.
   */
  CACHE_ASIDE {
    @Override
    WritePolicy policy(CacheGroup group, WriteBackQueue.Factory queues) {
      return new WritePolicy.CacheAside(group);
    }

    @Override
    boolean needsWriter() {
      return false;
    }
  },

  /**
   * {@link Cache#put} calls the cache's {@link CacheWriter} synchronously, then writes L2, then
   * L1. If the writer throws, the exception reaches the caller (as a {@link CacheWriterException})
   * and neither level is touched.
   */
  WRITE_THROUGH {
    @Override
    WritePolicy policy(CacheGroup group, WriteBackQueue.Factory queues) {
      return new WritePolicy.WriteThrough(group);
    }
  },

  /**
   * {@link Cache#put} updates L1 and returns; a background flusher coalesces writes per key and
   * sends them in batches to the {@link CacheWriter} and to L2. Reads see the pending value at
   * once. The queue is bounded: when it is full, the caller runs a flush itself (back-pressure, no
   * write dropped). Failed batches are retried with exponential backoff and then handed to the
   * spec's {@link DeadLetterListener}. {@link Cache#flush()} and {@link TierCache#close()} drain
   * the queue.
   */
  WRITE_BACK {
    @Override
    WritePolicy policy(CacheGroup group, WriteBackQueue.Factory queues) {
      return new WritePolicy.WriteBack(group, queues);
    }
  };

  /** The writes of a cache with this strategy, chosen once when the cache is created. */
  abstract WritePolicy policy(CacheGroup group, WriteBackQueue.Factory queues);

  /** Whether the strategy writes a system of record, so that the spec must name a {@link CacheWriter}. */
  boolean needsWriter() {
    return true;
  }
}
