package io.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * After the method returns normally, removes a key, or every key matching a pattern, from Redis
 * and from the in-process level of every cache. Repeat it to remove several keys.
 *
 * <pre>{@code
 * @Invalidate(key = "project:{id}:*")          // every key of the project, in every cache
 * @Invalidate(key = "user:{userId}:projects")  // one key
 * void checkIn(long id, long userId);
 * }</pre>
 *
 * <p>A key without {@code *} is removed with one delete; a key with {@code *} is a pattern,
 * removed with {@code SCAN} and {@code UNLINK}. Placeholder values never contain glob characters,
 * so an argument cannot widen the pattern. If the method throws, nothing is removed; for a
 * {@code CompletableFuture}, keys are removed when it completes normally.
 *
 * <p>The processor warns when a key matches no {@link Cached} or {@link CachePut} key shape of the
 * type (of {@link #cache()}, if set): such an invalidation usually has a typo. The method may be
 * {@code void}; it must not be private, static, final or generic.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
@Repeatable(Invalidate.List.class)
public @interface Invalidate {

  /**
   * The cache whose key shapes the compile-time check compares this key with. Empty compares with
   * every cache of the type. Keys are removed from every cache either way: a structured key such
   * as {@code project:42:info} is not owned by one cache.
   */
  String cache() default "";

  /**
   * The key or pattern template; see the {@linkplain io.tiercache.annotation package grammar}.
   * {@code *} matches any text; {@code {x[]}} is not allowed.
   */
  String key();

  /** Holds repeated {@link Invalidate} annotations; write them one by one instead. */
  @Documented
  @Retention(RetentionPolicy.CLASS)
  @Target(ElementType.METHOD)
  @interface List {

    /** The repeated annotations. */
    Invalidate[] value();
  }
}
