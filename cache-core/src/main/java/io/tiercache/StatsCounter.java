package io.tiercache;

import io.tiercache.internal.codec.ValueCodec;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link CacheStats}, shared by every view of one cache name. */
final class StatsCounter {
  /**
   * Requests answered by L1 at the first look: one increment where a hit would otherwise take two,
   * reported in both {@link CacheStats#requests} and {@link CacheStats#l1Hits}.
   */
  final LongAdder l1HitRequests = new LongAdder();
  /** Requests not in {@link #l1HitRequests}. */
  final LongAdder requests = new LongAdder();
  /** L1 hits not in {@link #l1HitRequests} (a wait on another caller's load, an L1 hit in {@code getAll}). */
  final LongAdder l1Hits = new LongAdder();

  final LongAdder l2Hits = new LongAdder();
  /** Reads answered by the persistent level. */
  final LongAdder l3Hits = new LongAdder();
  /** Reads the persistent level was asked and could not answer. */
  final LongAdder l3Misses = new LongAdder();

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
  /** Payload bytes of the values encoded for L2, before compression. */
  final LongAdder encodedBytes = new LongAdder();
  /** The same payloads as stored (compressed where compression paid). */
  final LongAdder storedBytes = new LongAdder();

  void encoded(byte[] frame) {
    encodedBytes.add(ValueCodec.payloadLength(frame));
    storedBytes.add(ValueCodec.storedLength(frame));
  }

  CacheStats snapshot(String name, long l1Size, long writeBackDepth) {
    return snapshot(name, l1Size, writeBackDepth, 0);
  }

  CacheStats snapshot(String name, long l1Size, long writeBackDepth, long l3Size) {
    long hitRequests = l1HitRequests.sum();
    return new CacheStats(
        name,
        requests.sum() + hitRequests,
        l1Hits.sum() + hitRequests,
        l2Hits.sum(),
        misses.sum(),
        loads.sum(),
        loadFailures.sum(),
        loadNanos.sum(),
        degraded.sum(),
        puts.sum(),
        invalidations.sum(),
        decodeErrors.sum(),
        evictions.sum(),
        l1Size,
        writeBackDepth,
        deadLetters.sum(),
        refreshes.sum(),
        refreshFailures.sum(),
        encodedBytes.sum(),
        storedBytes.sum(),
        l3Hits.sum(),
        l3Misses.sum(),
        l3Size);
  }
}
