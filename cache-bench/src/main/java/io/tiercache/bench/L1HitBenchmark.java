package io.tiercache.bench;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.tiercache.Cache;
import io.tiercache.CacheSpec;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 1: an L1 hit through the generated decorator ({@code CachedProjectService}, from
 * {@link ProjectService}'s {@code @Cached}) and through {@link Cache#get} written by hand, against
 * a hand-written Caffeine cache-aside. All build the key the way an application does ({@code
 * "project:" + id + ":info"}) on every call, and both caches have the same bounds: {@link
 * CacheSpec#DEFAULT_L1_MAX_SIZE} entries and an expiry of {@link CacheSpec#DEFAULT_L1_MAX_TTL}
 * after write. Tiercache runs with L1 and L2 on; every key is in L1, so Redis is never asked.
 * Target: at most 1.3 times the time per operation, and no more bytes allocated per operation.
 * The decorator is also compared with {@code HAND_WRITTEN_GET}, the same {@code Cache.get} written
 * by hand (target: at most 1.1 times).
 *
 * <p>The {@code _KEY_HELD} variants look up keys built beforehand, so that what they allocate is
 * the cache's own doing only: with a key built per call, whether the JIT removes the key's {@code
 * String} object (scalar replacement) depends on how much of the hit path it inlines into the
 * caller, which is not the same for every call shape (see docs/benchmarks.md).
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar L1HitBenchmark -p impl=DECORATOR,CAFFEINE -t 1 -prof gc
 * java -jar cache-bench/target/benchmarks.jar L1HitBenchmark -p impl=DECORATOR,CAFFEINE -t 2 -prof gc
 * java -jar cache-bench/target/benchmarks.jar L1HitBenchmark -p impl=TIERCACHE_KEY_HELD,CAFFEINE_KEY_HELD -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class L1HitBenchmark extends RedisBenchmark {

  /** The implementations compared. */
  public enum Impl {
    /** The generated {@code CachedProjectService.info(id)}: key builder, then {@code Cache.get}. */
    DECORATOR,
    /** {@code Cache.get("project:" + id + ":info", loader)} written by hand, a constant loader. */
    TIERCACHE,
    /**
     * {@code Cache.get("project:" + id + ":info", k -> service.info(id))}: the call a user writes
     * by hand, whose loader lambda captures the id; compared with {@link #DECORATOR}.
     */
    HAND_WRITTEN_GET,
    /** {@code caffeine.getIfPresent(key)}, falling back to the loader and {@code put}. */
    CAFFEINE,
    /** {@code Cache.get(key, loader)} with a key built beforehand. */
    TIERCACHE_KEY_HELD,
    /** {@code caffeine.getIfPresent(key)} with a key built beforehand. */
    CAFFEINE_KEY_HELD
  }

  /** Keys in the cache; a power of two, so a cursor wraps with a mask. */
  static final int KEYS = 1 << 10;

  @Param
  public Impl impl;

  private long[] ids;
  private String[] keys;
  private Cache<String, ProjectInfo> cache;
  private com.github.benmanes.caffeine.cache.Cache<String, ProjectInfo> caffeine;
  private IntFunction<ProjectInfo> reader;

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
    keys = new String[KEYS];
    // Every variant runs with the same processes and threads around it; each measures only its own.
    cache = startProjectCache(true, spec -> spec);
    ProjectService upstream = id -> {
      throw new IllegalStateException("the benchmark expected a hit for project " + id);
    };
    ProjectService decorator = new CachedProjectService(upstream, tier);
    caffeine = Caffeine.newBuilder()
        .maximumSize(CacheSpec.DEFAULT_L1_MAX_SIZE)
        .expireAfterWrite(CacheSpec.DEFAULT_L1_MAX_TTL)
        .build();
    for (int i = 0; i < KEYS; i++) {
      ProjectInfo value = ProjectInfo.sample(ids[i]);
      keys[i] = Fixtures.key(ids[i]);
      // Filled through the read path, as an application fills it: a miss, then hits.
      cache.get(keys[i], key -> value);
      caffeineAside(keys[i], value);
    }
    switch (impl) {
      case DECORATOR -> reader = i -> decorator.info(ids[i]);
      case TIERCACHE -> reader = i -> cache.get("project:" + ids[i] + ":info", Fixtures.MUST_HIT);
      case HAND_WRITTEN_GET ->
        reader = i -> {
          long id = ids[i];
          return cache.get("project:" + id + ":info", k -> upstream.info(id));
        };
      case CAFFEINE -> reader = i -> caffeineAside("project:" + ids[i] + ":info", null);
      case TIERCACHE_KEY_HELD -> reader = i -> cache.get(keys[i], Fixtures.MUST_HIT);
      default -> reader = i -> caffeineAside(keys[i], null);
    }
  }

  @Benchmark
  public ProjectInfo hit(Cursor cursor) {
    return reader.apply(cursor.next());
  }

  /** The hand-written cache-aside; {@code loaded} is what a miss stores (null: a miss fails). */
  private ProjectInfo caffeineAside(String key, ProjectInfo loaded) {
    ProjectInfo value = caffeine.getIfPresent(key);
    if (value == null) {
      value = loaded != null ? loaded : Fixtures.MUST_HIT.apply(key);
      caffeine.put(key, value);
    }
    return value;
  }
}
