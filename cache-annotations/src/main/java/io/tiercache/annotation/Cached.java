package io.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches the method's result under a key built from its arguments. The generated decorator reads
 * the key from the cache (L1, then Redis) and calls the method only on a miss; a {@code null}
 * result is cached too, for the cache's null TTL.
 *
 * <pre>{@code
 * @Cached(cache = "leaderboard", key = "project:{id}:leaderboard:{type}", ttl = "1h")
 * Leaderboard leaderboard(long id, RankType type);
 * }</pre>
 *
 * <p>Return types: a plain or generic type ({@code List<Project>}, decoded with its full generic
 * type); {@code Optional<T>}, whose empty value is cached as null; {@code CompletableFuture<T>}
 * or {@code CompletionStage<T>}, served without blocking the caller. With a {@code {ids[]}}
 * placeholder (see the {@linkplain io.tiercache.annotation package grammar}) the method returns
 * {@code Map<E, V>} keyed by the collection's elements, or {@code List<V>} holding one value per
 * element (null where there is none); its implementation must then return, for the elements it is
 * given, a map of the values it found or a list with one value per element in order.
 *
 * <p>The method must not be {@code void}, private, static, final or generic, and must declare no
 * checked exception (the call runs inside the cache's loader).
 *
 * <p>The other attributes are the settings of the cache (a policy shared by every method that
 * names it): an attribute left out (whatever its default value says) leaves the setting to the
 * type's {@link CacheDefaults}, then to the builder. Precedence, strongest first: the
 * application's {@code builder.cache(name, ...)}, this annotation, {@link CacheDefaults}, the
 * builder's {@code defaults(...)}, Tiercache's defaults. Two methods (or two types of one
 * compilation) that give one cache different values for a setting are a compile error.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Cached {

  /**
   * The cache (policy) name: letters, digits, {@code . _ -}. Empty means the type's {@link
   * CacheDefaults#cache()}.
   */
  String cache() default "";

  /**
   * The key template, for example {@code "project:{id}:info"}; see the {@linkplain
   * io.tiercache.annotation package grammar}. {@code *} is not allowed.
   */
  String key();

  /**
   * Time to live in Redis, such as {@code "2h"}. Empty leaves it to the cache's declaration (or
   * the global default). Two methods that set different TTLs for one cache are a compile error.
   */
  String ttl() default "";

  /** Time to live of a cached null (an absent result), such as {@code "1m"}. Empty: the cache's. */
  String nullTtl() default "";

  /** Time to live in the in-process level (L1), such as {@code "5m"}; never longer than the TTL. */
  String localTtl() default "";

  /**
   * Refresh-ahead period, such as {@code "30m"}: recently read keys are reloaded in the background
   * this often, before they expire, so readers of a hot key never wait for the method (one instance
   * reloads a key per period). Must be shorter than the TTL (a compile error otherwise). Passed to
   * the runtime as {@code CacheSpec.refreshAfter} by the generated {@code declareCaches}.
   */
  String refresh() default "";

  /**
   * Spreads expiry: each entry's TTL is multiplied by a random factor in {@code [1 - jitter, 1 +
   * jitter]}, so that entries written together do not expire together. In {@code [0, 1)}; left
   * out, the cache's declaration decides (0, no jitter, by default).
   */
  double ttlJitter() default 0;

  /**
   * Whether the cache keeps an in-process level (L1) before Redis; {@code false} reads Redis on
   * every call. Left out, the cache's declaration decides (on by default).
   */
  boolean l1() default true;

  /** The most entries L1 holds, positive. Left out, the cache's declaration decides (10,000 by default). */
  long localMaxSize() default 10_000;

  /**
   * How the cache writes. {@link WriteStrategy#WRITE_THROUGH} and {@link WriteStrategy#WRITE_BACK}
   * need a writer, which the builder gives ({@code builder.cache(name, c -> c.writer(w))}); without
   * one, {@code TierCacheBuilder.build()} fails. Left out, the cache's declaration decides
   * (cache-aside by default).
   */
  WriteStrategy strategy() default WriteStrategy.CACHE_ASIDE;

  /**
   * Distributed single-flight for slow loads, such as {@code "3s"}: when several instances miss
   * one key at once, one calls the method and the others wait for its value in Redis, at most this
   * long. Empty: off, unless the cache's declaration turns it on.
   */
  String distributedLoad() default "";

  /**
   * Values whose encoded form is larger than this many bytes are compressed in Redis; 0 compresses
   * every value. Not negative. Left out, the cache's declaration decides (1024 by default).
   */
  int compressionThreshold() default 1024;

  /**
   * A Bloom guard against penetration, sized for this many keys at a 1 % false-positive rate:
   * after an L1 miss, a key the guard never saw is answered as absent without Redis or the method
   * ({@code CacheSpec.Builder#bloomGuard}; another rate through the builder or configuration).
   * Positive. Left out, the cache's declaration decides (off by default). See docs/toolkit.md.
   */
  long bloomGuard() default 0;
}
