package io.tiercache.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import io.tiercache.Cache;
import java.io.IOException;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 2: an L2 hit (L1 off) of a value whose JSON is about 1 KiB, through {@link Cache#get},
 * against a plain Lettuce sync {@code GET} of the same Redis key plus a Jackson {@code readValue}
 * of the same bytes (after the 2-byte frame header). Both build the key on every call; the raw
 * path adds the prefix itself. Target: at most 1.1 times the time per operation.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar L2HitBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Threads(1)
public class L2HitBenchmark extends RedisBenchmark {

  /** The implementations compared. */
  public enum Impl {
    /** {@code Cache.get(key, loader)} with L1 off, answered from Redis. */
    TIERCACHE,
    /** {@code sync.get(prefix + key)} and {@code reader.readValue(bytes, 2, length - 2)}. */
    LETTUCE
  }

  static final int KEYS = 1 << 8;

  @Param
  public Impl impl;

  private long[] ids;
  private Cache<String, ProjectInfo> cache;
  private ObjectReader reader;

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
    cache = startProjectCache(false, spec -> spec);
    connectRaw();
    reader = Fixtures.rawReader();
    for (long id : ids) {
      cache.put(Fixtures.key(id), ProjectInfo.sample(id));
    }
    byte[] frame = sync.get(Fixtures.PREFIX + ":" + Fixtures.key(ids[0]));
    if (frame == null || frame[1] != 0) {
      throw new IllegalStateException("expected an uncompressed JSON frame under the first key");
    }
  }

  @Benchmark
  public ProjectInfo hit(Cursor cursor) throws IOException {
    long id = ids[cursor.next()];
    if (impl == Impl.TIERCACHE) {
      return cache.get("project:" + id + ":info", Fixtures.MUST_HIT);
    }
    byte[] frame = sync.get("bench:project:" + id + ":info");
    return reader.readValue(frame, 2, frame.length - 2);
  }
}
