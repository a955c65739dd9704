package io.tiercache.bench;

import io.tiercache.Cache;
import io.tiercache.CacheWriter;
import io.tiercache.Strategy;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import java.util.concurrent.ConcurrentHashMap;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 6: {@link Cache#put} on 100 hot keys with {@link Strategy#WRITE_BACK} against the same
 * {@code put} with {@link Strategy#WRITE_THROUGH}, as throughput. Both caches have L1 and L2 on
 * (defaults otherwise) and the same cheap writer, a {@link ConcurrentHashMap#put}, so the
 * difference is what the caller waits for: write-through writes the writer and Redis ({@code SET
 * PX}) before returning; write-back encodes the value, queues it (writes to one key coalesce) and
 * returns, while a background flusher sends each second's coalesced batch to the writer and
 * Redis. Target: write-back at least 10 times the throughput of write-through.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar WriteBackBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Threads(1)
public class WriteBackBenchmark {

  /** The strategies compared. */
  public enum Impl {
    WRITE_BACK,
    WRITE_THROUGH
  }

  /** Hot keys; the calls cycle through them. */
  static final int KEYS = 100;

  @Param
  public Impl impl;

  private final ConcurrentHashMap<String, ProjectInfo> store = new ConcurrentHashMap<>();
  private String[] keys;
  private ProjectInfo[] values;
  private EmbeddedRedisServer redis;
  private TierCache tier;
  private Cache<String, ProjectInfo> cache;

  /** Each thread walks the keys from its own starting point. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next = ThreadLocalRandom.current().nextInt(KEYS);

    int next() {
      int i = next;
      next = i + 1 == KEYS ? 0 : i + 1;
      return i;
    }
  }

  @Setup
  public void setUp() {
    long[] ids = Fixtures.ids(KEYS);
    keys = new String[KEYS];
    values = new ProjectInfo[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = Fixtures.key(ids[i]);
      values[i] = ProjectInfo.sample(ids[i]);
    }
    CacheWriter<String, ProjectInfo> writer = store::put;
    Strategy strategy = impl == Impl.WRITE_BACK ? Strategy.WRITE_BACK : Strategy.WRITE_THROUGH;
    redis = EmbeddedRedisServer.launch();
    tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix(Fixtures.PREFIX)
        .cache(
            "project-info",
            c -> c.valueType(ProjectInfo.class).strategy(strategy).writer(writer))
        .build();
    cache = tier.cache("project-info", ProjectInfo.class);
  }

  @Benchmark
  public ProjectInfo put(Cursor cursor) {
    int i = cursor.next();
    cache.put(keys[i], values[i]);
    return values[i];
  }

  @TearDown
  public void tearDown() {
    tier.flush();
    if (store.size() != KEYS) {
      throw new IllegalStateException(
          "the writer holds " + store.size() + " keys after the run, expected " + KEYS);
    }
    tier.close();
    redis.close();
  }
}
