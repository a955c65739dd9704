package io.tiercache.processor;

import com.palantir.javapoet.ClassName;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;

/**
 * A type whose methods carry Tiercache annotations, validated: everything the writers need.
 *
 * @param element the type
 * @param type the type as a declared type
 * @param keysName the generated key class
 * @param cachedName the generated decorator
 * @param isInterface whether the decorator wraps a delegate (else it extends the class)
 * @param methods the annotated methods, own methods first, in source order
 * @param passThrough for an interface, the other methods the decorator delegates untouched
 * @param constructors for a class, its non-private constructors
 * @param caches the caches the type uses, in order of first use, with the annotations' TTLs
 */
record ServiceModel(
    TypeElement element,
    DeclaredType type,
    ClassName keysName,
    ClassName cachedName,
    boolean isInterface,
    List<MethodModel> methods,
    List<ExecutableElement> passThrough,
    List<ExecutableElement> constructors,
    List<CacheSettings> caches) {

  /**
   * The settings the annotations give one cache: its {@code @Cached} methods', then the type's
   * {@code @CacheDefaults} for what no method sets.
   *
   * @param name the cache name
   * @param values the settings given, in {@link CacheAttribute} order
   */
  record CacheSettings(String name, Map<CacheAttribute, CacheAttribute.Value> values) {}
}
