package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A cache with a Bloom guard answers a key the guard never saw as absent, without Redis or the
 * loader, on every read path; put adds its key; Redis down opens the guard.
 */
class BloomGuardTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance() {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("bg")
        .commandTimeout(Duration.ofMillis(300))
        .cache("users", s -> s.valueType(String.class).bloomGuard(10_000, 0.001))
        .build();
    opened.add(tier);
    return tier;
  }

  private String load(Long id) {
    loads.incrementAndGet();
    return "user " + id;
  }

  @Test
  void bloomGuard_withoutARate_isOnePercent_asTheAnnotationAttributeGivesIt() {
    CacheSpec spec = CacheSpec.defaults().toBuilder()
        .valueType(String.class)
        .bloomGuard(1_000)
        .build();
    assertEquals(1_000, spec.bloomGuardInsertions());
    assertEquals(CacheSpec.DEFAULT_BLOOM_GUARD_RATE, spec.bloomGuardRate());
    assertThrows(
        IllegalArgumentException.class, () -> CacheSpec.defaults().toBuilder().bloomGuard(0));
  }

  @Test
  void aKeyTheGuardNeverSaw_isAbsent_withoutRedisOrTheLoader_onEveryReadPath() {
    TierCache tier = instance();
    Cache<Long, String> users = tier.cache("users", String.class);
    assertEquals(
        100,
        users
            .bloomGuard()
            .orElseThrow()
            .rebuild(LongStream.rangeClosed(1, 100).boxed().iterator()));

    assertNull(users.get(404L, this::load));
    assertEquals(0, loads.get(), "the loader was not called for an id that does not exist");
    assertEquals("user 7", users.get(7L, this::load));
    assertEquals(1, loads.get());

    assertNull(
        users.getAsync(405L, id -> CompletableFuture.completedFuture(load(id))).join());
    assertEquals(
        "user 8",
        users.getAsync(8L, id -> CompletableFuture.completedFuture(load(id))).join());
    assertEquals(2, loads.get());

    List<Set<Long>> asked = new ArrayList<>();
    Map<Long, String> all = users.getAll(List.of(7L, 9L, 406L, 10L), ids -> {
      asked.add(Set.copyOf(ids));
      Map<Long, String> found = new HashMap<>();
      ids.forEach(id -> found.put(id, load(id)));
      return found;
    });
    assertEquals(Map.of(7L, "user 7", 9L, "user 9", 10L, "user 10"), all);
    assertEquals(
        List.of(Set.of(9L, 10L)), asked, "406 never reached the bulk loader, 7 came from L1");

    CacheStats stats = users.stats();
    assertEquals(3, users.bloomGuard().orElseThrow().stats().rejected());
    assertTrue(stats.misses() >= 3, stats.toString());
    try (Resp resp = redis.connect()) {
      assertEquals(0L, resp.command("EXISTS", "bg:users:404"));
      assertEquals(1L, resp.command("EXISTS", "bg:users:7"));
    }
  }

  @Test
  void put_addsItsKey_soAnotherInstanceReadsIt() {
    TierCache a = instance();
    TierCache b = instance();
    Cache<Long, String> onA = a.cache("users", String.class);
    Cache<Long, String> onB = b.cache("users", String.class);
    onA.bloomGuard().orElseThrow().rebuild(List.of(1L).iterator());
    assertNull(onB.get(500L, this::load));
    onA.put(500L, "new user 500");
    assertEquals("new user 500", onB.get(500L, this::load));
    assertEquals(0, loads.get());
    assertTrue(onB.bloomGuard().orElseThrow().mightContain(500L));
  }

  @Test
  void redisDown_theGuardFailsOpen_readsGoOnToTheLoader() {
    TierCache tier = instance();
    Cache<Long, String> users = tier.cache("users", String.class);
    users.bloomGuard().orElseThrow().rebuild(List.of(1L, 2L).iterator());
    assertNull(users.get(777L, this::load));
    redis.stop();
    try {
      assertEquals(
          "user 777",
          users.get(777L, this::load),
          "the guard does not reject while it cannot read");
      assertTrue(users.bloomGuard().orElseThrow().stats().failedOpen() >= 1);
    } finally {
      redis.restart();
    }
  }

  @Test
  void spec_refusesBadGuardsByName() {
    CacheSpec.Builder spec = CacheSpec.builder();
    assertEquals(
        "bloomGuard's expectedKeys must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> spec.bloomGuard(0, 0.01))
            .getMessage());
    assertEquals(
        "bloomGuard's falsePositiveRate must be strictly between 0 and 1, was 0.0",
        assertThrows(IllegalArgumentException.class, () -> spec.bloomGuard(10, 0))
            .getMessage());
    assertEquals(
        "bloomGuard needs L2: the guard is a bitmap in Redis",
        assertThrows(
                IllegalStateException.class,
                () -> CacheSpec.builder().l2(false).bloomGuard(10, 0.01).build())
            .getMessage());
    TierCache noGuard = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("bg2")
        .cache("plain", s -> s.valueType(String.class))
        .build();
    opened.add(noGuard);
    assertFalse(noGuard.cache("plain", String.class).bloomGuard().isPresent());
  }
}
