package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** hottestKeys over a window: right from the first minute, against the exact counts. */
class HotKeysTest {

  private final MutableClock clock =
      new MutableClock(Instant.parse("2026-12-07T00:00:00Z"), ZoneOffset.UTC);
  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private Cache<String, String> cache(boolean window) {
    TierCache tier = TierCache.builder()
        .keyPrefix("hk")
        .clock(clock)
        .cache("c", s -> {
          s.valueType(String.class).l2(false).l1MaxSize(100_000);
          return window ? s.hotKeys(Duration.ofHours(1)) : s;
        })
        .build();
    opened.add(tier);
    return tier.cache("c", String.class);
  }

  /** A Zipf-like workload over 10,000 keys: key i read with weight 1 / i^1.1. */
  private static List<String> skewed(int reads, long seed) {
    int n = 10_000;
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1 / Math.pow(i + 1, 1.1);
      cumulative[i] = sum;
    }
    Random random = new Random(seed);
    List<String> out = new ArrayList<>(reads);
    for (int r = 0; r < reads; r++) {
      double x = random.nextDouble() * sum;
      int lo = 0;
      int hi = n - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cumulative[mid] < x) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      out.add("item:" + lo);
    }
    return out;
  }

  private static List<String> exactTop(List<String> reads, int limit) {
    Map<String, Integer> counts = new HashMap<>();
    reads.forEach(k -> counts.merge(k, 1, Integer::sum));
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .limit(limit)
        .map(Map.Entry::getKey)
        .toList();
  }

  @Test
  void inTheFirstMinute_theTopKeysAreTheMostRead_notTheLatestLoaded() {
    Cache<String, String> cache = cache(true);
    List<String> reads = skewed(100_000, 1);
    for (String key : reads) {
      cache.get(key, k -> "v");
    }
    List<String> exact = exactTop(reads, 20);
    List<String> hot = cache.hottestKeys(20);
    assertEquals(exact.subList(0, 10), hot.subList(0, 10), "the ten hottest, in order");
    Set<String> overlap = new HashSet<>(hot);
    overlap.retainAll(exact);
    assertTrue(
        overlap.size() >= 19,
        "of the top 20, " + overlap.size() + " agree: " + hot + " vs " + exact);
  }

  @Test
  void readsOlderThanTheWindow_noLongerCount() {
    Cache<String, String> cache = cache(true);
    for (int i = 0; i < 500; i++) {
      cache.get("old-favourite", k -> "v");
    }
    clock.advance(Duration.ofMinutes(30));
    for (int i = 0; i < 100; i++) {
      cache.get("new-favourite", k -> "v");
    }
    assertEquals(List.of("old-favourite", "new-favourite"), cache.hottestKeys(5));
    clock.advance(Duration.ofMinutes(35)); // the 500 reads are now 65 minutes old
    for (int i = 0; i < 10; i++) {
      cache.getIfPresent("third");
    }
    assertEquals(List.of("new-favourite", "third"), cache.hottestKeys(5));
    clock.advance(Duration.ofHours(2));
    assertEquals(List.of(), cache.hottestKeys(5));
  }

  @Test
  void l1HitsAndBulkReadsCount_likeFirstReads() {
    Cache<String, String> cache = cache(true);
    cache.get("a", k -> "v");
    for (int i = 0; i < 3; i++) {
      cache.getAll(List.of("b", "c"), ks -> {
        Map<String, String> m = new HashMap<>();
        ks.forEach(k -> m.put(k, "v"));
        return m;
      });
    }
    cache.getAsync("c", k -> CompletableFuture.completedFuture("v")).join();
    assertEquals(List.of("c", "b", "a"), cache.hottestKeys(3));
    assertEquals(List.of("c"), cache.hottestKeys(1));
    assertEquals(List.of(), cache.hottestKeys(0));
  }

  @Test
  void theWindowIsChecked() {
    CacheSpec.Builder spec = CacheSpec.builder();
    assertEquals(
        "hotKeys window must be between 1 second and 1 day, was PT0.5S",
        assertThrows(IllegalArgumentException.class, () -> spec.hotKeys(Duration.ofMillis(500)))
            .getMessage());
    assertEquals(
        "hotKeys window must be between 1 second and 1 day, was PT48H",
        assertThrows(IllegalArgumentException.class, () -> spec.hotKeys(Duration.ofDays(2)))
            .getMessage());
  }
}
