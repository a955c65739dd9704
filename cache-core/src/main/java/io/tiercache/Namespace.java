package io.tiercache;

/**
 * A group of keys that can be invalidated in O(1): every key built by {@link #key} carries the
 * namespace's current version, and {@link #bump()} moves every instance to the next version, so
 * old entries are no longer reached and expire by their TTL.
 *
 * <pre>{@code
 * Namespace catalogue = tier.namespace("catalogue");
 * cache.get(catalogue.key("product", id), k -> dao.product(id));  // "catalogue:v3:product:42"
 * catalogue.bump();                                               // all of it, at once, everywhere
 * }</pre>
 *
 * <p>The version lives in Redis ({@code {prefix}:__tc:ns:{name}}); each instance caches it and
 * learns of bumps through the coherence stream. While Redis is unreachable the last known version
 * is used (0 if none was ever read).
 */
public interface Namespace {

  /** The namespace's name, a structured key prefix such as {@code tenant:42}. */
  String name();

  /** The current version as this instance knows it. */
  long version();

  /**
   * A key inside the current version: {@code {name}:v{version}:{parts...}}, with each part
   * encoded by {@link Keys#segment}.
   */
  String key(Object... parts);

  /**
   * Moves to the next version in Redis and on every instance.
   *
   * @return the new version
   * @throws RedisUnavailableException if Redis cannot be reached: the bump did not happen
   */
  long bump();
}
