package io.tiercache.bench;

import com.fasterxml.jackson.databind.ObjectReader;
import io.lettuce.core.KeyValue;
import io.tiercache.Cache;
import io.tiercache.test.EmbeddedRedisServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 3: {@link Cache#getAll} of 100 keys, L1 off, all in L2, against a plain Lettuce sync
 * {@code MGET} of the same Redis keys plus a Jackson {@code readValue} of each value into a map.
 * Scores are per key ({@code @OperationsPerInvocation(100)}); multiply by 100 for one call. The
 * set-up checks that one {@code getAll} sends exactly one command, an {@code MGET}. Target: one
 * round trip and at most 1.2 times the time.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar GetAllBenchmark
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
public class GetAllBenchmark extends RedisBenchmark {

  /** The implementations compared. */
  public enum Impl {
    /** {@code Cache.getAll(keys, bulkLoader)} with L1 off, answered from Redis. */
    TIERCACHE,
    /** {@code sync.mget(prefixedKeys)} and {@code readValue} of each value into a map. */
    LETTUCE
  }

  /** Keys per call. */
  static final int BATCH = 100;
  /** Distinct batches, a power of two: the calls cycle through them. */
  static final int BATCHES = 1 << 4;

  @Param
  public Impl impl;

  private Cache<String, ProjectInfo> cache;
  private ObjectReader reader;
  private List<List<String>> keys;
  private String[][] redisKeys;

  /** Each thread walks the batches from its own starting point. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next = ThreadLocalRandom.current().nextInt(BATCHES);

    int next() {
      return next++ & (BATCHES - 1);
    }
  }

  @Setup
  public void setUp() {
    cache = startProjectCache(false, spec -> spec);
    connectRaw();
    reader = Fixtures.rawReader();
    long[] ids = Fixtures.ids(BATCH * BATCHES);
    keys = new ArrayList<>(BATCHES);
    redisKeys = new String[BATCHES][BATCH];
    for (int b = 0; b < BATCHES; b++) {
      List<String> batch = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        long id = ids[b * BATCH + i];
        batch.add(Fixtures.key(id));
        redisKeys[b][i] = Fixtures.PREFIX + ":" + Fixtures.key(id);
        cache.put(Fixtures.key(id), ProjectInfo.sample(id));
      }
      keys.add(List.copyOf(batch));
    }
    checkOneRoundTrip(redis, cache, keys.get(0));
  }

  /**
   * Fails unless one {@code getAll} of {@code batch} sends exactly one Redis command, the bounded
   * multi-read script, and returns every key. Commands of the background L1 coherence reader, which has its
   * own connection, are left out.
   *
   * @return the commands seen, for the report
   */
  static Map<String, Long> checkOneRoundTrip(
      EmbeddedRedisServer redis, Cache<String, ProjectInfo> cache, List<String> batch) {
    int[] found = new int[1];
    Map<String, Long> commands = new TreeMap<>(Fixtures.commandsDuring(
        redis, () -> found[0] = cache.getAll(batch, Fixtures.MUST_HIT_ALL).size()));
    // The L1 coherence reader and the heartbeat run on their own: not part of the call.
    commands.keySet().removeAll(Fixtures.BACKGROUND);
    // one script, whose GETRANGE per key (the bounded read) Redis counts as commands of their own
    if (found[0] != batch.size()
        || !commands.equals(Map.of("eval", 1L, "getrange", (long) batch.size()))) {
      throw new IllegalStateException(
          "getAll of " + batch.size() + " keys found " + found[0] + " and sent " + commands
              + " to Redis; expected all of them from one bounded multi-read script");
    }
    return commands;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Map<String, ProjectInfo> getAll(Cursor cursor) throws IOException {
    int b = cursor.next();
    if (impl == Impl.TIERCACHE) {
      return cache.getAll(keys.get(b), Fixtures.MUST_HIT_ALL);
    }
    List<String> batch = keys.get(b);
    List<KeyValue<String, byte[]>> values = sync.mget(redisKeys[b]);
    Map<String, ProjectInfo> result = new HashMap<>(2 * BATCH);
    for (int i = 0; i < BATCH; i++) {
      KeyValue<String, byte[]> kv = values.get(i);
      if (kv.hasValue()) {
        byte[] frame = kv.getValue();
        result.put(batch.get(i), reader.readValue(frame, 2, frame.length - 2));
      }
    }
    if (result.size() != BATCH) {
      throw new IllegalStateException("the benchmark expected hits for all " + BATCH + " keys");
    }
    return result;
  }
}
