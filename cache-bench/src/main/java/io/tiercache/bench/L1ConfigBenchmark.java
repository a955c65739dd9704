package io.tiercache.bench;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tiercache.CacheSpec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * The breakdown behind scenario 1, not a comparison with a target: a Caffeine hit in each of the
 * eight combinations of the three choices Tiercache's L1 once made ({@code LocalTier.CaffeineTier};
 * today it is the {@code async=false, variable=false, callerRuns=false} row): an async cache (its in-flight futures are the single-flight table), a variable {@link Expiry}
 * (so that cached nulls live shorter than values), and maintenance on the caller's thread. Same
 * keys, bounds and key building as {@link L1HitBenchmark}. The {@code async=false,
 * variable=false, callerRuns=false} row is that benchmark's {@code CAFFEINE} baseline plus a
 * removal listener: every variant has one, as L1 does (it counts evictions), and it runs only on
 * a removal, never on a hit.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar L1ConfigBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class L1ConfigBenchmark {

  static final int KEYS = L1HitBenchmark.KEYS;

  /** {@code buildAsync()} and reading the completed future, as L1 does. */
  @Param({"false", "true"})
  public boolean async;

  /** {@code expireAfter(Expiry)} instead of {@code expireAfterWrite}, same duration. */
  @Param({"false", "true"})
  public boolean variable;

  /** {@code executor(Runnable::run)}: maintenance on the caller's thread, not the common pool. */
  @Param({"false", "true"})
  public boolean callerRuns;

  private long[] ids;
  private Cache<String, Object> sync;
  private AsyncCache<String, Object> asyncCache;

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
    long nanos = CacheSpec.DEFAULT_L1_MAX_TTL.toNanos();
    Caffeine<Object, Object> builder =
        Caffeine.newBuilder().maximumSize(CacheSpec.DEFAULT_L1_MAX_SIZE);
    if (callerRuns) {
      builder.executor(Runnable::run);
    }
    Caffeine<String, Object> typed;
    if (variable) {
      typed = builder
          .expireAfter(new Expiry<String, Object>() {
            @Override
            public long expireAfterCreate(String key, Object value, long currentTime) {
              return nanos;
            }

            @Override
            public long expireAfterUpdate(
                String key, Object value, long currentTime, long currentDuration) {
              return nanos;
            }

            @Override
            public long expireAfterRead(
                String key, Object value, long currentTime, long currentDuration) {
              return currentDuration;
            }
          })
          .removalListener((key, value, cause) -> {});
    } else {
      typed = builder
          .expireAfterWrite(CacheSpec.DEFAULT_L1_MAX_TTL)
          .removalListener((key, value, cause) -> {});
    }
    if (async) {
      asyncCache = typed.buildAsync();
    } else {
      sync = typed.build();
    }
    for (long id : ids) {
      Object value = ProjectInfo.sample(id);
      if (async) {
        asyncCache.put(Fixtures.key(id), CompletableFuture.completedFuture(value));
      } else {
        sync.put(Fixtures.key(id), value);
      }
    }
  }

  @Benchmark
  public Object hit(Cursor cursor) {
    String key = "project:" + ids[cursor.next()] + ":info";
    if (async) {
      CompletableFuture<Object> future = asyncCache.getIfPresent(key);
      return future == null || !future.isDone() || future.isCompletedExceptionally()
          ? null
          : future.getNow(null);
    }
    return sync.getIfPresent(key);
  }
}
