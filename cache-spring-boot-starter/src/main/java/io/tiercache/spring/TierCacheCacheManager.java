package io.tiercache.spring;

import io.tiercache.Cache;
import io.tiercache.TierCache;
import io.tiercache.TypeRef;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.cache.CacheManager;

/**
 * A Spring {@link CacheManager} whose caches are the caches of one {@link TierCache}. A cache is
 * made on first use with its value type from {@code tiercache.caches.<name>.value-type}, else
 * from the application's caching methods ({@link CacheValueTypes}), else from the builder (a
 * {@link TierCacheBuilderCustomizer}); a cache with no type anywhere can only be evicted and
 * cleared. Names not declared in {@code tiercache.caches}
 * use {@code tiercache.defaults}, or are refused when {@code tiercache.allow-undeclared-caches}
 * is false: then start-up fails on the first caching method that names one.
 */
public class TierCacheCacheManager
    implements CacheManager, BeanFactoryAware, SmartInitializingSingleton, DisposableBean {

  private static final Logger LOG = LoggerFactory.getLogger(TierCacheCacheManager.class);

  private final TierCache tier;
  private final TiercacheProperties properties;
  private final Map<String, TierCacheSpringCache> caches = new ConcurrentHashMap<>();
  private final List<Consumer<String>> cacheListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService executor;
  private volatile ConfigurableListableBeanFactory beanFactory;
  private volatile CacheValueTypes valueTypes;

  /**
   * @param tier the caches, not null
   * @param properties the bound properties (value types, the undeclared-caches switch), not null
   */
  public TierCacheCacheManager(TierCache tier, TiercacheProperties properties) {
    this.tier = Objects.requireNonNull(tier, "tier must not be null");
    this.properties = Objects.requireNonNull(properties, "properties must not be null");
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "tiercache-spring-retrieve-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = Executors.newCachedThreadPool(factory);
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
    if (beanFactory instanceof ConfigurableListableBeanFactory listable) {
      this.beanFactory = listable;
    }
  }

  /** Calls {@code listener} with the name of every cache this manager makes from now on (metrics). */
  public void onNewCache(Consumer<String> listener) {
    cacheListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
  }

  /** The TierCache behind the caches. */
  public TierCache tierCache() {
    return tier;
  }

  /**
   * Reads the value types of the application's caching methods, checks them, and makes every
   * cache they name, so that a conflict or an undeclared cache fails start-up.
   */
  @Override
  public void afterSingletonsInstantiated() {
    CacheValueTypes types = valueTypes();
    for (Map.Entry<String, List<String>> e : types.cacheMethods().entrySet()) {
      try {
        getCache(e.getKey());
      } catch (RuntimeException ex) {
        throw new IllegalStateException(
            ex.getMessage() + " (named by " + e.getValue().get(0) + ")", ex);
      }
    }
  }

  private CacheValueTypes valueTypes() {
    CacheValueTypes types = valueTypes;
    if (types == null) {
      synchronized (this) {
        types = valueTypes;
        if (types == null) {
          Set<String> overridden = new LinkedHashSet<>();
          properties.getCaches().forEach((name, p) -> {
            if (p != null && p.getValueType() != null) {
              overridden.add(name);
            }
          });
          types = CacheValueTypes.scan(
              beanFactory != null ? beanFactory : new DefaultListableBeanFactory(), overridden);
          valueTypes = types;
        }
      }
    }
    return types;
  }

  @Override
  public org.springframework.cache.Cache getCache(String name) {
    Objects.requireNonNull(name, "name must not be null");
    TierCacheSpringCache cache = caches.get(name);
    if (cache != null) {
      return cache;
    }
    synchronized (caches) {
      cache = caches.get(name);
      if (cache == null) {
        cache = create(name);
        caches.put(name, cache);
        for (Consumer<String> listener : cacheListeners) {
          listener.accept(name);
        }
      }
    }
    return cache;
  }

  private TierCacheSpringCache create(String name) {
    TierCacheSpringCache cache = createView(name);
    if (cache.getNativeCache().spec().sharedKeys()) {
      throw new IllegalArgumentException(
          "cache '" + name + "' sets shared-keys: its keys would live outside "
              + "{prefix}:" + name
              + ":, where @CacheEvict(allEntries = true) and the caches endpoint cannot clear them; "
              + "a cache used through Spring's annotations keeps its own key space (remove tiercache.caches."
              + name
              + ".shared-keys)");
    }
    return cache;
  }

  private TierCacheSpringCache createView(String name) {
    boolean declared =
        tier.cacheNames().contains(name) || properties.getCaches().containsKey(name);
    if (!declared && !properties.isAllowUndeclaredCaches()) {
      throw new IllegalArgumentException(
          "cache '" + name + "' is not declared: add it under tiercache.caches ("
              + "tiercache.caches." + name
              + ".ttl=1h), or set tiercache.allow-undeclared-caches=true to give "
              + "undeclared caches tiercache.defaults");
    }
    TiercacheProperties.CacheProperties settings = properties.getCaches().get(name);
    Type type = null;
    if (settings != null && settings.getValueType() != null) {
      type = settings.getValueType();
    } else {
      CacheValueTypes.Source source = valueTypes().of(name);
      if (source != null) {
        type = source.type();
      }
    }
    if (type != null) {
      return new TierCacheSpringCache(nativeCache(name, type), executor, null);
    }
    try {
      // a value type declared in the builder (a customizer, a generated declareCaches)
      return new TierCacheSpringCache(tier.<String, Object>cache(name), executor, null);
    } catch (IllegalArgumentException e) {
      // no type anywhere: the cache can be evicted and cleared (the caches endpoint, @CacheEvict),
      // and refuses reads and writes with the property that would give it one
      LOG.debug("cache '{}' has no value type; it can be evicted and cleared only", name);
      String problem = "cache '" + name
          + "' has no value type: no @Cacheable or @CachePut method of a bean names "
          + "it; set tiercache.caches." + name + ".value-type to the class of its values";
      return new TierCacheSpringCache(nativeCache(name, String.class), executor, problem);
    }
  }

  private Cache<String, Object> nativeCache(String name, Type type) {
    try {
      TypeRef<Object> valueType = TypeRef.ofType(type);
      return tier.<String, Object>cache(name, valueType);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cache '" + name + "' with values of type " + type.getTypeName() + ": " + e.getMessage(),
          e);
    }
  }

  @Override
  public Collection<String> getCacheNames() {
    Set<String> names = new LinkedHashSet<>(caches.keySet());
    names.addAll(tier.cacheNames());
    return List.copyOf(new ArrayList<>(names));
  }

  /** Clears every cache this manager made, on every instance. */
  @Override
  public void resetCaches() {
    for (TierCacheSpringCache cache : caches.values()) {
      cache.clear();
    }
  }

  @Override
  public void destroy() {
    executor.shutdown();
  }
}
