package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import io.tiercache.toolkit.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two applications on one Redis: nothing one does under its prefix reads, deletes or announces a
 * key of the other, whether the prefixes could nest ({@code app}, {@code app:v2}: refused) or are
 * siblings ({@code app}, {@code app.v2}, {@code app2}, {@code ap}).
 */
class PrefixIsolationTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache app(String prefix) {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix(prefix)
        .cache("c", s -> s.valueType(String.class))
        .event("changed", "item:{id}:*")
        .build();
    opened.add(tier);
    return tier;
  }

  @Test
  void prefixThatCouldNest_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TierCache.builder().keyPrefix("app:v2"));
    assertTrue(e.getMessage().contains("no ':'"), e.getMessage());
  }

  @Test
  void everyInvalidationAndTheToolkit_stayUnderTheirOwnPrefix() {
    TierCache app = app("app");
    List<TierCache> others = List.of(app("app.v2"), app("app2"), app("ap"), app("app-"));
    for (TierCache tier :
        List.of(app, others.get(0), others.get(1), others.get(2), others.get(3))) {
      Cache<String, String> c = tier.cache("c");
      c.put("item:1:info", tier.keyPrefix());
      c.put("v2:item:1:info", tier.keyPrefix());
      tier.<Long, String>cache("c").get(7L, k -> "typed"); // a key in the cache's own key space
      tier.toolkit().counters().increment("visits");
      try (Lock lock =
          tier.toolkit().locks().acquire("job", Duration.ofSeconds(5), Duration.ofSeconds(1))) {
        assertTrue(lock.fencingToken() > 0);
      }
      tier.namespace("ns").bump();
    }
    // the set-up's invalidation messages go out asynchronously: wait until they have all landed
    TreeSet<String> before = otherKeys(others);
    for (int i = 0; i < 50; i++) {
      sleep(100);
      TreeSet<String> again = otherKeys(others);
      if (again.equals(before)) {
        break;
      }
      before = again;
    }

    Cache<String, String> c = app.cache("c");
    app.invalidatePattern("*");
    app.invalidatePattern("*:*");
    app.invalidate("item:1:info");
    c.invalidateAll();
    app.events().publish("changed", Map.of("id", 1));
    app.namespace("ns").bump();
    app.toolkit().counters().delete("visits");

    assertEquals(before, otherKeys(others), "a key of another prefix was deleted or changed");
    for (TierCache other : others) {
      Cache<String, String> theirs = other.cache("c");
      assertEquals(other.keyPrefix(), theirs.getIfPresent("item:1:info"));
      assertEquals(other.keyPrefix(), theirs.getIfPresent("v2:item:1:info"));
      assertEquals(1, other.toolkit().counters().get("visits"));
      try (Lock lock =
          other.toolkit().locks().acquire("job", Duration.ofSeconds(5), Duration.ofSeconds(1))) {
        assertTrue(
            lock.fencingToken() >= 2,
            "the fencing counter of '" + other.keyPrefix() + "' went back");
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every key, with its value's digest, that does not belong to the prefix {@code app}. */
  private static TreeSet<String> otherKeys(List<TierCache> others) {
    TreeSet<String> keys = new TreeSet<>();
    try (Resp resp = redis.connect()) {
      for (Object key : (List<?>) resp.command("KEYS", "*")) {
        String name = String.valueOf(key);
        if (!name.startsWith("app:")) {
          keys.add(name + "=" + resp.command("DEBUG", "DIGEST-VALUE", name));
        }
      }
    }
    assertTrue(keys.size() > 4 * 3, "expected the other prefixes' keys, got " + keys);
    return keys;
  }
}
