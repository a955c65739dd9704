package io.tiercache.processor;

import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.TypeMirror;

/**
 * One annotated method, validated.
 *
 * @param element the method
 * @param type the method as a member of the decorated type (type arguments resolved)
 * @param operation what the decorator does around it
 * @param cacheName the cache of {@code @Cached} or {@code @CachePut}; null for {@code @Invalidate}
 * @param key the key of {@code @Cached} or {@code @CachePut}; null for {@code @Invalidate}
 * @param invalidations the keys of {@code @Invalidate}, in order; empty otherwise
 * @param returnKind how the result is wrapped
 * @param valueType the cached value type (unwrapped from Optional or a future); null for
 *     {@code @Invalidate}
 * @param bulk the {@code {x[]}} mapping, or null
 */
record MethodModel(
    ExecutableElement element,
    ExecutableType type,
    Operation operation,
    String cacheName,
    ResolvedKey key,
    List<ResolvedKey> invalidations,
    ReturnKind returnKind,
    TypeMirror valueType,
    Bulk bulk) {

  /** What the decorator does around a method. */
  enum Operation {
    CACHED("Cached"),
    PUT("CachePut"),
    INVALIDATE("Invalidate");

    final String annotation;

    Operation(String annotation) {
      this.annotation = annotation;
    }
  }

  /** How a method returns its value. */
  enum ReturnKind {
    /** The value itself (or a primitive). */
    VALUE,
    /** {@code Optional<T>}: empty is cached as null. */
    OPTIONAL,
    /** {@code CompletableFuture<T>}. */
    FUTURE,
    /** {@code CompletionStage<T>}. */
    STAGE,
    /** {@code void}: only for {@code @Invalidate}. */
    VOID
  }

  /**
   * How a {@code {x[]}} method maps elements to values.
   *
   * @param param the collection parameter's name
   * @param elementType the element type
   * @param set whether the parameter is a {@code Set} (else a {@code List} or {@code Collection})
   * @param returnsMap whether the method returns {@code Map<E, V>} (else {@code List<V>})
   */
  record Bulk(String param, TypeMirror elementType, boolean set, boolean returnsMap) {}

  /** The method's simple name. */
  String name() {
    return element.getSimpleName().toString();
  }
}
