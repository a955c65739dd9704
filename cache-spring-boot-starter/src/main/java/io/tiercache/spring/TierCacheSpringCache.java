package io.tiercache.spring;

import io.tiercache.Cache;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.springframework.cache.support.SimpleValueWrapper;

/**
 * A Tiercache {@link Cache} as a Spring {@link org.springframework.cache.Cache}: L1 and Redis,
 * with coherence across instances. Keys go through {@link SpringKeys}.
 *
 * <ul>
 *   <li>{@link #get(Object)} is {@link Cache#getIfPresent}: a miss and a cached null both read as
 *       a miss, so a null result of a plain {@code @Cacheable} method is not cached ({@link #put}
 *       of null does nothing). {@code @Cacheable(sync = true)} goes through {@link #get(Object,
 *       Callable)}, Tiercache's single-flight {@link Cache#get}, which caches nulls for the
 *       cache's {@code null-ttl}.
 *   <li>{@link #retrieve(Object, Supplier)} is {@link Cache#getAsync}; {@link #retrieve(Object)}
 *       answers from L1 at once and reads Redis on the starter's executor otherwise.
 *   <li>{@link #evict} is {@link Cache#invalidate} and {@link #clear} {@link Cache#invalidateAll}:
 *       Redis, this instance's L1 and, through the invalidation stream, every other instance's.
 * </ul>
 */
public final class TierCacheSpringCache implements org.springframework.cache.Cache {

  private final String name;
  private final Cache<String, Object> cache;
  private final Executor executor;
  private final String untyped;

  /**
   * @param cache the Tiercache cache, not null
   * @param executor runs the Redis reads of {@link #retrieve(Object)}, not null
   * @param untyped null for a cache with a value type; else the message with which reads and
   *     writes are refused (eviction and clearing still work)
   */
  public TierCacheSpringCache(Cache<String, Object> cache, Executor executor, String untyped) {
    this.cache = Objects.requireNonNull(cache, "cache must not be null");
    this.executor = Objects.requireNonNull(executor, "executor must not be null");
    this.name = cache.name();
    this.untyped = untyped;
  }

  private Cache<String, Object> typed() {
    if (untyped != null) {
      throw new IllegalStateException(untyped);
    }
    return cache;
  }

  @Override
  public String getName() {
    return name;
  }

  /** The Tiercache {@link Cache}. */
  @Override
  public Cache<String, Object> getNativeCache() {
    return cache;
  }

  private String key(Object key) {
    return SpringKeys.of(name, key);
  }

  @Override
  public ValueWrapper get(Object key) {
    Object value = typed().getIfPresent(key(key));
    return value == null ? null : new SimpleValueWrapper(value);
  }

  @Override
  public <T> T get(Object key, Class<T> type) {
    Object value = typed().getIfPresent(key(key));
    if (value != null && type != null && !type.isInstance(value)) {
      throw new IllegalStateException(
          "cached value of cache '" + name + "' is not of required type [" + type.getName() + "]: "
              + value.getClass().getName());
    }
    @SuppressWarnings("unchecked")
    T result = (T) value;
    return result;
  }

  @Override
  public <T> T get(Object key, Callable<T> valueLoader) {
    Objects.requireNonNull(valueLoader, "valueLoader must not be null");
    @SuppressWarnings("unchecked")
    T value = (T) typed().get(key(key), k -> {
      try {
        return valueLoader.call();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new ValueRetrievalException(key, valueLoader, e);
      }
    });
    return value;
  }

  @Override
  public CompletableFuture<?> retrieve(Object key) {
    String k = key(key);
    Object inL1 = typed().getIfInL1(k);
    if (inL1 != null) {
      return CompletableFuture.completedFuture(inL1);
    }
    return CompletableFuture.supplyAsync(() -> cache.getIfPresent(k), executor);
  }

  @Override
  public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
    Objects.requireNonNull(valueLoader, "valueLoader must not be null");
    @SuppressWarnings("unchecked")
    CompletableFuture<T> future =
        (CompletableFuture<T>) typed().getAsync(key(key), k -> valueLoader.get());
    return future;
  }

  /** Stores the value; a null value is not stored (see the class comment). */
  @Override
  public void put(Object key, Object value) {
    String k = key(key);
    if (value != null) {
      typed().put(k, value);
    }
  }

  @Override
  public void evict(Object key) {
    cache.invalidate(key(key));
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  @Override
  public boolean invalidate() {
    cache.invalidateAll();
    return true;
  }

  @Override
  public String toString() {
    return "TierCacheSpringCache[" + name + "]";
  }
}
