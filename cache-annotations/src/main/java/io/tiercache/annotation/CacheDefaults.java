package io.tiercache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Settings shared by the annotated methods of a type. A {@link Cached} or {@link CachePut} whose
 * {@code cache} is empty uses this cache.
 *
 * <pre>{@code
 * @CacheDefaults(cache = "projects")
 * public interface ProjectService {
 *   @Cached(key = "project:{id}:info")
 *   ProjectInfo info(long id);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface CacheDefaults {

  /** The default cache name: letters, digits, {@code . _ -}. */
  String cache();
}
