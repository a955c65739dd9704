package io.tiercache.spring;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.cache.annotation.AnnotationCacheOperationSource;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CachePutOperation;
import org.springframework.cache.interceptor.CacheableOperation;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The value type of each Spring cache, read from the {@code @Cacheable} and {@code @CachePut}
 * methods of the application's beans (their {@code @Caching} and {@code @CacheConfig} included):
 * the method's generic return type, with {@code Optional<T>}, {@code CompletableFuture<T>} (any
 * {@code CompletionStage} or {@code Future}) and {@code Mono<T>} read as {@code T}, and {@code
 * Flux<T>} as {@code List<T>} (Spring caches a Flux's elements as one list), primitives boxed.
 * Two methods that give one cache different types are refused, naming both, unless {@code
 * tiercache.caches.<name>.value-type} decides.
 */
public final class CacheValueTypes {

  /** Where a type was found. */
  public record Source(Type type, String method) {}

  private final Map<String, Source> types;
  private final Map<String, List<String>> methods;

  private CacheValueTypes(Map<String, Source> types, Map<String, List<String>> methods) {
    this.types = types;
    this.methods = methods;
  }

  /** The type inferred for a cache, or null when no method of the application names it. */
  public Source of(String cacheName) {
    return types.get(Objects.requireNonNull(cacheName, "cacheName must not be null"));
  }

  /** Every cache name a caching annotation names, with the methods that name it. */
  public Map<String, List<String>> cacheMethods() {
    return methods;
  }

  /**
   * Reads every bean type of {@code beanFactory} without creating beans.
   *
   * @param beanFactory not null
   * @param overridden cache names whose type is set by property: not inferred, never a conflict
   * @throws IllegalStateException if two methods give one cache different value types
   */
  public static CacheValueTypes scan(
      ConfigurableListableBeanFactory beanFactory, Collection<String> overridden) {
    Objects.requireNonNull(beanFactory, "beanFactory must not be null");
    Objects.requireNonNull(overridden, "overridden must not be null");
    AnnotationCacheOperationSource source = new AnnotationCacheOperationSource(false);
    Map<String, Source> types = new LinkedHashMap<>();
    Map<String, List<String>> methods = new LinkedHashMap<>();
    Set<Class<?>> seen = new HashSet<>();
    for (String beanName : beanFactory.getBeanDefinitionNames()) {
      Class<?> beanType;
      try {
        beanType = beanFactory.getType(beanName, false);
      } catch (RuntimeException e) {
        continue; // a type that cannot be predicted cannot carry annotations we could read
      }
      if (beanType == null) {
        continue;
      }
      List<Class<?>> candidates = new ArrayList<>();
      if (Proxy.isProxyClass(beanType)) {
        candidates.addAll(List.of(beanType.getInterfaces()));
      } else {
        candidates.add(ClassUtils.getUserClass(beanType));
      }
      for (Class<?> type : candidates) {
        if (!seen.add(type)
            || type.getName().startsWith("org.springframework.")
            || type.getName().startsWith("java.")) {
          continue;
        }
        for (Method method : ReflectionUtils.getUniqueDeclaredMethods(
            type, m -> !m.isBridge() && !m.isSynthetic())) {
          Collection<CacheOperation> operations;
          try {
            operations = source.getCacheOperations(method, type);
          } catch (RuntimeException e) {
            throw new IllegalStateException(
                "cannot read the caching annotations of " + describe(type, method) + ": "
                    + e.getMessage(),
                e);
          }
          if (operations == null) {
            continue;
          }
          for (CacheOperation operation : operations) {
            for (String cacheName : operation.getCacheNames()) {
              methods
                  .computeIfAbsent(cacheName, n -> new ArrayList<>())
                  .add(describe(type, method));
            }
            if (!(operation instanceof CacheableOperation)
                && !(operation instanceof CachePutOperation)) {
              continue;
            }
            Type valueType = valueType(method, type);
            if (valueType == null) {
              continue;
            }
            for (String cacheName : operation.getCacheNames()) {
              if (overridden.contains(cacheName)) {
                continue;
              }
              Source found = new Source(valueType, describe(type, method));
              Source before = types.putIfAbsent(cacheName, found);
              if (before != null && !before.type().equals(valueType)) {
                throw new IllegalStateException(
                    "cache '" + cacheName + "' would hold values of two types: "
                        + before.type().getTypeName() + " (" + before.method() + ") and "
                        + valueType.getTypeName()
                        + " (" + found.method()
                        + "). Tiercache stores typed JSON: give each type its own cache, "
                        + "or set tiercache.caches." + cacheName
                        + ".value-type to a type both can be read as");
              }
            }
          }
        }
      }
    }
    return new CacheValueTypes(types, methods);
  }

  private static String describe(Class<?> type, Method method) {
    StringBuilder out =
        new StringBuilder(type.getName()).append('.').append(method.getName()).append('(');
    Class<?>[] params = method.getParameterTypes();
    for (int i = 0; i < params.length; i++) {
      out.append(i > 0 ? ", " : "").append(params[i].getSimpleName());
    }
    return out.append(')').toString();
  }

  /** The cached type of a method's result, or null for void. */
  static Type valueType(Method method, Class<?> type) {
    ResolvableType result = ResolvableType.forMethodReturnType(method, type);
    Class<?> raw = result.resolve(Object.class);
    if (raw == void.class || raw == Void.class) {
      return null;
    }
    if (raw == Optional.class
        || CompletionStage.class.isAssignableFrom(raw)
        || Future.class.isAssignableFrom(raw)
        || raw.getName().equals("reactor.core.publisher.Mono")) {
      ResolvableType element = raw == Optional.class
          ? result.as(Optional.class).getGeneric(0)
          : CompletionStage.class.isAssignableFrom(raw)
              ? result.as(CompletionStage.class).getGeneric(0)
              : Future.class.isAssignableFrom(raw)
                  ? result.as(Future.class).getGeneric(0)
                  : result.getGeneric(0);
      return concrete(element);
    }
    if (raw.getName().equals("reactor.core.publisher.Flux")) {
      return ResolvableType.forClassWithGenerics(
              List.class, ResolvableType.forType(concrete(result.getGeneric(0))))
          .getType();
    }
    return concrete(result);
  }

  /** The type with its generics resolved, or its raw class where one cannot be. */
  static Type concrete(ResolvableType type) {
    Class<?> raw = type.resolve(Object.class);
    if (raw.isPrimitive()) {
      return ClassUtils.resolvePrimitiveIfNecessary(raw);
    }
    if (!type.hasGenerics() || type.hasUnresolvableGenerics()) {
      return raw;
    }
    ResolvableType[] generics = type.getGenerics();
    ResolvableType[] resolved = new ResolvableType[generics.length];
    for (int i = 0; i < generics.length; i++) {
      resolved[i] = ResolvableType.forType(concrete(generics[i]));
    }
    return ResolvableType.forClassWithGenerics(raw, resolved).getType();
  }
}
