package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key invalidations one instance publishes while an append is in flight go out together in
 * the next append: fewer appends than writes under concurrent writers, and still every key
 * reaches the other instance. Off, every write is one append.
 */
class BatchedAppendsTest {

  @RegisterExtension
  static final RedisExtension server = new RedisExtension();

  static final int THREADS = 8;
  static final int WRITES = 300;

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance(boolean batching) {
    TierCache tier = TierCache.builder()
        .redisUri(server.uri())
        .keyPrefix("ba")
        .coherenceBatching(batching)
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .build();
    opened.add(tier);
    return tier;
  }

  @Test
  void theDefaultReadInterval_is0_1msPerLiveInstance_from1To20ms() {
    assertEquals(1_000_000L, Coherence.readIntervalNanosFor(0));
    assertEquals(1_000_000L, Coherence.readIntervalNanosFor(8));
    assertEquals(3_200_000L, Coherence.readIntervalNanosFor(32));
    assertEquals(10_000_000L, Coherence.readIntervalNanosFor(100));
    assertEquals(20_000_000L, Coherence.readIntervalNanosFor(1_000));
  }

  @ParameterizedTest(name = "batching: {0}")
  @ValueSource(booleans = {true, false})
  void concurrentWrites_shareAppends_andEveryKeyReachesTheOtherInstance(boolean batching)
      throws Exception {
    TierCache a = instance(batching);
    TierCache b = instance(batching);
    Cache<String, String> onA = a.cache("c");
    Cache<String, String> onB = b.cache("c");
    int keys = THREADS * WRITES;
    for (int i = 0; i < keys; i++) {
      onB.put("k" + i, "old"); // B's L1 holds every key
    }
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> writers = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      writers.add(pool.submit(() -> {
        for (int i = 0; i < WRITES; i++) {
          onA.put("k" + (thread * WRITES + i), "new");
        }
      }));
    }
    for (Future<?> writer : writers) {
      writer.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    await().atMost(CoherenceContract.BOUND.multipliedBy(5)).until(() -> {
      for (int i = 0; i < keys; i++) {
        if (!"new".equals(onB.getIfPresent("k" + i))) { // L1 evicted, then Redis answers
          return false;
        }
      }
      return true;
    });
    await().atMost(Duration.ofSeconds(2)).until(() -> a.coherenceStats().pendingPublishes() == 0);
    long appends = a.coherenceStats().sent();
    System.out.printf(
        "%d writes from %d threads, batching %s: %d appends%n", keys, THREADS, batching, appends);
    if (batching) {
      assertTrue(appends < keys, "fewer appends than writes: " + appends);
    } else {
      assertEquals(keys, appends, "one append per write");
    }
    assertEquals(0, b.coherenceStats().gapFlushes());
  }
}
