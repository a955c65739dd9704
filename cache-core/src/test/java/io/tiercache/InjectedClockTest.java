package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tiercache.test.MutableClock;
import io.tiercache.test.RedisExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The builder's clock drives L1 expiry and refresh-ahead: a test moves them by moving the clock. */
class InjectedClockTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final Duration NANO = Duration.ofNanos(1);

  private final MutableClock clock = new MutableClock();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  private Cache<String, String> cache(UnaryOperator<CacheSpec.Builder> spec) {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("clk")
        .clock(clock)
        .cache("c", s -> spec.apply(s.valueType(String.class)))
        .build();
    opened.add(tier);
    return tier.cache("c");
  }

  private String load(Cache<String, String> cache, String key) {
    return cache.get(key, k -> "v" + loads.incrementAndGet());
  }

  @Test
  void systemClock_givesCaffeinesSystemTicker_anyOtherClockItsOwn() {
    assertSame(Ticker.systemTicker(), ClockTicker.of(Clock.systemUTC()));
    assertSame(Ticker.systemTicker(), ClockTicker.of(Clock.system(ZoneId.of("Asia/Shanghai"))));
    assertFalse(ClockTicker.of(clock) == Ticker.systemTicker());
    assertFalse(ClockTicker.isSystem(Clock.fixed(Instant.EPOCH, ZoneId.of("UTC"))));
    Ticker ticker = ClockTicker.of(clock);
    long start = ticker.read();
    clock.advance(Duration.ofMillis(1_500));
    assertEquals(1_500_000_000L, ticker.read() - start);
    clock.set(clock.instant().minus(Duration.ofHours(1)));
    assertEquals(
        1_500_000_000L - 3_600_000_000_000L, ticker.read() - start, "a clock set back reads back");
  }

  @Test
  void l1Entry_expiresExactlyWhenTheClockPassesTheL1Ttl_notBefore() {
    Cache<String, String> cache =
        cache(s -> s.ttl(Duration.ofHours(1)).l1Ttl(Duration.ofMinutes(1)));
    assertEquals("v1", load(cache, "k"));
    clock.advance(Duration.ofMinutes(1).minus(NANO));
    assertEquals("v1", load(cache, "k"));
    assertEquals(1, cache.stats().l1Hits(), "one nanosecond before the L1 TTL: an L1 hit");
    assertEquals(0, cache.stats().l2Hits());
    clock.advance(NANO);
    assertEquals("v1", load(cache, "k"));
    assertEquals(1, cache.stats().l1Hits(), "at the L1 TTL the entry has left L1");
    assertEquals(1, cache.stats().l2Hits(), "and is read from Redis, whose TTL is an hour");
    assertEquals(1, loads.get());
    assertEquals("v1", load(cache, "k"));
    assertEquals(2, cache.stats().l1Hits(), "the value read from Redis is in L1 again");
  }

  @Test
  void l1Only_theEntryIsLoadedAgainOnceTheClockPassesTheTtl() {
    Cache<String, String> cache = cache(s -> s.l2(false).ttl(Duration.ofSeconds(30)));
    load(cache, "k");
    for (int i = 0; i < 29; i++) {
      clock.advance(Duration.ofSeconds(1));
      assertEquals("v1", load(cache, "k"), "after " + (i + 1) + " s");
    }
    clock.advance(Duration.ofSeconds(1).minus(NANO));
    assertEquals("v1", load(cache, "k"));
    clock.advance(NANO);
    assertEquals("v2", load(cache, "k"), "loaded again at 30 s");
  }

  @Test
  void cachedNull_leavesL1WhenTheClockPassesTheNullTtl() {
    Cache<String, String> cache =
        cache(s -> s.l2(false).ttl(Duration.ofHours(1)).nullTtl(Duration.ofSeconds(20)));
    AtomicInteger nullLoads = new AtomicInteger();
    assertNull(cache.get("missing", k -> {
      nullLoads.incrementAndGet();
      return null;
    }));
    clock.advance(Duration.ofSeconds(20).minus(NANO));
    assertNull(cache.get("missing", k -> "found"));
    assertEquals(1, nullLoads.get(), "the null is still cached");
    clock.advance(NANO);
    assertEquals("found", cache.get("missing", k -> "found"), "loaded again at the null TTL");
  }

  @Test
  void boundaryExpiry_anL1EntryLeavesAtMidnightOfTheClock() {
    ZoneId zone = ZoneId.of("Asia/Shanghai");
    clock.set(LocalDateTime.of(2026, 11, 22, 23, 59, 0).atZone(zone).toInstant());
    Cache<String, String> cache =
        cache(s -> s.l2(false).ttl(Duration.ofHours(2)).expireAtNextMidnight("Asia/Shanghai"));
    load(cache, "daily");
    clock.advance(Duration.ofSeconds(60).minus(NANO));
    assertEquals("v1", load(cache, "daily"), "just before midnight");
    clock.advance(NANO);
    assertEquals("v2", load(cache, "daily"), "at midnight");
    clock.advance(CacheSpec.DEFAULT_L1_MAX_TTL.minus(NANO));
    assertEquals(
        "v2",
        load(cache, "daily"),
        "the new day's entry has its whole L1 TTL, the next midnight is far");
    clock.advance(NANO);
    assertEquals("v3", load(cache, "daily"));
  }

  @Test
  void refreshAhead_aPassRunsWhenTheClockPassesRefreshAfter_notBefore() {
    CacheSpec spec = CacheSpec.builder()
        .valueType(String.class)
        .ttl(Duration.ofMinutes(10))
        .refreshAfter(Duration.ofMinutes(1))
        .refreshIdlePeriods(3)
        .build();
    Map<String, AtomicInteger> reloads = new ConcurrentHashMap<>();
    RefreshAhead.Reloader<String, String> reloader = (k, entry) -> {
      reloads.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
      return true;
    };
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    opened.add(scheduler::shutdownNow);
    // Runs each pass on the thread that finds it due: once tick() returns, a due pass is done.
    RefreshAhead<String, String> refresh =
        new RefreshAhead<>("c", spec, reloader, null, "clk", "me", scheduler, Runnable::run, clock);
    opened.add(refresh);
    refresh.touch("k", "k", k -> "v");
    clock.advance(Duration.ofSeconds(30));
    refresh.touch("idle", "idle", k -> "v"); // read once, 30 s after "k"

    clock.advance(Duration.ofSeconds(30).minus(NANO));
    assertFalse(refresh.tick());
    assertEquals(0, total(reloads), "no pass before refreshAfter");
    clock.advance(NANO);
    refresh.tick();
    assertEquals(2, total(reloads), "one pass at refreshAfter, both keys");
    assertFalse(refresh.tick(), "the next pass is a period later");

    // "k" is read every period, "idle" is not: 3 periods (3 min) after its read it leaves the
    // registry
    for (int pass = 2; pass <= 4; pass++) {
      refresh.touch("k", "k", k -> "v");
      clock.advance(Duration.ofMinutes(1).minus(NANO));
      refresh.tick();
      assertEquals(2 * (pass - 1), total(reloads), "no pass one nanosecond before pass " + pass);
      clock.advance(NANO);
      refresh.tick();
    }
    assertEquals(4, reloads.get("k").get(), "reloaded by every pass");
    assertEquals(3, reloads.get("idle").get(), "not by the pass 3.5 min after its only read");
    assertEquals(1, refresh.size(), "only the key still read is registered");
  }

  private static int total(Map<String, AtomicInteger> reloads) {
    return reloads.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  @Test
  void refreshAhead_throughTheCache_readersGetTheReloadedValueOnceTheClockHasMoved() {
    Cache<String, String> cache =
        cache(s -> s.ttl(Duration.ofMinutes(10)).refreshAfter(Duration.ofMinutes(1)));
    assertEquals("v1", load(cache, "k"));
    clock.advance(Duration.ofMinutes(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> cache.stats().refreshes() == 1);
    assertEquals("v2", cache.getIfPresent("k"));
    assertEquals(2, loads.get());
  }

  @Test
  void mutableClock_validatesItsArguments_andItsZonesShareOneTime() {
    assertEquals(
        "amount must not be negative, was PT-1S: use set(...) to go back",
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)))
            .getMessage());
    assertEquals(
        "amount must not be null",
        assertThrows(NullPointerException.class, () -> clock.advance(null)).getMessage());
    Clock shanghai = clock.withZone(ZoneId.of("Asia/Shanghai"));
    clock.advance(Duration.ofDays(1));
    assertEquals(clock.instant(), shanghai.instant());
    assertTrue(shanghai.getZone().equals(ZoneId.of("Asia/Shanghai")));
  }
}
