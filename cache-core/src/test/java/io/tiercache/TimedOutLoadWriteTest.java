package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A loaded value's {@code SET NX} that timed out on a stalled link is not lost: the link delivers
 * it later, after the key changed and after the window of recent loads that would undo it. A
 * compare-and-delete of the value goes behind it on the same connection; without it, Redis would
 * keep the old value until its TTL.
 */
@Tag("fault")
class TimedOutLoadWriteTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private TierCache instance(String uri) {
    TierCache tier = TierCache.builder()
        .redisUri(uri)
        .keyPrefix("tl")
        .commandTimeout(Duration.ofMillis(200))
        .probeInterval(Duration.ofMillis(100))
        .loadRaceWindow(Duration.ofMillis(100)) // the stall below outlasts it
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .build();
    opened.add(0, tier);
    return tier;
  }

  private static String inRedis() {
    try (Resp resp = Resp.connect(redis.port())) {
      return String.valueOf(resp.command("GET", "tl:c:k"));
    }
  }

  @Test
  void aLoadedWriteThatTimedOut_andLandsAfterAChange_isUndone() throws Exception {
    Blackhole link = new Blackhole(redis.port());
    opened.add(link);
    AtomicReference<String> store = new AtomicReference<>("old");
    TierCache stalledTier = instance(link.uri());
    Cache<String, String> stalled = stalledTier.cache("c");
    Cache<String, String> writer = instance(redis.uri()).cache("c");
    link.partition(true);
    assertEquals("old", stalled.get("k", k -> store.get())); // the read and the SET NX time out
    store.set("new");
    writer.invalidate("k"); // cache-aside: the store changed, Redis has nothing to delete yet
    Thread.sleep(400); // past the window of recent loads: their undo cannot catch this one
    link.partition(false); // the held-back SET NX of "old" reaches Redis now
    await().atMost(Duration.ofSeconds(5)).until(stalledTier::isRedisAvailable);
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> !inRedis().contains("old")); // Redis must not keep the value loaded before
    Thread.sleep(300);
    assertFalse(inRedis().contains("old"), "the old value came back");
    assertEquals(
        "new", instance(redis.uri()).<String, String>cache("c").get("k", k -> store.get()));
  }

  /** A newer value another instance put is not touched by the undo: it compares. */
  @Test
  void theUndo_leavesANewerPutAlone() throws Exception {
    Blackhole link = new Blackhole(redis.port());
    opened.add(link);
    TierCache stalledTier = instance(link.uri());
    Cache<String, String> stalled = stalledTier.cache("c");
    Cache<String, String> writer = instance(redis.uri()).cache("c");
    link.partition(true);
    assertEquals("loaded", stalled.get("k", k -> "loaded")); // its SET NX times out
    writer.put("k", "put");
    Thread.sleep(400);
    link.partition(false);
    await().atMost(Duration.ofSeconds(5)).until(stalledTier::isRedisAvailable);
    Thread.sleep(1_000); // the undo has been answered by now
    assertEquals(true, inRedis().contains("put"), "the newer put stays: " + inRedis());
  }
}
