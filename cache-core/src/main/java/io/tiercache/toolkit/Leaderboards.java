package io.tiercache.toolkit;

/** Opens leaderboards; a leaderboard is a cheap view of one sorted set. */
public interface Leaderboards {

  /** The capacity of {@link #get(String)}: seed 000 keeps the top 100. */
  int DEFAULT_CAPACITY = 100;

  /**
   * The leaderboard {@code name} with {@link #DEFAULT_CAPACITY}.
   *
   * @param name not empty
   * @return the leaderboard
   */
  default Leaderboard get(String name) {
    return get(name, DEFAULT_CAPACITY);
  }

  /**
   * The leaderboard {@code name} keeping the best {@code capacity} members. Views of one name with
   * different capacities trim to the capacity of the last write.
   *
   * @param name not empty
   * @param capacity positive
   * @return the leaderboard
   */
  Leaderboard get(String name, int capacity);
}
