package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each cache has its own key space in Redis by default, so a value written by one cache is never
 * returned by another; caches that opt in to shared keys share one; patterns, events and
 * namespaces reach every cache either way.
 */
class KeySpaceTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  record Profile(String name) {}

  private TierCache instance() {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("ks")
        .cache("names", s -> s.valueType(String.class))
        .cache("profiles", s -> s.valueType(Profile.class))
        .cache("info", s -> s.valueType(String.class).sharedKeys(true))
        .cache("stats", s -> s.valueType(String.class).sharedKeys(true))
        .event("user-changed", "user:{id}:*")
        .build();
    opened.add(tier);
    return tier;
  }

  private static Object raw(String command, String key) {
    try (Resp resp = redis.connect()) {
      return resp.command(command, key);
    }
  }

  @Test
  void twoCachesGivenOneKey_neverReadEachOthersValues() {
    TierCache a = instance();
    TierCache b = instance();
    a.<String, String>cache("names").put("user:1", "Ann");
    a.<String, Profile>cache("profiles").put("user:1", new Profile("Ann's profile"));
    assertEquals("Ann", b.<String, String>cache("names").get("user:1", k -> "loaded"));
    assertEquals(
        new Profile("Ann's profile"),
        b.<String, Profile>cache("profiles").get("user:1", k -> null));
    assertEquals(
        0,
        b.<String, Profile>cache("profiles").stats().decodeErrors(),
        "no value of another type was read");
    assertEquals(1L, raw("EXISTS", "ks:names:user:1"));
    assertEquals(1L, raw("EXISTS", "ks:profiles:user:1"));
    // a put in one cache leaves the other's value alone, here and on the other instance
    a.<String, String>cache("names").put("user:1", "Anna");
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> "Anna".equals(b.<String, String>cache("names").getIfPresent("user:1")));
    assertEquals(
        new Profile("Ann's profile"), b.<String, Profile>cache("profiles").getIfPresent("user:1"));
  }

  @Test
  void sharedKeys_optIn_keepsOneKeySpaceForTheCachesThatShareIt() {
    TierCache a = instance();
    TierCache b = instance();
    a.<String, String>cache("info").put("project:42:info", "from info");
    assertEquals("ks:project:42:info", ((List<?>) raw("KEYS", "ks:project:*")).get(0));
    assertEquals(
        "from info",
        b.<String, String>cache("stats").get("project:42:info", k -> "loaded"),
        "caches that share keys read one another's values, as seed 000's layout wants");
  }

  @Test
  void sharedKeyThatWouldBeAnotherCachesOwnKey_isRefused() {
    TierCache a = instance();
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> a.<String, String>cache("info").put("names:1", "x"));
    assertTrue(e.getMessage().contains("'names:'"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> a.<String, String>cache("info").get("profiles:9", k -> "x"));
  }

  @Test
  void patternsEventsAndTierInvalidate_reachEveryKeySpace_onEveryInstance() {
    TierCache a = instance();
    TierCache b = instance();
    for (String name : List.of("names", "info")) {
      a.<String, String>cache(name).put("user:1:name", name);
      a.<String, String>cache(name).put("user:2:name", name);
      a.<String, String>cache(name).put("doc:1", name);
      assertEquals(name, b.<String, String>cache(name).get("user:1:name", k -> "loaded"));
      assertEquals(name, b.<String, String>cache(name).get("doc:1", k -> "loaded"));
    }
    assertEquals(2, a.invalidatePattern("user:1:*"));
    a.events().publish("user-changed", Map.of("id", 2));
    a.invalidate("doc:1");
    for (String name : List.of("names", "info")) {
      Cache<String, String> theirs = b.cache(name);
      await()
          .atMost(Duration.ofSeconds(1))
          .until(() -> theirs.getIfPresent("user:1:name") == null
              && theirs.getIfPresent("user:2:name") == null
              && theirs.getIfPresent("doc:1") == null);
    }
    try (Resp resp = redis.connect()) {
      List<?> left = (List<?>) resp.command("KEYS", "ks:*");
      left.removeIf(key -> String.valueOf(key).startsWith("ks:__"));
      assertEquals(List.of(), left);
    }
  }

  @Test
  void invalidateAll_ofACacheWithItsOwnKeys_leavesTheOthersAlone() {
    TierCache a = instance();
    a.<String, String>cache("names").put("k", "name");
    a.<String, Profile>cache("profiles").put("k", new Profile("p"));
    a.<String, String>cache("names").invalidateAll();
    assertNull(raw("GET", "ks:names:k"));
    assertEquals(1L, raw("EXISTS", "ks:profiles:k"));
  }
}
