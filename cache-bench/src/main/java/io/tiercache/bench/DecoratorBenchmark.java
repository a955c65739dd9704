package io.tiercache.bench;

import io.tiercache.Cache;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
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
 * An L1 hit through the generated {@code CachedProjectService} against the call a user would
 * write by hand ({@code cache.get("project:" + id + ":info", k -> service.info(id))}). Both go
 * through the same {@link Cache}; the difference is the generated key builder ({@code
 * Keys.segment} of the id) and the decorator's delegation. Target: at most 1.1 times.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar DecoratorBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class DecoratorBenchmark {

  /** The implementations compared. */
  public enum Impl {
    /** The generated decorator. */
    DECORATOR,
    /** {@code cache.get(key, loader)} written by hand. */
    HAND_WRITTEN
  }

  static final int KEYS = 1 << 10;

  @Param
  public Impl impl;

  private long[] ids;
  private EmbeddedRedisServer redis;
  private TierCache tier;
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
    redis = EmbeddedRedisServer.launch();
    tier = Fixtures.tierCache(redis, "project-info", true);
    ProjectService upstream = id -> {
      throw new IllegalStateException("the benchmark expected a hit for project " + id);
    };
    ProjectService decorator = new CachedProjectService(upstream, tier);
    Cache<String, ProjectInfo> cache = tier.cache("project-info", ProjectInfo.class);
    for (long id : ids) {
      cache.put(Fixtures.key(id), ProjectInfo.sample(id));
    }
    reader = impl == Impl.DECORATOR
        ? decorator::info
        : id -> cache.get("project:" + id + ":info", k -> upstream.info(id));
  }

  @Benchmark
  public ProjectInfo hit(Cursor cursor) {
    return reader.apply(ids[cursor.next()]);
  }

  @TearDown
  public void tearDown() {
    tier.close();
    redis.close();
  }
}
