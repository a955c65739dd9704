package io.tiercache;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A snapshot of one cache's counters since it was created. Every request ends as exactly one of an
 * L1 hit, an L2 hit, an L3 hit (the persistent level, when the cache has one) or a miss; a miss either ran the loader ({@link #loads()}) or waited for a load
 * that another caller of the same key had started.
 *
 * @param cacheName the cache
 * @param requests reads ({@code get}, {@code getIfPresent}, each key of {@code getAll})
 * @param l1Hits reads answered by the in-process level
 * @param l2Hits reads answered by Redis
 * @param misses reads answered by neither
 * @param loads loader calls that returned (a bulk load counts each key it was asked for)
 * @param loadFailures loader calls that threw
 * @param totalLoadTimeNanos time spent in loaders, successful or not
 * @param degradedCalls operations that skipped or lost Redis because it was down or slow
 * @param puts values written through {@code put}
 * @param invalidations keys removed by {@code invalidate}
 * @param decodeErrors stored values that could not be decoded (treated as misses and deleted)
 * @param l1Evictions L1 entries evicted for size
 * @param l1Size current L1 entries (estimate)
 * @param writeBackQueueDepth keys waiting in the write-back queue
 * @param deadLetters write-back entries handed to the dead-letter listener
 * @param refreshes background reloads that stored a new value
 * @param refreshFailures background reloads whose loader threw (the old value was kept)
 * @param encodedBytes payload bytes of the values encoded for Redis, before compression
 * @param storedBytes the same payloads as stored, compressed where that paid
 * @param l3Hits reads answered by the persistent level (0 without one)
 * @param l3Misses reads past L2 that the persistent level could not answer (counted in misses too)
 * @param l3Size entries in the persistent level (estimate; 0 without one)
 */
public record CacheStats(
    String cacheName,
    long requests,
    long l1Hits,
    long l2Hits,
    long misses,
    long loads,
    long loadFailures,
    long totalLoadTimeNanos,
    long degradedCalls,
    long puts,
    long invalidations,
    long decodeErrors,
    long l1Evictions,
    long l1Size,
    long writeBackQueueDepth,
    long deadLetters,
    long refreshes,
    long refreshFailures,
    long encodedBytes,
    long storedBytes,
    long l3Hits,
    long l3Misses,
    long l3Size) {

  /** Hits at any level over requests; 1.0 when there were no requests. */
  @JsonProperty("hitRate")
  public double hitRate() {
    return requests == 0 ? 1.0 : (double) (l1Hits + l2Hits + l3Hits) / requests;
  }

  /** L1 hits over requests; 0.0 when there were no requests. */
  @JsonProperty("l1HitRate")
  public double l1HitRate() {
    return requests == 0 ? 0.0 : (double) l1Hits / requests;
  }

  /** L2 hits over requests; 0.0 when there were no requests. */
  @JsonProperty("l2HitRate")
  public double l2HitRate() {
    return requests == 0 ? 0.0 : (double) l2Hits / requests;
  }

  /** Successful refreshes over refresh attempts; 1.0 when nothing was refreshed. */
  @JsonProperty("refreshSuccessRate")
  public double refreshSuccessRate() {
    long attempts = refreshes + refreshFailures;
    return attempts == 0 ? 1.0 : (double) refreshes / attempts;
  }

  /**
   * How much compression saved: {@code encodedBytes / storedBytes} (2.0 means values take half
   * their size in Redis); 1.0 when nothing was encoded.
   */
  @JsonProperty("compressionRatio")
  public double compressionRatio() {
    return storedBytes == 0 ? 1.0 : (double) encodedBytes / storedBytes;
  }

  /** Average time of a loader call in nanoseconds; 0 when nothing was loaded. */
  @JsonProperty("averageLoadNanos")
  public double averageLoadNanos() {
    long calls = loads + loadFailures;
    return calls == 0 ? 0.0 : (double) totalLoadTimeNanos / calls;
  }
}
