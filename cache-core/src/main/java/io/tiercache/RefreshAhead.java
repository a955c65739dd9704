package io.tiercache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.lettuce.core.SetArgs;
import io.tiercache.internal.redis.RedisTier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refresh-ahead for one typed view: a bounded registry of recently read keys (with the loader
 * that read them, by {@code get}, {@code getAsync} or {@code getAll}), reloaded in the background every {@code refreshAfter}, before they expire.
 *
 * <p>The registry is a Caffeine cache bounded by {@code refreshMaxKeys} whose entries expire
 * after {@code refreshAfter × refreshIdlePeriods} without a read, so keys read once drop out.
 * Across instances, a key is reloaded by the instance that wins a lease in Redis ({@code SET NX
 * PX}, 90% of the period); the others see the coherence message and read the new value from
 * Redis. With XFetch on, a read may also reload its key early, with probability growing as the
 * expiry nears and with the last load's duration.
 *
 * <p>Timing follows the builder's clock: the registry's idle expiry reads {@link ClockTicker#of}
 * and entry expiry its wall time. With the system clock a pass runs every {@code refreshAfter} on
 * the scheduler, as a fixed-rate task; with any other clock (a test's) the scheduler looks at the
 * clock every {@link #CLOCK_POLL_MILLIS} ms and starts a pass once the clock has moved a whole
 * period since the last one ({@link #tick}), so a test moves refresh-ahead by setting its clock.
 */
final class RefreshAhead<K, V> implements Refresher<K, V> {

  @Override
  public boolean enabled() {
    return true;
  }

  private static final Logger log = LoggerFactory.getLogger(RefreshAhead.class);

  /** How often a clock other than the system clock is looked at for a pass that is due. */
  static final long CLOCK_POLL_MILLIS = 10;

  /** What is known of one registered key: the loader that read it, blocking or asynchronous. */
  static final class Entry<K, V> {
    final K key;
    private final Function<? super K, ? extends V> loader;
    private final Function<? super K, ? extends CompletableFuture<? extends V>> asyncLoader;
    final AtomicBoolean running = new AtomicBoolean();
    volatile long loadNanos;
    volatile long expiresAtMillis;

    Entry(
        K key,
        Function<? super K, ? extends V> loader,
        Function<? super K, ? extends CompletableFuture<? extends V>> asyncLoader) {
      this.key = key;
      this.loader = loader;
      this.asyncLoader = asyncLoader;
    }

    /**
     * Loads the key again. Runs on the refresh executor, so the future of an asynchronous loader
     * is joined here; its failure is thrown as it is, not wrapped.
     */
    V load() {
      if (loader != null) {
        return loader.apply(key);
      }
      CompletableFuture<? extends V> loading = asyncLoader.apply(key);
      if (loading == null) {
        throw new NullPointerException("loader returned a null future");
      }
      try {
        return loading.join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException runtime) {
          throw runtime;
        }
        if (cause instanceof Error error) {
          throw error;
        }
        throw e;
      }
    }
  }

  /** Reloads one key now; true if a new value was stored. */
  interface Reloader<K, V> {
    boolean reload(String k, Entry<K, V> entry);
  }

  private final String cacheName;
  private final CacheSpec spec;
  private final com.github.benmanes.caffeine.cache.Cache<String, Entry<K, V>> registry;
  private final Reloader<K, V> reloader;
  private final RedisTier redis;
  private final String leasePrefix;
  private final byte[] owner;
  private final Executor executor;
  private final Clock clock;
  private final Ticker ticker;
  private final long periodNanos;
  /** When the next pass is due, on {@link #ticker}; only read with a clock other than the system clock. */
  private long nextPassNanos;

  private final ScheduledFuture<?> task;
  private final AtomicBoolean cycleRunning = new AtomicBoolean();

  /**
   * @param clock the builder's clock: the system clock schedules a pass every period; another
   *     clock is polled, and a pass starts when it has moved a period ({@link #tick})
   */
  RefreshAhead(
      String cacheName,
      CacheSpec spec,
      Reloader<K, V> reloader,
      RedisTier redis,
      String keyPrefix,
      String instanceId,
      ScheduledExecutorService scheduler,
      Executor executor,
      Clock clock) {
    this.cacheName = cacheName;
    this.spec = spec;
    this.reloader = reloader;
    this.redis = redis;
    this.leasePrefix = ReservedKeys.refreshLeases(keyPrefix, cacheName);
    this.owner = instanceId.getBytes(StandardCharsets.UTF_8);
    this.executor = executor;
    this.clock = clock;
    this.ticker = ClockTicker.of(clock);
    Duration period = spec.refreshAfter();
    this.periodNanos = period.toNanos();
    this.registry = Caffeine.newBuilder()
        .maximumSize(spec.refreshMaxKeys())
        .expireAfterAccess(period.multipliedBy(spec.refreshIdlePeriods()))
        .ticker(ticker) // for the system clock, Caffeine's default
        .build();
    if (ClockTicker.isSystem(clock)) {
      long millis = period.toMillis();
      this.task = scheduler.scheduleAtFixedRate(
          () -> executor.execute(this::cycle), millis, millis, TimeUnit.MILLISECONDS);
    } else {
      this.nextPassNanos = ticker.read() + periodNanos;
      this.task = scheduler.scheduleWithFixedDelay(
          this::tick, CLOCK_POLL_MILLIS, CLOCK_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * With a clock other than the system clock: starts a pass on the refresh executor if the clock
   * has reached the next pass's time and no pass runs, and then makes the next one due a period
   * later (a clock moved several periods at once gives one pass, not one per period). Returns
   * whether a pass was started.
   */
  synchronized boolean tick() {
    long now = ticker.read();
    if (now - nextPassNanos < 0 || cycleRunning.get()) {
      return false;
    }
    nextPassNanos = now + periodNanos;
    executor.execute(this::cycle);
    return true;
  }

  /** Records a read of {@code k} with the loader that can reload it ({@code get}, {@code getAll}). */
  @Override
  public void touch(String k, K key, Function<? super K, ? extends V> loader) {
    touched(k, registry.get(k, ignored -> new Entry<>(key, loader, null)));
  }

  /**
   * Records a read of {@code k} through {@code getAsync}: its reloads call {@code loader} and wait
   * for its future on the refresh executor. A key already registered keeps its first loader.
   */
  @Override
  public void touchAsync(
      String k, K key, Function<? super K, ? extends CompletableFuture<? extends V>> loader) {
    touched(k, registry.get(k, ignored -> new Entry<>(key, null, loader)));
  }

  private void touched(String k, Entry<K, V> entry) {
    double beta = spec.earlyRefreshBeta();
    if (beta > 0 && entry.expiresAtMillis > 0) {
      // XFetch: now - delta * beta * ln(rand) >= expiry, with ln(rand) <= 0.
      double early =
          entry.loadNanos / 1e6 * beta * -Math.log(ThreadLocalRandom.current().nextDouble());
      if (clock.millis() + early >= entry.expiresAtMillis) {
        executor.execute(() -> refresh(k, entry));
      }
    }
  }

  /**
   * Records a read of {@code k} that has no loader ({@code getIfPresent}): a key already
   * registered stays registered, one that is not is left out.
   */
  @Override
  public void keepRegistered(String k) {
    registry.getIfPresent(k);
  }

  /** Records a load or refresh of {@code k}: its duration and when its entry expires. */
  @Override
  public void loaded(String k, long loadNanos, long ttlMillis) {
    // quietly: a reload is not a read, or a key read once would be refreshed for good
    Entry<K, V> entry = registry.policy().getIfPresentQuietly(k);
    if (entry != null) {
      entry.loadNanos = loadNanos;
      entry.expiresAtMillis = clock.millis() + ttlMillis;
    }
  }

  /** Keys currently refreshed. */
  @Override
  public long size() {
    registry.cleanUp();
    return registry.estimatedSize();
  }

  /** One pass over the registry; skipped if the previous pass still runs. */
  void cycle() {
    if (!cycleRunning.compareAndSet(false, true)) {
      return;
    }
    long start = System.nanoTime();
    int reloaded = 0;
    int failed = 0;
    int elsewhere = 0;
    try {
      List<Map.Entry<String, Entry<K, V>>> keys =
          new ArrayList<>(registry.asMap().entrySet());
      for (Map.Entry<String, Entry<K, V>> e : keys) {
        switch (refresh(e.getKey(), e.getValue())) {
          case RELOADED -> reloaded++;
          case FAILED -> failed++;
          case ELSEWHERE -> elsewhere++;
          default -> {}
        }
      }
      if (!keys.isEmpty()) {
        log.info(
            "cache '{}': refresh done, {} reloaded, {} failed (old values kept), {} left to other instances, "
                + "{} ms",
            cacheName,
            reloaded,
            failed,
            elsewhere,
            (System.nanoTime() - start) / 1_000_000);
      }
    } catch (RuntimeException e) {
      log.error("cache '{}': refresh cycle failed", cacheName, e);
    } finally {
      cycleRunning.set(false);
    }
  }

  enum Outcome {
    RELOADED,
    FAILED,
    ELSEWHERE,
    BUSY
  }

  private Outcome refresh(String k, Entry<K, V> entry) {
    if (!entry.running.compareAndSet(false, true)) {
      return Outcome.BUSY;
    }
    try {
      if (!lease(k)) {
        return Outcome.ELSEWHERE;
      }
      return reloader.reload(k, entry) ? Outcome.RELOADED : Outcome.FAILED;
    } finally {
      entry.running.set(false);
    }
  }

  /** One instance per key and period: a lease of 90% of the period. Without Redis, always ours. */
  private boolean lease(String k) {
    if (redis == null || !redis.available()) {
      return true;
    }
    long px = Math.max(1, spec.refreshAfter().toMillis() * 9 / 10);
    try {
      return "OK"
          .equals(redis.call(
              "SET NX (refresh lease)",
              c -> c.set(leasePrefix + k, owner, SetArgs.Builder.px(px).nx())));
    } catch (RedisUnavailableException e) {
      return true; // Redis just failed: refresh this instance's L1 rather than let it expire
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
