package io.tiercache.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import io.lettuce.core.RedisFuture;
import io.tiercache.Cache;
import io.tiercache.CacheStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * Scenario 2b: the L2 hit of {@link L2HitBenchmark} (L1 off, 1,004-byte JSON value) with 16
 * callers at once, as throughput. Tiercache's blocking {@link Cache#get} against a plain Lettuce
 * async {@code GET} on one shared connection, awaited, plus a Jackson {@code readValue} of the
 * same bytes. On both sides Lettuce pipelines the 16 threads' commands over its one connection.
 * Target: at least 0.9 times the raw throughput (a ratio Tiercache / raw in ops/s).
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar ParallelL2HitBenchmark
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
@Threads(ParallelL2HitBenchmark.CALLERS)
public class ParallelL2HitBenchmark extends RedisBenchmark {

  /** Threads calling at once. */
  static final int CALLERS = 16;

  /** The implementations compared. */
  public enum Impl {
    /** {@code Cache.get(key, loader)} with L1 off, answered from Redis. */
    TIERCACHE,
    /**
     * {@code async.get(prefix + key).get(1, SECONDS)} and {@code reader.readValue(bytes, 2, length -
     * 2)}: a timed wait, as Lettuce's own sync API does.
     */
    LETTUCE,
    /**
     * The same with an untimed {@code get()}, whose {@code CompletableFuture} spins before parking:
     * with 16 waiting threads on a few cores the spinning takes CPU from the I/O threads.
     */
    LETTUCE_UNTIMED,
    /** Lettuce's sync API on the same shared connection: {@code sync.get(prefix + key)}. */
    LETTUCE_SYNC
  }

  /**
   * Keys read, each caller picking one at random per call: with 16 callers, another caller is
   * reading the same key about once in a thousand calls. (An earlier version walked 256 keys
   * sequentially from a random start; callers that met on a key shared its read through the
   * single-flight table, finished together and stayed in step, and 77% of Tiercache's calls ended
   * up sharing another caller's {@code GET}: a measure of the sharing, not of the read path.)
   */
  static final int KEYS = 1 << 14;

  static final long WARM_UP_MILLIS = 4_000;

  @Param
  public Impl impl;

  private long[] ids;
  private Cache<String, ProjectInfo> cache;
  private ObjectReader reader;

  /** Each call reads a key picked at random. */
  @State(Scope.Thread)
  public static class Cursor {
    int next() {
      return ThreadLocalRandom.current().nextInt(KEYS);
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
    warmUp();
  }

  /**
   * Runs the measured path from 16 threads for {@link #WARM_UP_MILLIS} before JMH's own warm-up:
   * with 16 threads on two cores, throughput here kept climbing for about 5 s (the JIT competing
   * for the cores), longer than the suite's 3 warm-up iterations.
   */
  private void warmUp() {
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_UP_MILLIS);
    try {
      List<Future<?>> callers = new ArrayList<>();
      for (int t = 0; t < CALLERS; t++) {
        Cursor cursor = new Cursor();
        callers.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            hit(cursor);
          }
          return null;
        }));
      }
      for (Future<?> caller : callers) {
        caller.get();
      }
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("warm-up failed", e);
    } finally {
      pool.shutdownNow();
    }
  }

  @Benchmark
  public ProjectInfo hit(Cursor cursor)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    long id = ids[cursor.next()];
    if (impl == Impl.TIERCACHE) {
      return cache.get("project:" + id + ":info", Fixtures.MUST_HIT);
    }
    if (impl == Impl.LETTUCE_SYNC) {
      byte[] frame = sync.get("bench:project:" + id + ":info");
      return reader.readValue(frame, 2, frame.length - 2);
    }
    RedisFuture<byte[]> future = async.get("bench:project:" + id + ":info");
    byte[] frame = impl == Impl.LETTUCE ? future.get(1, TimeUnit.SECONDS) : future.get();
    if (frame == null) {
      throw new IllegalStateException("the benchmark expected a hit for project " + id);
    }
    return reader.readValue(frame, 2, frame.length - 2);
  }

  @TearDown
  public void report() {
    if (impl == Impl.TIERCACHE) {
      // Callers that ask for a key another caller is already reading share that read.
      CacheStats stats = cache.stats();
      System.out.printf(
          Locale.ROOT,
          "%nTiercache: %,d requests, %,d answered by their own GET, %,d by sharing "
              + "another caller's (%.1f%%)%n",
          stats.requests(),
          stats.l2Hits(),
          stats.requests() - stats.l2Hits(),
          100.0 * (stats.requests() - stats.l2Hits()) / stats.requests());
    }
  }
}
