package io.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Settings shared by the annotated methods of a type. A {@link Cached} or {@link CachePut} whose
 * {@code cache} is empty uses this cache. The other attributes are cache settings, with the
 * meaning they have on {@link Cached}; each applies to every cache the type's methods use,
 * where no {@link Cached} method of that cache gives the setting itself.
 *
 * <pre>{@code
 * @CacheDefaults(cache = "projects", ttl = "1h", ttlJitter = 0.1, distributedLoad = "3s")
 * public interface ProjectService {
 *   @Cached(key = "project:{id}:info")                 // cache "projects": 1h, jitter, single-flight
 *   ProjectInfo info(long id);
 *
 *   @Cached(cache = "hot", key = "project:{id}:views", ttl = "1m", l1 = false)
 *   Long views(long id);                                // cache "hot": 1m, no L1, jitter, single-flight
 * }
 * }</pre>
 *
 * <p>An attribute left out (whatever its default value says) sets nothing. Precedence, strongest
 * first: the application's {@code builder.cache(name, ...)}, {@link Cached}, this annotation, the
 * builder's {@code defaults(...)}, Tiercache's defaults.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface CacheDefaults {

  /**
   * The default cache name: letters, digits, {@code . _ -}. Empty: none, so each method names its
   * cache.
   */
  String cache() default "";

  /** Time to live in Redis, such as {@code "2h"}; see {@link Cached#ttl()}. */
  String ttl() default "";

  /** Time to live of a cached null; see {@link Cached#nullTtl()}. */
  String nullTtl() default "";

  /** Time to live in L1; see {@link Cached#localTtl()}. */
  String localTtl() default "";

  /** Refresh-ahead period; see {@link Cached#refresh()}. */
  String refresh() default "";

  /** TTL jitter in {@code [0, 1)}; see {@link Cached#ttlJitter()}. */
  double ttlJitter() default 0;

  /** Whether the caches keep an L1; see {@link Cached#l1()}. */
  boolean l1() default true;

  /** The most entries L1 holds; see {@link Cached#localMaxSize()}. */
  long localMaxSize() default 10_000;

  /** How the caches write; see {@link Cached#strategy()}. */
  WriteStrategy strategy() default WriteStrategy.CACHE_ASIDE;

  /** Distributed single-flight wait; see {@link Cached#distributedLoad()}. */
  String distributedLoad() default "";

  /** Compression threshold in bytes; see {@link Cached#compressionThreshold()}. */
  int compressionThreshold() default 1024;

  /** A Bloom guard sized for this many keys; see {@link Cached#bloomGuard()}. */
  long bloomGuard() default 0;
}
