package io.tiercache.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.toolkit.BloomFilter;
import io.tiercache.toolkit.CounterSpec;
import io.tiercache.toolkit.Counters;
import io.tiercache.toolkit.Lock;
import io.tiercache.toolkit.Locks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The toolkit against raw Lettuce: a counter increment against {@code INCR} of the same key
 * (target: at most 1.1 times), and a lock acquire + release round trip against {@code SET NX PX}
 * + a compare-and-delete script (Tiercache's lock also takes a fencing token in the same script
 * and schedules lease renewal), and a Bloom filter check against a pipeline of the same number of
 * {@code GETBIT}s awaited together.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar ToolkitBenchmark
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
public class ToolkitBenchmark {

  /** The implementations compared. */
  public enum Impl {
    TIERCACHE,
    LETTUCE
  }

  private static final String RELEASE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

  @Param
  public Impl impl;

  private EmbeddedRedisServer redis;
  private TierCache tier;
  private Counters counters;
  private Counters expiringCounters;
  private Locks locks;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> raw;
  private RedisAsyncCommands<String, String> rawAsync;
  private BloomFilter bloom;
  private String[] items;
  private long[][] rawPositions;
  private int next;

  @Setup
  public void setUp() {
    redis = EmbeddedRedisServer.launch();
    // a loaded shared host may stall one command past the default 250 ms: that is not what is
    // measured
    tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix(Fixtures.PREFIX)
        .commandTimeout(Duration.ofSeconds(5))
        .defaults(d -> d.l2(false))
        .build();
    counters = tier.counters();
    expiringCounters = tier.toolkit().counters(CounterSpec.defaults().withTtl(Duration.ofHours(1)));
    locks = tier.locks();
    client = RedisClient.create(redis.uri());
    connection = client.connect();
    raw = connection.sync();
    rawAsync = connection.async();
    bloom = tier.toolkit().bloomFilters().get("bench", 100_000, 0.01);
    items = new String[1024];
    rawPositions = new long[items.length][bloom.hashes()];
    Random random = new Random(7);
    List<String> members = new ArrayList<>();
    for (int i = 0; i < items.length; i++) {
      items[i] = "user:" + random.nextInt(200_000); // about half of them added
      if (i % 2 == 0) {
        members.add(items[i]);
      }
      for (int j = 0; j < bloom.hashes(); j++) {
        rawPositions[i][j] = (long) (random.nextDouble() * bloom.bits());
      }
    }
    bloom.addAll(members);
    raw.setbit(Fixtures.PREFIX + ":raw:bloom", bloom.bits(), 1);
  }

  @Benchmark
  public boolean bloomMightContain() {
    int i = next++ & (items.length - 1);
    if (impl == Impl.TIERCACHE) {
      return bloom.mightContain(items[i]);
    }
    long[] positions = rawPositions[i];
    @SuppressWarnings("unchecked")
    RedisFuture<Long>[] bits = new RedisFuture[positions.length];
    for (int j = 0; j < positions.length; j++) {
      bits[j] = rawAsync.getbit(Fixtures.PREFIX + ":raw:bloom", positions[j]);
    }
    LettuceFutures.awaitAll(Duration.ofSeconds(1), bits);
    for (RedisFuture<Long> bit : bits) {
      if (bit.toCompletableFuture().getNow(0L) == 0) {
        return false;
      }
    }
    return true;
  }

  @Benchmark
  public long counterIncrement() {
    return impl == Impl.TIERCACHE
        ? counters.increment("likes")
        : raw.incr(Fixtures.PREFIX + ":raw:likes");
  }

  /** A counter with a TTL (set on creation) against the same plain {@code INCR}: the floor. */
  @Benchmark
  public long counterIncrementWithTtl() {
    return impl == Impl.TIERCACHE
        ? expiringCounters.increment("views")
        : raw.incr(Fixtures.PREFIX + ":raw:views");
  }

  @Benchmark
  public boolean lockAcquireRelease() {
    if (impl == Impl.TIERCACHE) {
      try (Lock lock = locks.acquire("job", Duration.ofSeconds(10), Duration.ofSeconds(1))) {
        return lock.isHeld();
      }
    }
    String owner = UUID.randomUUID().toString();
    String key = Fixtures.PREFIX + ":raw:lock:job";
    boolean acquired = "OK".equals(raw.set(key, owner, SetArgs.Builder.nx().px(10_000)));
    raw.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key}, owner);
    return acquired;
  }

  @TearDown
  public void tearDown() {
    connection.close();
    client.shutdown();
    tier.close();
    redis.close();
  }
}
