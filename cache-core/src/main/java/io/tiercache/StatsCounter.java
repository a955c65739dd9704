package io.tiercache;

import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link CacheStats}, shared by every view of one cache name. */
final class StatsCounter {
  final LongAdder requests = new LongAdder();
  final LongAdder l1Hits = new LongAdder();
  final LongAdder l2Hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder loadNanos = new LongAdder();
  final LongAdder degraded = new LongAdder();
  final LongAdder puts = new LongAdder();
  final LongAdder invalidations = new LongAdder();
  final LongAdder decodeErrors = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder deadLetters = new LongAdder();
  final LongAdder refreshes = new LongAdder();
  final LongAdder refreshFailures = new LongAdder();

  CacheStats snapshot(String name, long l1Size, long writeBackDepth) {
    return new CacheStats(name, requests.sum(), l1Hits.sum(), l2Hits.sum(), misses.sum(),
        loads.sum(), loadFailures.sum(), loadNanos.sum(), degraded.sum(), puts.sum(),
        invalidations.sum(), decodeErrors.sum(), evictions.sum(), l1Size, writeBackDepth,
        deadLetters.sum(), refreshes.sum(), refreshFailures.sum());
  }
}
