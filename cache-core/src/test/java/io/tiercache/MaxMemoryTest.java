package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis full under {@code noeviction}: every write is refused with OOM. A refused write must not
 * leave the older value readable, in Redis or in another instance's L1, and the state is named.
 */
class MaxMemoryTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final int KEYS = 200;
  private final List<TierCache> opened = new ArrayList<>();
  /** The system of record of the write-through and write-back caches. */
  private final Map<String, String> database = new ConcurrentHashMap<>();

  @AfterEach
  void closeAll() {
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory", "0");
      resp.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
    }
    opened.forEach(TierCache::close);
  }

  private TierCache instance() {
    CacheWriter<String, String> writer = database::put;
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("m")
        .commandTimeout(Duration.ofSeconds(2))
        .probeInterval(Duration.ofMillis(100)) // not a timeout test
        .cache("aside", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .cache(
            "through",
            s -> s.valueType(String.class).strategy(Strategy.WRITE_THROUGH).writer(writer))
        .cache(
            "back",
            s -> s.valueType(String.class)
                .strategy(Strategy.WRITE_BACK)
                .writer(writer)
                .writeBackInterval(Duration.ofMillis(50)))
        .build();
    opened.add(tier);
    return tier;
  }

  private static void fill() {
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory-policy", "noeviction");
      resp.command("CONFIG", "SET", "maxmemory", "1"); // below what is used: every write is refused
      Resp.RespError refused =
          Assertions.assertThrows(Resp.RespError.class, () -> resp.command("SET", "probe", "x"));
      assertTrue(refused.getMessage().startsWith("OOM"), refused.getMessage());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String raw(String key) {
    try (Resp resp = redis.connect()) {
      Object value = resp.command("GET", key);
      return value == null ? null : String.valueOf(value);
    }
  }

  @Test
  void refusedWrites_leaveNoOlderValueReadable_inRedisOrInAnotherInstancesL1() {
    TierCache a = instance();
    TierCache b = instance();
    for (String name : List.of("aside", "through", "back")) {
      Cache<String, String> ca = a.cache(name);
      Cache<String, String> cb = b.cache(name);
      for (int i = 0; i < KEYS; i++) {
        ca.put(name + ":" + i, "old");
      }
      ca.flush();
      for (int i = 0; i < KEYS; i++) {
        assertEquals("old", cb.get(name + ":" + i, k -> "loaded"), name + ":" + i);
      }
    }
    fill();
    for (String name : List.of("aside", "through", "back")) {
      Cache<String, String> ca = a.cache(name);
      for (int i = 0; i < KEYS; i++) {
        try {
          ca.put(name + ":" + i, "new");
        } catch (RedisUnavailableException refused) {
          // write-through says so: the writer has the value, Redis refused it
          assertEquals("through", name, refused.getMessage());
        }
      }
      ca.flush();
    }
    // one second after the writes (the bound), no read of B may return an old value; checked
    // after the second has passed, so that a slow check cannot hide a late eviction
    sleep(1_000);
    for (String name : List.of("aside", "through", "back")) {
      Cache<String, String> cb = b.cache(name);
      for (int i = 0; i < KEYS; i++) {
        String key = name + ":" + i;
        assertNotEquals("old", cb.get(key, k -> "loaded"), "instance B still reads the old " + key);
      }
      for (int i = 0; i < KEYS; i++) {
        String stored = raw("m:" + name + ":" + name + ":" + i);
        assertTrue(
            stored == null || !stored.contains("old"),
            "Redis still holds the old " + name + ":" + i);
      }
    }
    RedisHealth health = a.redisHealth();
    assertEquals(RedisHealth.Status.REFUSING_WRITES, health.status());
    assertTrue(health.detail().contains("maxmemory"), health.detail());
    assertEquals(RedisHealth.Status.UP, instanceWithoutWrites().redisHealth().status());
  }

  /** An instance that has not written since Redis filled up has not been refused anything yet. */
  private TierCache instanceWithoutWrites() {
    return instance();
  }

  @Test
  void anEvictionPolicyThatCanEvictTiercachesOwnKeys_isWarnedAbout() {
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    }
    String warning = ((DefaultTierCache) instance()).checkEvictionPolicy();
    assertTrue(
        warning != null && warning.contains("allkeys-lru") && warning.contains("volatile-lru"),
        warning);
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
    }
    assertNull(
        ((DefaultTierCache) instance()).checkEvictionPolicy(),
        "volatile-* evicts only keys with a TTL");
  }

  @Test
  void afterMemoryIsFreed_theWritesTakeEffectAgain() {
    TierCache a = instance();
    TierCache b = instance();
    Cache<String, String> ca = a.cache("aside");
    Cache<String, String> cb = b.cache("aside");
    ca.put("k", "old");
    assertEquals("old", cb.get("k", k -> "loaded"));
    fill();
    ca.put("k", "new");
    // the refused SET leaves the key deleted, not old (the delete follows at once, in the
    // background)
    await().atMost(Duration.ofSeconds(1)).until(() -> raw("m:aside:k") == null);
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory", "0");
    }
    ca.put("k", "newer");
    await().atMost(Duration.ofSeconds(1)).until(() -> "newer".equals(cb.get("k", k -> "loaded")));
  }
}
