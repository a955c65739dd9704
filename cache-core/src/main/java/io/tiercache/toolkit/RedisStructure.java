package io.tiercache.toolkit;

import io.tiercache.internal.redis.RedisTier;
import java.time.Duration;

/**
 * What every named Redis structure of the toolkit (capped list, leaderboard, hash) shares: its
 * name, its key, and the operations on the whole key.
 */
abstract class RedisStructure {
  final RedisTier redis;
  final String name;
  final String key;
  private final String kind;

  /**
   * @param kind how the structure is named in command descriptions, such as {@code "leaderboard"}
   */
  RedisStructure(RedisTier redis, String name, String key, String kind) {
    this.redis = redis;
    this.name = name;
    this.key = key;
    this.kind = kind;
  }

  public final boolean expire(Duration ttl) {
    long millis = Names.requirePositiveMillis(ttl, "ttl");
    return redis.call(kind + " PEXPIRE", r -> r.pexpire(key, millis));
  }

  public final void clear() {
    redis.call(kind + " DEL", r -> r.del(key));
  }

  public final String name() {
    return name;
  }
}
