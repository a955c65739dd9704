/**
 * The Redis toolkit: counters, rate limiters, distributed locks, a token store, leaderboards,
 * capped lists, typed hashes, a blob cache and Bloom filters, all reached from one {@link
 * io.tiercache.toolkit.Toolkit} that shares the cache's Redis connection, circuit breaker, key
 * prefix and JSON mapper.
 *
 * <p>Every key lives under {@code {prefix}:__tk:} (the {@code __} segment is reserved for
 * Tiercache: cache keys cannot start with it and pattern invalidation skips it) followed by a kind segment and the caller's names,
 * each encoded with {@link io.tiercache.Keys#segment}:
 *
 * <pre>{@code
 * {prefix}:__tk:counter:{name}                     string, an integer
 * {prefix}:__tk:rate:fw:{limiter}:{subject}:{n}    string, fixed-window count of window n
 * {prefix}:__tk:rate:sw:{limiter}:{subject}        sorted set, sliding-window log
 * {prefix}:__tk:lock:{name}                        string, the owner's random id
 * {prefix}:__tk:lock_fence:{name}                  string, the last fencing token (no TTL)
 * {prefix}:__tk:token:{sha256 of token}            string, JSON session
 * {prefix}:__tk:token_sessions:{userId}            hash, session id to "issue order, expiry"
 * {prefix}:__tk:lb:{name}                          sorted set
 * {prefix}:__tk:list:{name}                        list, newest first
 * {prefix}:__tk:hash:{name}                        hash
 * {prefix}:__tk:blob:{key}                         string, framed content type and bytes
 * {prefix}:__tk:value:{key}                        string, JSON
 * {prefix}:__tk:bloom:{name}                       string, the bitmap (plus a sentinel bit; no TTL)
 * {prefix}:__tk:bloom_meta:{name}                  hash, the bitmap's bits and hashes
 * {prefix}:__tk:bloom_next:{name}                  string, the bitmap a rebuild writes (1 h TTL)
 * }</pre>
 *
 * <p>Scripts run with {@code EVALSHA} and fall back to {@code EVAL} when Redis does not know them
 * yet. Only a lock's acquisition and a Bloom filter's scripts touch several keys, and those share
 * a hash tag; every other script touches one key, so the toolkit also runs on Redis Cluster.
 */
package io.tiercache.toolkit;
