package io.tiercache;

/**
 * A Redis keyspace notification about a key under this instance's prefix: it expired, was
 * evicted at {@code maxmemory}, or was deleted. See {@link TierCache#onKeyEvents}.
 *
 * @param kind what happened
 * @param cacheName the cache whose key space holds the key; null for the shared key space (caches
 *     with {@code sharedKeys(true)}) or a key no declared cache owns
 * @param key the key as the cache names it ({@code {prefix}:{cache}:} or {@code {prefix}:} removed)
 * @param redisKey the Redis key
 */
public record KeyEvent(Kind kind, String cacheName, String key, String redisKey) {

  /** What happened to the key. */
  public enum Kind {
    /** Its TTL ran out (Redis's {@code expired} event, flag {@code x}). */
    EXPIRED('x', "expired"),
    /** Redis evicted it at {@code maxmemory} ({@code evicted}, flag {@code e}). */
    EVICTED('e', "evicted"),
    /** {@code DEL} or {@code UNLINK} removed it ({@code del}, flag {@code g}). */
    DELETED('g', "del");

    final char flag;
    final String event;

    Kind(char flag, String event) {
      this.flag = flag;
      this.event = event;
    }
  }
}
