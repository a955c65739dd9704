package io.tiercache.bench;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.tiercache.Cache;
import io.tiercache.CacheSpec;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 1: an L1 hit through {@link Cache#get} against a hand-written Caffeine cache-aside.
 * Both build the key the way an application does ({@code "project:" + id + ":info"}) on every
 * call, and both caches have the same bounds: {@link CacheSpec#DEFAULT_L1_MAX_SIZE} entries and
 * an expiry of {@link CacheSpec#DEFAULT_L1_MAX_TTL} after write. Tiercache runs with L1 and L2 on;
 * every key is in L1, so Redis is never asked. Target: at most 1.3 times the time per operation,
 * and no more bytes allocated per operation. {@link Impl#CAFFEINE_AS_L1} breaks the difference
 * down; {@link BenchSuite} leaves it out.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar L1HitBenchmark -p impl=TIERCACHE,CAFFEINE -t 1 -prof gc
 * java -jar cache-bench/target/benchmarks.jar L1HitBenchmark -p impl=TIERCACHE,CAFFEINE -t 2 -prof gc
 * java -jar cache-bench/target/benchmarks.jar L1HitBenchmark -t 2 -f 2    # with the breakdown
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class L1HitBenchmark {

  /** The implementations compared. */
  public enum Impl {
    /** {@code Cache.get(key, loader)} answered from L1. */
    TIERCACHE,
    /** {@code caffeine.getIfPresent(key)}, falling back to the loader and {@code put}. */
    CAFFEINE,
    /**
     * Not part of the comparison, for the breakdown: the Caffeine cache Tiercache builds for L1
     * (async, {@code expireAfterWrite}, as {@code LocalTier} configures it) read directly, without
     * Tiercache's key checks, deadline check and counters.
     */
    CAFFEINE_AS_L1
  }

  /** Keys in the cache; a power of two, so a cursor wraps with a mask. */
  static final int KEYS = 1 << 10;

  @Param
  public Impl impl;

  private long[] ids;
  private EmbeddedRedisServer redis;
  private TierCache tier;
  private Cache<String, ProjectInfo> cache;
  private com.github.benmanes.caffeine.cache.Cache<String, ProjectInfo> caffeine;
  private AsyncCache<String, Object> asyncCaffeine;
  private LongFunction<ProjectInfo> reader;

  /** Each thread walks the keys from its own starting point. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next = ThreadLocalRandom.current().nextInt(KEYS);

    int next() {
      return next++ & (KEYS - 1);
    }
  }

  @Setup
  public void setUp() {
    ids = Fixtures.ids(KEYS);
    // Both variants run with the same processes and threads around them; each measures only its own.
    redis = EmbeddedRedisServer.launch();
    tier = Fixtures.tierCache(redis, "project-info", true);
    cache = tier.cache("project-info", ProjectInfo.class);
    caffeine = Caffeine.newBuilder()
        .maximumSize(CacheSpec.DEFAULT_L1_MAX_SIZE)
        .expireAfterWrite(CacheSpec.DEFAULT_L1_MAX_TTL)
        .build();
    asyncCaffeine = Caffeine.newBuilder()
        .maximumSize(CacheSpec.DEFAULT_L1_MAX_SIZE)
        .expireAfterWrite(CacheSpec.DEFAULT_L1_MAX_TTL)
        .removalListener((String key, Object value, RemovalCause cause) -> { })
        .buildAsync();
    for (long id : ids) {
      ProjectInfo value = ProjectInfo.sample(id);
      cache.get(Fixtures.key(id), key -> value);
      caffeine.put(Fixtures.key(id), value);
      asyncCaffeine.put(Fixtures.key(id), CompletableFuture.completedFuture(value));
    }
    switch (impl) {
      case TIERCACHE:
        reader = this::tiercache;
        break;
      case CAFFEINE:
        reader = this::caffeineAside;
        break;
      default:
        reader = this::caffeineAsL1;
        break;
    }
  }

  @Benchmark
  public ProjectInfo hit(Cursor cursor) {
    return reader.apply(ids[cursor.next()]);
  }

  private ProjectInfo tiercache(long id) {
    return cache.get("project:" + id + ":info", Fixtures.MUST_HIT);
  }

  private ProjectInfo caffeineAside(long id) {
    String key = "project:" + id + ":info";
    ProjectInfo value = caffeine.getIfPresent(key);
    if (value == null) {
      value = Fixtures.MUST_HIT.apply(key);
      caffeine.put(key, value);
    }
    return value;
  }

  private ProjectInfo caffeineAsL1(long id) {
    String key = "project:" + id + ":info";
    CompletableFuture<Object> future = asyncCaffeine.getIfPresent(key);
    if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
      return Fixtures.MUST_HIT.apply(key);
    }
    return (ProjectInfo) future.getNow(null);
  }

  @TearDown
  public void tearDown() {
    tier.close();
    redis.close();
  }
}
