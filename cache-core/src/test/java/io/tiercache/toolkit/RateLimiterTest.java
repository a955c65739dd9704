package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimiterTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final Fixture.ManualClock clock = new Fixture.ManualClock(1_000_000);
  private final List<Fixture> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(Fixture::close);
  }

  private RateLimiters limiters() {
    Fixture fixture = Fixture.open(redis, clock);
    opened.add(fixture);
    return fixture.toolkit.rateLimiters();
  }

  @Test
  void fixedWindow_allowsExactlyLimitPerWindow_andResetsAtBoundary() {
    RateLimiter limiter = limiters().fixedWindow("api", 5, Duration.ofSeconds(1));
    clock.set(10_000_200);
    for (int i = 0; i < 5; i++) {
      RateLimit answer = limiter.tryAcquire("u1");
      assertTrue(answer.allowed());
      assertEquals(4 - i, answer.remaining());
      assertEquals(Duration.ZERO, answer.retryAfter());
      assertFalse(answer.degraded());
    }
    RateLimit refused = limiter.tryAcquire("u1");
    assertFalse(refused.allowed());
    assertEquals(0, refused.remaining());
    assertEquals(Duration.ofMillis(800), refused.retryAfter());
    clock.set(10_000_999);
    assertEquals(Duration.ofMillis(1), limiter.tryAcquire("u1").retryAfter());
    clock.set(10_001_000);
    assertTrue(limiter.tryAcquire("u1").allowed(), "a new window starts at the boundary");
    assertTrue(limiter.tryAcquire("u2").allowed(), "subjects are counted apart");
  }

  @Test
  void fixedWindow_permitsAllOrNone() {
    RateLimiter limiter = limiters().fixedWindow("bulk", 10, Duration.ofMinutes(1));
    assertTrue(limiter.tryAcquire("u", 8).allowed());
    RateLimit refused = limiter.tryAcquire("u", 3);
    assertFalse(refused.allowed());
    assertEquals(2, refused.remaining());
    assertTrue(limiter.tryAcquire("u", 2).allowed());
  }

  @Test
  void slidingWindow_countsExactlyAtBoundaries() {
    RateLimiter limiter = limiters().slidingWindow("login", 3, Duration.ofSeconds(1));
    clock.set(5_000_000);
    assertTrue(limiter.tryAcquire("u").allowed());
    clock.set(5_000_300);
    assertTrue(limiter.tryAcquire("u").allowed());
    clock.set(5_000_600);
    RateLimit third = limiter.tryAcquire("u");
    assertTrue(third.allowed());
    assertEquals(0, third.remaining());
    clock.set(5_000_999);
    RateLimit refused = limiter.tryAcquire("u");
    assertFalse(refused.allowed());
    assertEquals(
        Duration.ofMillis(1), refused.retryAfter(), "the first permit leaves the window at +1000");
    clock.set(5_001_000);
    assertTrue(
        limiter.tryAcquire("u").allowed(), "the permit of t=0 is out of the window (t-1000, t]");
    RateLimit again = limiter.tryAcquire("u");
    assertFalse(again.allowed());
    assertEquals(Duration.ofMillis(300), again.retryAfter());
  }

  @Test
  void bothAlgorithms_concurrentCallersOnTwoInstances_neverExceedLimit() throws Exception {
    for (boolean sliding : new boolean[] {false, true}) {
      RateLimiters a = limiters();
      RateLimiters b = limiters();
      List<RateLimiter> views = sliding
          ? List.of(
              a.slidingWindow("hot", 100, Duration.ofMinutes(1)),
              b.slidingWindow("hot", 100, Duration.ofMinutes(1)))
          : List.of(
              a.fixedWindow("hot", 100, Duration.ofMinutes(1)),
              b.fixedWindow("hot", 100, Duration.ofMinutes(1)));
      AtomicInteger allowed = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        RateLimiter limiter = views.get(t % 2);
        done.add(pool.submit(() -> {
          for (int i = 0; i < 40; i++) {
            if (limiter.tryAcquire("subject").allowed()) {
              allowed.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      assertEquals(100, allowed.get(), sliding ? "sliding" : "fixed");
    }
  }

  @Test
  void limiters_keysLiveUnderRatePrefix() {
    RateLimiters limiters = limiters();
    limiters.fixedWindow("a", 1, Duration.ofSeconds(1)).tryAcquire("u:1");
    limiters.slidingWindow("a", 1, Duration.ofSeconds(1)).tryAcquire("u:1");
    try (Resp resp = redis.connect()) {
      List<String> keys = Fixture.keys(resp);
      assertTrue(keys.contains("t:__tk:rate:fw:a:u%3A1:1000"), keys.toString());
      assertTrue(keys.contains("t:__tk:rate:sw:a:u%3A1"), keys.toString());
    }
  }

  @Test
  void create_badArguments_throwNamingTheRule() {
    RateLimiters limiters = limiters();
    assertEquals(
        "limit must be positive, was 0",
        assertThrows(
                IllegalArgumentException.class,
                () -> limiters.fixedWindow("x", 0, Duration.ofSeconds(1)))
            .getMessage());
    assertEquals(
        "window must be positive, was PT0S",
        assertThrows(
                IllegalArgumentException.class, () -> limiters.slidingWindow("x", 1, Duration.ZERO))
            .getMessage());
    assertEquals(
        "name must not be empty",
        assertThrows(
                IllegalArgumentException.class,
                () -> limiters.slidingWindow("", 1, Duration.ofSeconds(1)))
            .getMessage());
    assertThrows(
        NullPointerException.class,
        () -> limiters.fixedWindow("x", 1, Duration.ofSeconds(1), null));
    RateLimiter limiter = limiters.fixedWindow("x", 3, Duration.ofSeconds(1));
    assertEquals(
        "permits must be between 1 and the limit 3, was 4",
        assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("u", 4))
            .getMessage());
    assertEquals(
        "subject must not be null",
        assertThrows(NullPointerException.class, () -> limiter.tryAcquire(null)).getMessage());
  }

  @Test
  void fixedWindow_aCountThatIsNotANumber_countsAsZero_andIsReplaced() {
    RateLimiter limiter = limiters().fixedWindow("api", 2, Duration.ofSeconds(1));
    clock.set(10_000_200);
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:rate:fw:api:u:10000", "not a number");
    }
    RateLimit first = limiter.tryAcquire("u");
    assertTrue(first.allowed());
    assertFalse(first.degraded(), "answered from Redis, not by the failure policy");
    assertEquals(1, first.remaining());
    assertTrue(limiter.tryAcquire("u").allowed());
    assertFalse(limiter.tryAcquire("u").allowed(), "the limit holds again");
  }

  @Test
  void slidingWindow_refusesALimitItCannotServeWithoutBlockingRedis() {
    assertEquals(
        "limit of a sliding window must be at most 100000 (one Redis entry per permit), was 100001: "
            + "use a fixed window",
        assertThrows(
                IllegalArgumentException.class,
                () -> limiters().slidingWindow("x", 100_001, Duration.ofMinutes(1)))
            .getMessage());
    limiters().fixedWindow("x", 100_001, Duration.ofMinutes(1));
  }

  @Test
  @Tag("fault")
  void redisDown_answersByEachLimitersPolicy() {
    Fixture fixture = Fixture.openForFaults(redis);
    opened.add(fixture);
    RateLimiter open = fixture
        .toolkit
        .rateLimiters()
        .fixedWindow("o", 5, Duration.ofMinutes(1), FailurePolicy.FAIL_OPEN);
    RateLimiter closed = fixture
        .toolkit
        .rateLimiters()
        .slidingWindow("c", 5, Duration.ofMinutes(1), FailurePolicy.FAIL_CLOSED);
    redis.stop();
    RateLimit opened = open.tryAcquire("u");
    assertTrue(opened.allowed());
    assertTrue(opened.degraded());
    RateLimit refused = closed.tryAcquire("u");
    assertFalse(refused.allowed());
    assertTrue(refused.degraded());
    assertEquals(Duration.ofSeconds(1), refused.retryAfter());
  }
}
