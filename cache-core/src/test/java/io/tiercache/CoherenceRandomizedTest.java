package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Three instances, concurrent readers and writers on 1,000 keys for about 20 s. Every read is
 * checked against the history of acknowledged writes: no read may return a version older than
 * the last one acknowledged more than {@link #BOUND} before the read started.
 */
@Tag("long")
class CoherenceRandomizedTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  static final Duration BOUND = CoherenceContract.BOUND;
  static final int KEYS = 1_000;
  static final Duration RUN = Duration.ofSeconds(20);

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  /**
   * Once with loaded values written before the reader returns, once written in the background
   * ({@link CacheSpec.Builder#writeLoadedAsync}), where an invalidation can overtake the write;
   * and the second with client tracking announcing the keys ({@link CoherenceMode#TRACKING}),
   * whose pushes come right behind the replies.
   */
  @ParameterizedTest(name = "{0}, writeLoadedAsync={1}")
  @CsvSource({"STREAM, false", "STREAM, true", "TRACKING, true"})
  void readsNeverLagAcknowledgedWritesByMoreThanTheBound(
      CoherenceMode mode, boolean writeLoadedAsync) throws Exception {
    run("one server", b -> b.redisUri(redis.uri()), mode, writeLoadedAsync, RUN, opened);
  }

  /**
   * The randomized run: 3 instances connected by {@code connect}, 3 writers and 6 readers for
   * {@code run}; every instance built is added to {@code opened}, for the caller to close.
   */
  static void run(
      String where,
      UnaryOperator<TierCacheBuilder> connect,
      CoherenceMode mode,
      boolean writeLoadedAsync,
      Duration run,
      List<TierCache> opened)
      throws Exception {
    Map<Integer, Long> truth = new ConcurrentHashMap<>();
    List<NavigableMap<Long, Long>> acked = new ArrayList<>();
    Object[] locks = new Object[KEYS];
    for (int i = 0; i < KEYS; i++) {
      truth.put(i, 0L);
      NavigableMap<Long, Long> history = new ConcurrentSkipListMap<>();
      history.put(0L, 0L);
      acked.add(history);
      locks[i] = new Object();
    }
    List<Cache<Integer, Long>> caches = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TierCache tier = connect
          .apply(TierCache.builder())
          .keyPrefix("rnd")
          .coherence(mode)
          .commandTimeout(Duration.ofSeconds(1))
          .cache(
              "v",
              s -> s.valueType(Long.class)
                  .ttl(Duration.ofMinutes(10))
                  .writeLoadedAsync(writeLoadedAsync))
          .build();
      opened.add(tier);
      caches.add(tier.cache("v"));
    }
    long end = System.nanoTime() + run.toNanos();
    AtomicLong reads = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    List<String> violations = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(9);
    List<Future<?>> tasks = new ArrayList<>();
    for (int t = 0; t < 9; t++) {
      int thread = t;
      Cache<Integer, Long> cache = caches.get(t % 3);
      tasks.add(pool.submit(() -> {
        Random random = new Random(thread);
        while (System.nanoTime() < end) {
          int key =
              (int) Math.min(KEYS - 1, Math.abs(random.nextGaussian()) * KEYS / 6); // hot keys
          if (thread < 3) { // writers, one per instance
            synchronized (locks[key]) {
              long version = truth.merge(key, 1L, Long::sum);
              if (random.nextBoolean()) {
                cache.put(key, version);
              } else {
                cache.invalidate(key); // the store already changed: cache-aside
              }
              acked.get(key).put(System.nanoTime(), version);
            }
            writes.incrementAndGet();
            sleep(random.nextInt(3));
          } else {
            long start = System.nanoTime();
            long value = cache.get(key, truth::get);
            Map.Entry<Long, Long> due = acked.get(key).floorEntry(start - BOUND.toNanos());
            if (due != null && value < due.getValue()) {
              violations.add(
                  "key " + key + " read " + value + " but " + due.getValue() + " was acknowledged "
                      + (start - due.getKey()) / 1_000_000 + " ms before the read");
            }
            reads.incrementAndGet();
          }
        }
      }));
    }
    for (Future<?> task : tasks) {
      task.get(run.toSeconds() + 30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertTrue(
        reads.get() > 10_000 && writes.get() > 1_000, "reads " + reads + ", writes " + writes);
    assertEquals(
        List.of(),
        violations.subList(0, Math.min(10, violations.size())),
        violations.size() + " stale reads out of " + reads);
    CoherenceStats stats = opened.get(opened.size() - 3).coherenceStats();
    System.out.printf(
        "randomized coherence run (%s, writeLoadedAsync=%s, %s): %d reads, %d writes; instance 0 received %d messages "
            + "and %d pushes, lag p50 %d us, p99 %d us, gap flushes %d%n",
        mode,
        writeLoadedAsync,
        where,
        reads.get(),
        writes.get(),
        stats.received(),
        stats.trackingInvalidations(),
        stats.lagP50Micros(),
        stats.lagP99Micros(),
        stats.gapFlushes());
    assertEquals(0, stats.gapFlushes());
  }

  @Test
  void patternOver100000Keys_deletesExactlyTheMatchingOnes() {
    try (TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("big")
        .cache("c", s -> s.valueType(String.class))
        .build()) {
      try (Resp resp = redis.connect()) {
        resp.command(
            "EVAL",
            "for i = 0, 99999 do redis.call('SET', 'big:project:' .. i .. ':info', 'x') end "
                + "redis.call('SET', 'big:project:1%2A:info', 'star') redis.call('SET', 'big:project:1%3F:info', 'q') "
                + "redis.call('SET', 'big:project:%5B1%5D:info', 'b') return 1",
            "0");
        assertEquals(100_003, ((List<?>) resp.command("KEYS", "big:project:*")).size());
      }
      // Values with glob characters are segments: each matches only itself.
      assertEquals(1, tier.invalidatePattern("project:" + Keys.segment("1*") + ":*"));
      assertEquals(1, tier.invalidatePattern("project:" + Keys.segment("1?") + ":*"));
      assertEquals(1, tier.invalidatePattern("project:" + Keys.segment("[1]") + ":*"));
      // A real glob: ids 10000..19999.
      assertEquals(10_000, tier.invalidatePattern("project:1????:*"));
      try (Resp resp = redis.connect()) {
        assertEquals(90_000L + coherenceKeys(resp), resp.command("DBSIZE"));
        assertEquals(1L, resp.command("EXISTS", "big:project:1000:info"));
        assertEquals(0L, resp.command("EXISTS", "big:project:10000:info"));
        assertEquals(1L, resp.command("EXISTS", "big:project:100:info"));
      }
    }
  }

  private static long coherenceKeys(Resp resp) {
    return ((List<?>) resp.command("KEYS", "big:__tc:*")).size();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
