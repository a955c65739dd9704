package io.tiercache.toolkit;

import io.tiercache.CodecException;
import io.tiercache.RedisUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The latest {@link #capacity()} items of something (seed 000: the latest 20 topics), newest
 * first, as JSON in a Redis list. A push and its trim are one Lua script, so the list never holds
 * more than the capacity.
 *
 * <p>An item that cannot be read as the list's type is skipped and logged. Every method throws
 * {@link RedisUnavailableException} while Redis is down or slow.
 *
 * <pre>{@code
 * CappedList<Topic> latest = toolkit.lists().get("project:42:topics", 20, Topic.class);
 * latest.push(topic);
 * List<Topic> page = latest.latest(10);
 * }</pre>
 *
 * @param <T> the item type
 */
public interface CappedList<T> {

  /**
   * Adds an item at the head and drops what falls beyond the capacity.
   *
   * @param item not null
   * @return the list's size afterwards
   * @throws CodecException if the item cannot be written as JSON
   */
  long push(T item);

  /**
   * Adds items at the head in order, so the last one ends up first, then trims.
   *
   * @param items not null, no null items
   * @return the list's size afterwards
   */
  long pushAll(List<? extends T> items);

  /** Every item, newest first. */
  List<T> latest();

  /**
   * The newest {@code n} items, newest first.
   *
   * @param n positive
   */
  List<T> latest(int n);

  /** How many items the list holds. */
  /**
   * Removes and returns the newest item ({@code LPOP}): a list used as a stack.
   *
   * @return the item; empty if the list is empty, or if the item could not be read as the list's
   *     type (it is removed all the same, and logged)
   */
  Optional<T> popLatest();

  /**
   * Removes and returns the oldest item ({@code RPOP}): a list used as a queue.
   *
   * @return the item; empty as for {@link #popLatest}
   */
  Optional<T> popOldest();

  long size();

  /**
   * Sets a TTL on the whole list.
   *
   * @param ttl positive
   * @return whether the list exists
   */
  boolean expire(Duration ttl);

  /** Deletes the list. */
  void clear();

  /** The list's name. */
  String name();

  /** The most items kept. */
  int capacity();
}
