package io.tiercache;

/**
 * How the L1 of every instance sharing one Redis and key prefix learns about changes made by the
 * others. Chosen with {@link TierCacheBuilder#coherence(CoherenceMode)}.
 */
public enum CoherenceMode {
  /**
   * No messages: each instance's L1 lives until its own TTL ({@code l1Ttl}). For a single
   * instance, or caches whose values never change.
   */
  NONE,

  /**
   * The default when Redis is configured. Every change Tiercache makes in Redis (put, invalidate,
   * write-back flush, pattern, event, namespace bump) is appended, after Redis acknowledged it, to
   * a Redis Stream that every instance reads; messages carry a sequence number, and an instance
   * that finds a gap in the sequence (it was disconnected longer than the stream's retention, or
   * Redis restarted) clears its whole L1 instead of guessing.
   */
  STREAM,

  /**
   * {@link #STREAM}, plus RESP3 {@code CLIENT TRACKING BCAST PREFIX {prefix}: NOLOOP} on the data
   * connection (on a cluster, on every master's), so that writes made by any Redis client, not only Tiercache, evict L1 too. After
   * a reconnect, tracking is turned on again and L1 is cleared, since changes made during the
   * disconnect are unknown. Costs one push message per changed key to every instance.
   */
  STREAM_AND_TRACKING,

  /**
   * Redis itself tells every instance which keys changed: RESP3 {@code CLIENT TRACKING BCAST
   * PREFIX {prefix}: NOLOOP} on the data connection, as in {@link #STREAM_AND_TRACKING}, but a
   * change of one key (put, invalidate, the writes of a write-back flush, a write by any other Redis
   * client) is no longer appended to the stream as well. A cache write is then one plain {@code SET}, and Redis
   * pushes one message per changed key to every other instance as part of the write, with no
   * polling. Pattern, event, cache and namespace invalidations and {@link
   * TierCache#invalidateAndWait} still go through the stream.
   *
   * <p>On a Redis Cluster, tracking is turned on for every master serving slots, on the connection
   * this instance writes that master's slots through, and on each new master (a failover, a master
   * added) within a heartbeat of it appearing in {@code CLUSTER NODES}, with L1 cleared then. Every
   * instance of one key prefix must use this mode or {@link #STREAM_AND_TRACKING}: an instance in
   * {@link #STREAM} mode does not hear of these writes (switch through {@link
   * #STREAM_AND_TRACKING}). After a reconnect L1 is
   * cleared once tracking is on again; an instance whose Redis refuses {@code CLIENT TRACKING}
   * (an ACL without {@code client}, a proxy without RESP3) does not answer from L1 until it is
   * accepted (retried every second). A strict staleness bound is checked on the data connection
   * too. See docs/coherence.md.
   */
  TRACKING
}
