package io.tiercache;

/**
 * The one home of the Redis key names Tiercache reserves for its own data. Every such key lies
 * under {@code prefix:__tc:}: a user key must not start with {@code __}, so no cache key can be
 * one of these, and pattern deletes skip {@code prefix:__} altogether.
 */
final class ReservedKeys {
  /** What every reserved key starts with after the instance's key prefix. */
  static final String ROOT = ":__tc:";

  private ReservedKeys() {}

  /**
   * Where a cache's distributed load leases live: {@code prefix:__tc:load:name:key}, or {@code
   * prefix:__tc:load:key} for a cache that shares the key space.
   */
  static String loadLeases(String keyPrefix, String cacheName, boolean ownKeys) {
    return keyPrefix + ROOT + "load:" + (ownKeys ? cacheName + ":" : "");
  }

  /** Where refresh-ahead's per-key leases of one cache live: {@code prefix:__tc:refresh:name:key}. */
  static String refreshLeases(String keyPrefix, String cacheName) {
    return keyPrefix + ROOT + "refresh:" + cacheName + ":";
  }

  /** Where namespace version counters live: {@code prefix:__tc:ns:namespace}. */
  static String namespaceVersions(String keyPrefix) {
    return keyPrefix + ROOT + "ns:";
  }

  /**
   * The version a write-back flush claims for one Redis key, in that key's slot: {@code
   * prefix:__tc:wbv:{redisKey}}.
   */
  static String writeBackVersion(String keyPrefix, String redisKey) {
    return keyPrefix + ROOT + "wbv:{" + redisKey + "}";
  }
}
