package io.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Always calls the method, then stores its result under the key, so that the next read of that
 * key is served from the cache. A {@code null} result (or an empty {@code Optional}) removes the
 * key instead. For a {@code CompletableFuture} the value is stored when the future completes
 * normally.
 *
 * <pre>{@code
 * @CachePut(cache = "project-info", key = "project:{p.id}:info")
 * ProjectInfo save(ProjectInfo p);
 * }</pre>
 *
 * <p>The method must not be {@code void}, private, static, final or generic. The template may not
 * contain {@code *} or {@code {x[]}}. A method carries one of {@link Cached}, {@link CachePut}
 * or {@link Invalidate}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface CachePut {

  /** The cache name; empty means the type's {@link CacheDefaults#cache()}. */
  String cache() default "";

  /**
   * The key template; see the {@linkplain io.tiercache.annotation package grammar}. Use the same
   * template shape as the {@link Cached} method whose entry this refreshes.
   */
  String key();
}
