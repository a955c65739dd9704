package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Strict coherence: an instance that cannot read the invalidation stream stops answering from
 * L1 within the bound, so that a partition of one instance serves no value older than the bound;
 * after the partition heals it catches up before L1 answers again.
 */
class StrictCoherenceTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final Duration BOUND = Duration.ofMillis(300);
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private TierCache instance(String uri, boolean strict) {
    return instance(uri, strict, CoherenceMode.STREAM);
  }

  private TierCache instance(String uri, boolean strict, CoherenceMode mode) {
    TierCacheBuilder builder = TierCache.builder()
        .redisUri(uri)
        .keyPrefix("s")
        .coherence(mode)
        .commandTimeout(Duration.ofMillis(100))
        .probeInterval(Duration.ofMillis(50))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)));
    TierCache tier = (strict ? builder.strictCoherence(BOUND) : builder).build();
    opened.add(0, tier);
    return tier;
  }

  /**
   * Partitions B for 1.5 s right after A changed a key B holds in L1. Without strict coherence B
   * answers the old value for the whole partition; with it, no read later than the bound does.
   */
  private List<String> readsDuringPartition(boolean strict, CoherenceMode mode) throws Exception {
    Blackhole link = new Blackhole(redis.port());
    opened.add(link);
    TierCache a = instance(redis.uri(), false, mode);
    TierCache b = instance(link.uri(), strict, mode);
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    ca.put("k", "old");
    await().atMost(Duration.ofSeconds(2)).until(() -> "old".equals(cb.get("k", k -> "loader")));
    link.partition(true);
    ca.put("k", "new");
    long changed = System.nanoTime();
    List<String> late = new ArrayList<>();
    while (System.nanoTime() - changed < 1_500_000_000L) {
      String seen = cb.get("k", k -> "loader");
      long age = System.nanoTime() - changed;
      if (age > BOUND.toNanos() + 50_000_000L && "old".equals(seen)) {
        late.add(age / 1_000_000 + " ms");
      }
      Thread.sleep(5);
    }
    link.partition(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> "new".equals(cb.get("k", k -> "loader")));
    return late;
  }

  @Test
  void strict_partitionedInstance_servesNothingOlderThanTheBound() throws Exception {
    List<String> late = readsDuringPartition(true, CoherenceMode.STREAM);
    assertTrue(late.isEmpty(), "stale reads past the bound: " + late);
  }

  /** With client tracking the changes come as pushes on the data connection, which is checked too. */
  @Test
  void strictTracking_partitionedInstance_servesNothingOlderThanTheBound() throws Exception {
    List<String> late = readsDuringPartition(true, CoherenceMode.TRACKING);
    assertTrue(late.isEmpty(), "stale reads past the bound: " + late);
  }

  @Test
  void notStrict_partitionedInstance_keepsAnsweringFromL1() throws Exception {
    List<String> late = readsDuringPartition(false, CoherenceMode.STREAM);
    assertFalse(late.isEmpty(), "without strict coherence L1 keeps answering during a partition");
  }

  /**
   * Without strict coherence a partitioned instance may answer from L1 during the partition; but
   * once Redis answers it again, it reads no old value, although its reader's connection is still
   * stuck for 2 s (as after a real partition, while TCP retransmissions back off).
   */
  @Test
  void afterAHeal_noOldValueIsReadFromL1_whileTheReaderCatchesUp() throws Exception {
    afterAHeal(CoherenceMode.STREAM);
  }

  /** The same with client tracking: the push of the change was held back with the connection. */
  @Test
  void tracking_afterAHeal_noOldValueIsReadFromL1() throws Exception {
    afterAHeal(CoherenceMode.TRACKING);
  }

  private void afterAHeal(CoherenceMode mode) throws Exception {
    Blackhole link = new Blackhole(redis.port());
    opened.add(link);
    TierCache a = instance(redis.uri(), false, mode);
    TierCache b = instance(link.uri(), false, mode);
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    ca.put("k", "old");
    await().atMost(Duration.ofSeconds(2)).until(() -> "old".equals(cb.get("k", k -> "loader")));
    link.partition(true);
    ca.put("k", "new");
    for (int i = 0; i < 5; i++) {
      cb.put("other" + i, "x"); // B's writes time out: its breaker opens
    }
    assertFalse(b.isRedisAvailable());
    link.healWithReadersStuckFor(2_000);
    await().atMost(Duration.ofSeconds(5)).until(b::isRedisAvailable);
    long healed = System.nanoTime();
    List<String> old = new ArrayList<>();
    while (System.nanoTime() - healed < 1_500_000_000L) {
      if ("old".equals(cb.get("k", k -> "loader"))) {
        old.add((System.nanoTime() - healed) / 1_000_000 + " ms");
      }
      Thread.sleep(5);
    }
    assertTrue(
        old.isEmpty(),
        old.size() + " reads of the old value from L1 after Redis answered again, from "
            + (old.isEmpty() ? "" : old.get(0)));
    await().atMost(Duration.ofSeconds(5)).until(() -> "new".equals(cb.get("k", k -> "loader")));
  }

  @Test
  void strict_l1AnswersWhileTheStreamIsRead() {
    l1Answers(CoherenceMode.STREAM);
  }

  @Test
  void strictTracking_l1AnswersWhileTheDataConnectionIsConfirmed() {
    l1Answers(CoherenceMode.TRACKING);
  }

  private void l1Answers(CoherenceMode mode) {
    TierCache a = instance(redis.uri(), true, mode);
    Cache<String, String> c = a.cache("c");
    c.put("k", "v");
    await().atMost(Duration.ofSeconds(2)).until(() -> {
      long before = c.stats().l1Hits();
      c.get("k", k -> "loader");
      return c.stats().l1Hits() > before;
    });
  }

  @Test
  void strictCoherence_outOfRange_isRefused() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> TierCache.builder().strictCoherence(Duration.ofMillis(5)));
    assertEquals("strictCoherence must be between 20 ms and 1 hour, was PT0.005S", e.getMessage());
  }
}
