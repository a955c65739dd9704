package io.tiercache.toolkit;

import java.time.Duration;

/**
 * How a {@link Counters} view writes: the TTL applied when a counter is created, whether every
 * increment pushes that TTL forward, and whether {@link Counters#add} batches in memory.
 *
 * <p>Immutable; {@link Duration#ZERO} means "no TTL" and "no batching".
 *
 * @param ttl the TTL of a new counter, {@link Duration#ZERO} for none; not negative
 * @param refreshTtl whether every increment sets the TTL again (a sliding expiry)
 * @param batchInterval how often batched deltas are written, {@link Duration#ZERO} to write each
 *     {@link Counters#add} at once; not negative
 */
public record CounterSpec(Duration ttl, boolean refreshTtl, Duration batchInterval) {

  private static final CounterSpec DEFAULTS = new CounterSpec(Duration.ZERO, false, Duration.ZERO);

  /** Checks the arguments. */
  public CounterSpec {
    Names.requireNonNegativeMillis(ttl, "ttl");
    Names.requireNonNegativeMillis(batchInterval, "batchInterval");
    if (refreshTtl && ttl.isZero()) {
      throw new IllegalArgumentException("refreshTtl requires a ttl: call withTtl(...) first");
    }
  }

  /** No TTL, no batching. */
  public static CounterSpec defaults() {
    return DEFAULTS;
  }

  /** A copy with this TTL for new counters ({@link Duration#ZERO} for none). */
  public CounterSpec withTtl(Duration ttl) {
    Names.requireNonNull(ttl, "ttl");
    return new CounterSpec(ttl, refreshTtl && !ttl.isZero(), batchInterval);
  }

  /** A copy whose increments set the TTL again each time. */
  public CounterSpec withRefreshedTtl() {
    return new CounterSpec(ttl, true, batchInterval);
  }

  /** A copy that batches {@link Counters#add} and writes every {@code interval}. */
  public CounterSpec withBatchInterval(Duration interval) {
    return new CounterSpec(ttl, refreshTtl, interval);
  }

  /** Whether {@link Counters#add} is batched. */
  public boolean batched() {
    return !batchInterval.isZero();
  }
}
