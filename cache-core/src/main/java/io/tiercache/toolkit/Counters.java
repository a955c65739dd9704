package io.tiercache.toolkit;

import io.tiercache.RedisUnavailableException;

/**
 * Named integer counters in Redis (likes, favourites, views), each operation atomic.
 *
 * <p>A counter that does not exist reads as 0. The {@link CounterSpec} of this view decides the
 * TTL: it is applied when an increment creates the counter (and by {@link #set}), and is not
 * pushed forward by later increments unless {@link CounterSpec#refreshTtl()} is set.
 *
 * <p>With {@link CounterSpec#batchInterval()} set, {@link #add} sums deltas in memory and writes
 * them every interval and on {@link #flush()} or {@link Toolkit#close()}; the other methods always
 * go to Redis at once. While Redis is down, direct operations throw {@link
 * RedisUnavailableException} (a counter cannot invent a value) and batched deltas stay in memory
 * until a flush succeeds.
 *
 * <pre>{@code
 * Counters likes = toolkit.counters(CounterSpec.defaults().withTtl(Duration.ofDays(30)));
 * long now = likes.increment("article:" + id);
 * }</pre>
 */
public interface Counters {

  /**
   * Adds one.
   *
   * @param name the counter's name, not empty
   * @return the value after the increment
   * @throws RedisUnavailableException if Redis is down or slow
   * @throws ArithmeticException if the value would overflow a signed 64-bit integer
   * @throws IllegalStateException if the key holds something other than an integer
   */
  default long increment(String name) {
    return incrementBy(name, 1);
  }

  /**
   * Adds {@code delta} (which may be negative).
   *
   * @param name the counter's name, not empty
   * @param delta the amount to add
   * @return the value after the increment
   * @throws RedisUnavailableException if Redis is down or slow
   * @throws ArithmeticException if the value would overflow a signed 64-bit integer
   * @throws IllegalStateException if the key holds something other than an integer
   */
  long incrementBy(String name, long delta);

  /**
   * Subtracts one. Counters may go below zero.
   *
   * @param name the counter's name, not empty
   * @return the value after the decrement
   * @throws RedisUnavailableException if Redis is down or slow
   */
  default long decrement(String name) {
    return incrementBy(name, -1);
  }

  /**
   * Subtracts {@code delta}.
   *
   * @param name the counter's name, not empty
   * @param delta the amount to subtract, not {@link Long#MIN_VALUE}
   * @return the value after the decrement
   * @throws RedisUnavailableException if Redis is down or slow
   */
  default long decrementBy(String name, long delta) {
    if (delta == Long.MIN_VALUE) {
      throw new IllegalArgumentException("delta must be greater than Long.MIN_VALUE");
    }
    return incrementBy(name, -delta);
  }

  /**
   * Adds {@code delta} without waiting for Redis when batching is on: the delta is summed in
   * memory and written within one {@link CounterSpec#batchInterval()}. Without batching it is
   * {@link #incrementBy} without the answer.
   *
   * @param name the counter's name, not empty
   * @param delta the amount to add
   * @throws RedisUnavailableException only without batching, if Redis is down or slow
   */
  void add(String name, long delta);

  /**
   * The counter's value in Redis plus this view's deltas not yet written.
   *
   * @param name the counter's name, not empty
   * @return the value, 0 if the counter does not exist
   * @throws RedisUnavailableException if Redis is down or slow
   * @throws IllegalStateException if the key holds something other than an integer
   */
  long get(String name);

  /**
   * Replaces the counter's value; the counter's TTL, if the spec has one, starts again.
   *
   * @param name the counter's name, not empty
   * @param value the new value
   * @throws RedisUnavailableException if Redis is down or slow
   */
  void set(String name, long value);

  /**
   * Deletes the counter (and drops this view's unwritten deltas for it).
   *
   * @param name the counter's name, not empty
   * @return whether a counter existed in Redis
   * @throws RedisUnavailableException if Redis is down or slow
   */
  boolean delete(String name);

  /**
   * Writes the batched deltas now. Deltas that cannot be written stay in memory for the next
   * flush.
   *
   * @throws RedisUnavailableException if some deltas could not be written
   */
  void flush();

  /** The number of counters with deltas not yet written. */
  int pendingCount();

  /** This view's settings. */
  CounterSpec spec();
}
