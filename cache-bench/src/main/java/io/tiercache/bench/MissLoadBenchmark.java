package io.tiercache.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.lettuce.core.SetArgs;
import io.tiercache.Cache;
import io.tiercache.CacheSpec;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * Scenario 5: a miss that loads and writes L2 (L1 off). Every call asks for a key never seen
 * before; the loader returns a prebuilt 1,004-byte {@link ProjectInfo}. Tiercache's {@link
 * Cache#get} reads L2 first ({@code GET}, absent), calls the loader, encodes the value and stores
 * it with {@code SET NX PX}: two round trips. Compared with {@code LETTUCE}, the raw loader plus
 * Jackson {@code writeValueAsBytes} and a {@code SET PX} of the same framed bytes (one round trip:
 * the target, at most 1.2 times), and with {@code LETTUCE_GET_SET}, the same preceded by the
 * {@code GET} that any cache-aside read needs to learn it missed (the floor of a miss). {@code
 * TIERCACHE_WRITE_ASYNC} is Tiercache with {@link io.tiercache.CacheSpec.Builder#writeLoadedAsync}:
 * the caller returns after the {@code GET} and the loader, and the {@code SET NX PX} follows in the
 * background on the same connection.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar MissLoadBenchmark
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
public class MissLoadBenchmark extends RedisBenchmark {

  /** The implementations compared. */
  public enum Impl {
    /** {@code Cache.get(freshKey, loader)} with L1 off: GET (miss), load, SET NX PX. */
    TIERCACHE,
    /** The same with {@code writeLoadedAsync}: GET (miss), load; the SET NX PX is not waited for. */
    TIERCACHE_WRITE_ASYNC,
    /**
     * {@code TIERCACHE} with distributed load: one script reads the key or takes its lease, load,
     * one script writes the value (SET NX PX) and releases the lease: two round trips, as without.
     */
    TIERCACHE_DISTRIBUTED,
    /** load, encode, {@code SET key frame PX ttl}. */
    LETTUCE,
    /** {@code GET key} (miss), load, encode, {@code SET key frame PX ttl NX}. */
    LETTUCE_GET_SET,
    /**
     * The same with the {@code SET} sent through the async API and not waited for: what {@code
     * TIERCACHE_WRITE_ASYNC} does, by hand.
     */
    LETTUCE_GET_SET_ASYNC
  }

  private static final long TTL_MILLIS = CacheSpec.DEFAULT_TTL.toMillis();

  @Param
  public Impl impl;

  private final ProjectInfo value = ProjectInfo.sample(1_234_567_890L);
  private final Function<String, ProjectInfo> loader = key -> value;
  private final SetArgs px = SetArgs.Builder.px(TTL_MILLIS);
  private final SetArgs pxNx = SetArgs.Builder.px(TTL_MILLIS).nx();
  private long next = 1_000_000_000L;
  private Cache<String, ProjectInfo> cache;
  private ObjectWriter writer;

  @Setup
  public void setUp() throws JsonProcessingException {
    boolean writeAsync = impl == Impl.TIERCACHE_WRITE_ASYNC;
    boolean distributed = impl == Impl.TIERCACHE_DISTRIBUTED;
    cache = startProjectCache(
        false,
        spec -> distributed
            ? spec.distributedLoad(Duration.ofSeconds(5))
            : spec.writeLoadedAsync(writeAsync));
    connectRaw();
    writer = new ObjectMapper().writerFor(ProjectInfo.class);
    load(); // connections warm (and a write in the background done), then the commands of one
    // Tiercache miss
    awaitStored(Fixtures.PREFIX + ":" + Fixtures.key(next - 1));
    Map<String, Long> commands = new TreeMap<>(Fixtures.commandsDuring(redis, () -> {
      String key = Fixtures.key(next++);
      cache.get(key, loader);
      awaitStored(Fixtures.PREFIX + ":" + key); // a background write lands a round trip later
    }));
    commands.remove("xread"); // the L1 coherence reader, on its own connection
    commands.remove("exists"); // awaitStored's own
    // the instance's own background work: its heartbeat in the live set (every second), and
    // connections still being set up (the fallback channel's subscription)
    commands.keySet().removeAll(Fixtures.BACKGROUND);
    if (distributed) {
      // two scripts: the read that takes the lease (GETRANGE, SET NX), the write that gives it
      // back (SET NX, GET, DEL)
      if (!commands.equals(Map.of("eval", 2L, "getrange", 1L, "set", 2L, "get", 1L, "del", 1L))) {
        throw new IllegalStateException(
            "one Tiercache miss with distributed load sent " + commands
                + "; expected two scripts: GETRANGE + SET NX of the lease, SET NX of the value + its release");
      }
    } else if (!commands.equals(Map.of("getrange", 1L, "set", 1L))) {
      throw new IllegalStateException("one Tiercache miss sent " + commands
          + "; expected one bounded GET (GETRANGE) and one SET");
    }
    byte[] stored = sync.get(Fixtures.PREFIX + ":" + Fixtures.key(next - 1));
    if (stored == null || stored.length != frame(value).length) {
      throw new IllegalStateException("Tiercache did not store the same frame as the raw path");
    }
  }

  @Benchmark
  public ProjectInfo load() throws JsonProcessingException {
    String key = "project:" + next++ + ":info";
    if (impl == Impl.TIERCACHE
        || impl == Impl.TIERCACHE_WRITE_ASYNC
        || impl == Impl.TIERCACHE_DISTRIBUTED) {
      return cache.get(key, loader);
    }
    String redisKey = "bench:" + key;
    if (impl != Impl.LETTUCE && sync.get(redisKey) != null) {
      throw new IllegalStateException("the benchmark expected a miss for '" + key + "'");
    }
    ProjectInfo loaded = loader.apply(key);
    if (impl == Impl.LETTUCE_GET_SET_ASYNC) {
      async.set(redisKey, frame(loaded), pxNx);
    } else {
      sync.set(redisKey, frame(loaded), impl == Impl.LETTUCE ? px : pxNx);
    }
    return loaded;
  }

  private void awaitStored(String redisKey) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (sync.exists(redisKey) == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Tiercache did not write '" + redisKey + "' to Redis within 5 s");
      }
      Thread.onSpinWait();
    }
  }

  /** Tiercache's frame of an uncompressed JSON value: version 1, no flags, the JSON. */
  private byte[] frame(ProjectInfo loaded) throws JsonProcessingException {
    byte[] json = writer.writeValueAsBytes(loaded);
    byte[] frame = new byte[json.length + 2];
    frame[0] = 1;
    System.arraycopy(json, 0, frame, 2, json.length);
    return frame;
  }
}
