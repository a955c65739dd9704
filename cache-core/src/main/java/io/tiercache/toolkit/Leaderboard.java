package io.tiercache.toolkit;

import io.tiercache.RedisUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sorted set of members by score, highest first, holding at most {@link #capacity()} members:
 * every write trims the lowest in the same Lua script, so no reader ever sees more.
 *
 * <p>Every method throws {@link RedisUnavailableException} while Redis is down or slow.
 *
 * <pre>{@code
 * Leaderboard checkins = toolkit.leaderboards().get("project:42:continuous");
 * checkins.increment(userId, 1);
 * List<RankedMember> top = checkins.top(10);
 * }</pre>
 */
public interface Leaderboard {

  /**
   * Sets a member's score.
   *
   * @param member not empty
   * @param score finite
   * @return whether the member is on the board after trimming
   */
  boolean add(String member, double score);

  /**
   * Sets many scores in one step (a scheduled refresh), then trims.
   *
   * @param scores member to finite score; members not empty
   */
  void addAll(Map<String, Double> scores);

  /**
   * Adds {@code delta} to a member's score (a missing member starts at 0).
   *
   * @param member not empty
   * @param delta finite
   * @return the new score; the member may have been trimmed right away if it is not in the top
   *     {@link #capacity()}
   */
  double increment(String member, double delta);

  /**
   * The best {@code n} members.
   *
   * @param n positive; more than {@link #capacity()} returns at most the capacity
   * @return members with their 1-based ranks, best first
   */
  List<RankedMember> top(int n);

  /**
   * A member's rank and score.
   *
   * @param member not empty
   * @return empty if the member is not on the board
   */
  Optional<RankedMember> rank(String member);

  /**
   * Removes a member.
   *
   * @param member not empty
   * @return whether it was on the board
   */
  boolean remove(String member);

  /** How many members the board holds. */
  long size();

  /**
   * Sets a TTL on the whole board (seed 000 rebuilds its leaderboards every hour).
   *
   * @param ttl positive
   * @return whether the board exists
   */
  boolean expire(Duration ttl);

  /** Deletes the board. */
  void clear();

  /** The board's name. */
  String name();

  /** The most members the board keeps. */
  int capacity();
}
