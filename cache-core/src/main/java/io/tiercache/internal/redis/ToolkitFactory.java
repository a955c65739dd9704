package io.tiercache.internal.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.toolkit.Toolkit;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * How {@code TierCache} creates its {@link Toolkit}, whose constructors are not public: users get
 * the toolkit from {@code TierCache.toolkit()} and never see the {@link RedisTier} it runs on. The
 * toolkit package hands its constructor to {@link #register} when {@code Toolkit} is initialised
 * (the JDK's "shared secrets" pattern), and {@link #create} initialises it first.
 */
public final class ToolkitFactory {

  /** The toolkit's constructor. */
  @FunctionalInterface
  public interface Maker {
    /**
     * A toolkit on {@code redis}; arguments as {@link ToolkitFactory#create} takes them.
     *
     * @param redis the Redis level
     * @param keyPrefix the key prefix
     * @param mapper the JSON mapper
     * @param scheduler runs batched counter flushes and lease renewals
     * @return the toolkit
     */
    Toolkit make(
        RedisTier redis, String keyPrefix, ObjectMapper mapper, ScheduledExecutorService scheduler);
  }

  private static volatile Maker maker;

  private ToolkitFactory() {}

  /**
   * Called once, by {@code Toolkit}'s static initialiser.
   *
   * @param constructor the toolkit's constructor, not null
   * @throws IllegalStateException if one is registered already
   */
  public static synchronized void register(Maker constructor) {
    Objects.requireNonNull(constructor, "constructor must not be null");
    if (maker != null) {
      throw new IllegalStateException("the toolkit's constructor is registered already");
    }
    maker = constructor;
  }

  /**
   * A toolkit sharing {@code redis}, the key prefix, the mapper and the scheduler with the caches.
   *
   * @param redis the Redis level, not null
   * @param keyPrefix the key prefix, not empty
   * @param mapper the JSON mapper for metadata, list items and hash values, not null
   * @param scheduler runs batched counter flushes and lease renewals, not null
   * @return the toolkit; its {@code close()} does not close {@code redis} or {@code scheduler}
   */
  public static Toolkit create(
      RedisTier redis, String keyPrefix, ObjectMapper mapper, ScheduledExecutorService scheduler) {
    Maker m = maker;
    if (m == null) {
      try {
        Class.forName(
            Toolkit.class.getName(),
            true,
            Toolkit.class.getClassLoader()); // runs its register call
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("the toolkit cannot be loaded", e);
      }
      m = maker;
    }
    return m.make(redis, keyPrefix, mapper, scheduler);
  }
}
