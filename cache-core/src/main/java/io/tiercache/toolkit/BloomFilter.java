package io.tiercache.toolkit;

import java.util.Collection;
import java.util.Iterator;
import java.util.Set;

/**
 * A Bloom filter kept in Redis and shared by every instance: the guard against cache penetration
 * by ids that never exist (seed 002). {@link #mightContain} answers false only for an item that
 * was never added; true for every added item and, at about {@link #falsePositiveRate()}, for
 * others.
 *
 * <p>The filter is one Redis bitmap of {@link #bits()} bits ({@code bits / 8} bytes) with
 * {@link #hashes()} positions per item, derived from the item's 128-bit MurmurHash3; an add or a
 * check is one {@code BITFIELD} (one round trip) whatever the number of positions. Every
 * instance must open a filter with the same expected insertions and rate: the parameters are
 * recorded in Redis and a filter opened with others is refused.
 *
 * <p>When Redis is down the filter <em>fails open</em>: {@link #mightContain} answers true (the
 * caller goes on to its cache or loader as if there were no guard) and the answer is counted in
 * {@link BloomStats#failedOpen()}. Adds made meanwhile are kept on this instance (up to 10,000;
 * past that the filter fails open until {@link #rebuild}) and written once Redis answers again, so
 * an item added during an outage is never answered absent by this instance. If the bitmap is lost
 * (evicted, flushed, a Redis without persistence restarted), the filter notices it in the same
 * round trip and fails open until it is rebuilt.
 *
 * <pre>{@code
 * BloomFilter users = toolkit.bloomFilters().get("users", 1_000_000, 0.01);
 * users.rebuild(userIds.iterator());         // once, from the database's ids
 * users.add("42");                           // on every insert
 * if (!users.mightContain(id)) return null;  // surely not a user: no cache, no database
 * }</pre>
 */
public interface BloomFilter {

  /**
   * Adds an item.
   *
   * @param item not null
   * @return whether it was surely absent before (some of its bits were 0); false if it might have
   *     been present, or if Redis is down (the add is then kept and written later)
   */
  boolean add(String item);

  /**
   * Adds items in batches of 1,000, one round trip each.
   *
   * @param items not null, no null item
   * @return how many were surely absent before
   */
  long addAll(Collection<String> items);

  /**
   * Whether {@code item} might have been added: false means surely not.
   *
   * @param item not null
   * @return false only for an item never added; true while Redis is down or the bitmap is lost
   */
  boolean mightContain(String item);

  /**
   * {@link #mightContain} for many items, in batches of 1,000, one round trip each.
   *
   * @param items not null, no null item
   * @return the items that might have been added, in their order, without repeats; all of them
   *     while Redis is down or the bitmap is lost
   */
  Set<String> mightContainAll(Collection<String> items);

  /**
   * Replaces the filter's content with {@code items}, read in batches of 1,000 into a bitmap of
   * its own, which then replaces the current one in one step; checks meanwhile use the current
   * one, and adds from every instance go to both. So a rebuild drops the items that no longer
   * exist (a Bloom filter cannot remove one) and restores a lost bitmap.
   *
   * @param items the items, not null; read once
   * @return how many items were read
   * @throws io.tiercache.RedisUnavailableException if Redis failed during the rebuild (the current
   *     bitmap is then kept as it was)
   */
  long rebuild(Iterator<String> items);

  /** Deletes the bitmap and its parameters: the filter is empty, and may be opened with others. */
  void clear();

  /** Counters of this instance's checks and, read from Redis, how full the bitmap is. */
  BloomStats stats();

  /** The filter's name. */
  String name();

  /** The number of bits in the bitmap. */
  long bits();

  /** The number of bit positions per item. */
  int hashes();

  /** The number of items the filter was sized for. */
  long expectedInsertions();

  /** The false-positive rate it was sized for, at {@link #expectedInsertions()} items. */
  double falsePositiveRate();
}
