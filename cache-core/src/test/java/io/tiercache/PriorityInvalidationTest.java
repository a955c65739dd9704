package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** High-priority invalidations are acknowledged by every live instance; mass invalidations are paced. */
class PriorityInvalidationTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance(String prefix, UnaryOperator<TierCacheBuilder> more) {
    TierCache tier = more.apply(TierCache.builder()
            .redisUri(redis.uri())
            .keyPrefix(prefix)
            .cache(
                "c", s -> s.valueType(String.class).sharedKeys(true).ttl(Duration.ofMinutes(10))))
        .build();
    opened.add(tier);
    return tier;
  }

  private static String id(TierCache tier) {
    return tier.coherenceStats().instanceId();
  }

  /** Waits until every instance's heartbeat is in Redis (it is sent at start, then every second). */
  private static void awaitLive(String prefix, int instances) {
    try (Resp resp = redis.connect()) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> (Long) resp.command("ZCARD", prefix + ":__tc:{inval}:live") == instances);
    }
  }

  @Test
  void invalidateAndWait_returnsOnceEveryLiveInstanceEvictedIt() {
    TierCache a = instance("pa", b -> b);
    TierCache b = instance("pa", x -> x);
    TierCache c = instance("pa", x -> x);
    awaitLive("pa", 3);
    for (TierCache t : List.of(a, b, c)) {
      assertEquals("v", t.cache("c", String.class).get("user:1", k -> "v"));
    }
    assertEquals("v", b.cache("c", String.class).getIfInL1("user:1"));

    InvalidationAck ack = a.invalidateAndWait("user:1", Duration.ofSeconds(5));
    assertTrue(ack.complete(), ack.toString());
    assertEquals(Set.of(id(b), id(c)), ack.acknowledged());
    assertTrue(ack.missing().isEmpty());
    // no polling: when the call returns, the others' L1 no longer holds the key
    assertNull(b.cache("c", String.class).getIfInL1("user:1"));
    assertNull(c.cache("c", String.class).getIfInL1("user:1"));
    assertNull(a.cache("c", String.class).getIfInL1("user:1"));
    try (Resp resp = redis.connect()) {
      assertEquals(0L, resp.command("EXISTS", "pa:user:1"));
    }
  }

  @Test
  void anInstanceThatDoesNotAnswer_isNamed_andTheWaitIsBounded() {
    TierCache a = instance("pb", x -> x);
    TierCache b = instance("pb", x -> x);
    awaitLive("pb", 2);
    try (Resp resp = redis.connect()) {
      // an instance whose heartbeat is current but whose reader is stuck
      resp.command(
          "ZADD",
          "pb:__tc:{inval}:live",
          String.valueOf(System.currentTimeMillis() + 60_000),
          "stuck");
    }
    long start = System.nanoTime();
    InvalidationAck ack = a.invalidateAndWait("user:2", Duration.ofMillis(300));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertFalse(ack.complete());
    assertEquals(Set.of("stuck"), ack.missing());
    assertEquals(Set.of(id(b)), ack.acknowledged());
    assertTrue(
        tookMillis >= 300 && tookMillis < 5_000, "bounded by the timeout: " + tookMillis + " ms");
  }

  @Test
  void aClosedInstance_leavesTheLiveSet_andIsNotWaitedFor() {
    TierCache a = instance("pc", x -> x);
    TierCache b = instance("pc", x -> x);
    awaitLive("pc", 2);
    b.close();
    opened.remove(b);
    InvalidationAck ack = a.invalidateAndWait("user:3", Duration.ofSeconds(2));
    assertTrue(ack.complete(), ack.toString());
    assertTrue(ack.acknowledged().isEmpty());
  }

  @Test
  void withoutRedis_orWithoutCoherence_itIsAnInvalidate_completeAtOnce() {
    TierCache local =
        TierCache.builder().cache("c", s -> s.valueType(String.class).l2(false)).build();
    opened.add(local);
    local.cache("c", String.class).put("k", "v");
    assertTrue(local.invalidateAndWait("k", Duration.ofSeconds(1)).complete());
    assertNull(local.cache("c", String.class).getIfInL1("k"));
    assertThrows(
        IllegalArgumentException.class, () -> local.invalidateAndWait("k", Duration.ofMinutes(2)));
    assertThrows(IllegalArgumentException.class, () -> local.invalidateAndWait("k", Duration.ZERO));
    assertThrows(NullPointerException.class, () -> local.invalidateAndWait("k", null));
    assertThrows(
        IllegalArgumentException.class, () -> local.invalidateAndWait("", Duration.ofSeconds(1)));
  }

  @Test
  void redisDown_theAnswerIsIncomplete_andTheDeleteIsRemembered() throws Exception {
    TierCache a = instance(
        "pd", x -> x.commandTimeout(Duration.ofMillis(200)).probeInterval(Duration.ofMillis(100)));
    a.cache("c", String.class).put("user:4", "v");
    redis.server().stop();
    try {
      InvalidationAck ack = a.invalidateAndWait("user:4", Duration.ofSeconds(1));
      assertFalse(ack.complete());
      assertNull(a.cache("c", String.class).getIfInL1("user:4"));
    } finally {
      redis.server().start();
    }
    try (Resp resp = redis.connect()) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> resp.command("EXISTS", "pd:user:4").equals(0L));
    }
  }

  @Test
  void aMassInvalidation_isPaced_toItsRate() {
    TierCache a = instance("pe", x -> x.massInvalidationRate(5_000));
    try (Resp resp = redis.connect()) {
      List<String> args = new ArrayList<>(List.of("MSET"));
      for (int i = 0; i < 5_000; i++) {
        args.add("pe:bulk:" + i);
        args.add("x");
      }
      resp.command(args.toArray(new String[0]));
    }
    long start = System.nanoTime();
    assertEquals(5_000, a.invalidatePattern("bulk:*"));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    // 5,000 keys at 5,000 per second, plus the SCAN pages: at least most of a second
    assertTrue(tookMillis >= 800, "paced: " + tookMillis + " ms");
    assertThrows(
        IllegalArgumentException.class, () -> TierCache.builder().massInvalidationRate(10));
  }

  @Test
  void aHighPriorityInvalidation_isAnsweredWhileAMassInvalidationRuns() throws Exception {
    TierCache a = instance("pf", x -> x.massInvalidationRate(5_000));
    TierCache b = instance("pf", x -> x);
    awaitLive("pf", 2);
    try (Resp resp = redis.connect()) {
      List<String> args = new ArrayList<>(List.of("MSET"));
      for (int i = 0; i < 10_000; i++) {
        args.add("pf:bulk:" + i);
        args.add("x");
      }
      resp.command(args.toArray(new String[0]));
    }
    assertEquals("v", b.cache("c", String.class).get("user:9", k -> "v"));
    CompletableFuture<Long> mass =
        CompletableFuture.supplyAsync(() -> a.invalidatePattern("bulk:*"));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      try (Resp resp = redis.connect()) {
        return (Long) resp.command("EXISTS", "pf:bulk:0") == 0
            || (Long) resp.command("DBSIZE") < 10_000;
      }
    });
    InvalidationAck ack = a.invalidateAndWait("user:9", Duration.ofSeconds(1));
    assertFalse(mass.isDone(), "the mass invalidation (about 2 s) is still running");
    assertTrue(ack.complete(), ack.toString());
    assertNull(b.cache("c", String.class).getIfInL1("user:9"));
    assertEquals(10_000, mass.get());
  }
}
