package io.tiercache.toolkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.RedisUnavailableException;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LocksTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<Fixture> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(Fixture::close);
  }

  private Fixture fixture() {
    Fixture fixture = Fixture.open(redis);
    opened.add(fixture);
    return fixture;
  }

  private Locks locks() {
    return fixture().toolkit.locks();
  }

  @Test
  void acquire_fourInstancesFourThreads_neverTwoHolders_tokensStrictlyIncrease() throws Exception {
    List<Locks> instances = List.of(locks(), locks(), locks(), locks());
    LockSpec spec = LockSpec.of(Duration.ofSeconds(5), Duration.ofSeconds(20))
        .withRetryInterval(Duration.ofMillis(1));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger regressions = new AtomicInteger();
    AtomicLong lastToken = new AtomicLong();
    AtomicInteger acquisitions = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> done = new ArrayList<>();
    for (Locks locks : instances) {
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 125; i++) {
            try (Lock lock = locks.acquire("shared", spec)) {
              if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
              }
              // Plain read-then-write: only mutual exclusion keeps it consistent.
              if (lock.fencingToken() <= lastToken.get()) {
                regressions.incrementAndGet();
              }
              lastToken.set(lock.fencingToken());
              acquisitions.incrementAndGet();
              inside.decrementAndGet();
            }
          }
        }));
      }
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(2_000, acquisitions.get());
    assertEquals(0, overlaps.get(), "two holders at once");
    assertEquals(0, regressions.get(), "fencing token not increasing");
    try (Resp resp = redis.connect()) {
      assertEquals(
          Long.toString(lastToken.get()), resp.command("GET", "t:__tk:lock_fence:{shared}"));
    }
  }

  @Test
  void release_byHolderWhoseLeaseEnded_cannotReleaseNextOwner() {
    Locks a = locks();
    Locks b = locks();
    Lock first =
        a.acquire("job", LockSpec.of(Duration.ofMillis(200), Duration.ZERO).withoutRenewal());
    await().atMost(Duration.ofSeconds(3)).until(() -> !first.isHeld());
    Lock second = b.acquire("job", Duration.ofSeconds(10), Duration.ofSeconds(2));
    assertFalse(first.release(), "a non-owner release must fail");
    assertTrue(b.isLocked("job"));
    assertTrue(second.isHeld());
    assertTrue(second.fencingToken() > first.fencingToken());
    assertTrue(second.release());
    assertFalse(b.isLocked("job"));
  }

  @Test
  void release_keyOwnedBySomeoneElse_leavesItInPlace() {
    Lock lock = locks().acquire("job", Duration.ofSeconds(10), Duration.ZERO);
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:lock:{job}", "another-owner");
      assertFalse(lock.release());
      assertEquals("another-owner", resp.command("GET", "t:__tk:lock:{job}"));
    }
  }

  @Test
  void acquire_afterLeaseExpires_nextOwnerGetsIn() {
    Locks a = locks();
    Locks b = locks();
    Lock first =
        a.acquire("job", LockSpec.of(Duration.ofMillis(300), Duration.ZERO).withoutRenewal());
    assertTrue(
        b.tryAcquire("job", LockSpec.of(Duration.ofSeconds(1), Duration.ZERO)).isEmpty());
    long start = System.nanoTime();
    Lock second = b.acquire("job", LockSpec.of(Duration.ofSeconds(5), Duration.ofSeconds(5)));
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(waitedMillis >= 150, "waited only " + waitedMillis + " ms");
    assertTrue(second.fencingToken() > first.fencingToken());
    assertFalse(first.isHeld());
    second.close();
  }

  @Test
  void renewal_keepsLongHoldersLock() throws Exception {
    Locks a = locks();
    Locks b = locks();
    try (Lock lock = a.acquire("long", Duration.ofMillis(300), Duration.ZERO)) {
      Thread.sleep(1_200);
      assertTrue(lock.isHeld());
      assertTrue(b.tryAcquire("long", LockSpec.of(Duration.ofSeconds(1), Duration.ZERO))
          .isEmpty());
      try (Resp resp = redis.connect()) {
        assertTrue(Fixture.pttl(resp, "t:__tk:lock:{long}") > 0);
      }
    }
    assertFalse(b.isLocked("long"), "closing releases");
  }

  @Test
  void toolkitClose_stopsRenewal_lockEndsWithLease() {
    Fixture holder = Fixture.open(redis);
    Lock lock = holder.toolkit.locks().acquire("job", Duration.ofMillis(300), Duration.ZERO);
    holder.close();
    Lock next = locks().acquire("job", Duration.ofSeconds(5), Duration.ofSeconds(3));
    assertTrue(next.fencingToken() > lock.fencingToken());
    assertFalse(lock.isHeld());
    next.close();
  }

  @Test
  void acquire_heldForTheWholeWait_throwsLockNotAcquired() {
    Locks locks = locks();
    try (Lock held = locks.acquire("busy", Duration.ofSeconds(10), Duration.ZERO)) {
      LockNotAcquiredException e = assertThrows(
          LockNotAcquiredException.class,
          () -> locks.acquire("busy", Duration.ofSeconds(1), Duration.ofMillis(100)));
      assertEquals(
          "lock 'busy' was still held by another owner after waiting PT0.1S", e.getMessage());
      assertTrue(held.isHeld());
    }
  }

  @Test
  void fencingToken_increasesAcrossSequentialAcquisitions() {
    Locks locks = locks();
    long first = 0;
    long previous = 0;
    for (int i = 0; i < 10; i++) {
      try (Lock lock = locks.acquire("seq", Duration.ofSeconds(5), Duration.ZERO)) {
        assertTrue(lock.fencingToken() > previous);
        previous = lock.fencingToken();
        first = first == 0 ? previous : first;
      }
    }
    assertEquals(first + 9, previous, "a fence that exists counts one by one");
    try (Resp resp = redis.connect()) {
      assertEquals(Long.toString(previous), resp.command("GET", "t:__tk:lock_fence:{seq}"));
      assertEquals(-1L, Fixture.pttl(resp, "t:__tk:lock_fence:{seq}"), "the fence never expires");
    }
  }

  @Test
  void fencingToken_keepsIncreasing_whenTheFenceKeyIsLost() {
    Locks locks = locks();
    String fence = "t:__tk:lock_fence:{job}";
    long startMicros = System.currentTimeMillis() * 1000;
    try (Resp resp = redis.connect()) {
      resp.command("SET", fence, "20"); // a fence that has counted to 20
      long previous = 20;
      for (int i = 0; i < 8; i++) {
        try (Lock lock = locks.acquire("job", Duration.ofSeconds(5), Duration.ZERO)) {
          assertTrue(
              lock.fencingToken() > previous,
              "token " + lock.fencingToken() + " after " + previous);
          previous = lock.fencingToken();
        }
        if (i % 2 == 1) {
          resp.command("DEL", fence); // as an eviction or a restart without persistence would
        }
      }
      assertTrue(
          previous >= startMicros - 60_000_000L,
          "a lost fence starts again from the server's clock in µs: " + previous);
    }
  }

  @Test
  void fencingToken_aFenceThatIsNotAnInteger_isReplacedByTheClock() {
    Locks locks = locks();
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:lock_fence:{job}", "not a number");
      try (Lock lock = locks.acquire("job", Duration.ofSeconds(5), Duration.ZERO)) {
        assertTrue(
            lock.fencingToken() > System.currentTimeMillis() * 1000 - 60_000_000L,
            "" + lock.fencingToken());
        assertEquals(
            Long.toString(lock.fencingToken()), resp.command("GET", "t:__tk:lock_fence:{job}"));
      }
      assertFalse(locks.isLocked("job"));
    }
  }

  @Test
  void acquire_aFenceAtTheLargestLong_isRefusedAndTheLockIsNotTaken() {
    Locks locks = locks();
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:lock_fence:{job}", Long.toString(Long.MAX_VALUE));
      IllegalStateException e = assertThrows(
          IllegalStateException.class,
          () -> locks.acquire("job", Duration.ofSeconds(5), Duration.ofSeconds(1)));
      assertEquals(
          "lock 'job' cannot be acquired: its fence key t:__tk:lock_fence:{job} holds 9223372036854775807,"
              + " the largest fencing token, so no later holder could get a larger one",
          e.getMessage());
      assertFalse(locks.isLocked("job"), "the lock key is not left behind");
    }
  }

  @Test
  void release_twice_secondIsFalse() {
    Lock lock = locks().acquire("x", Duration.ofSeconds(5), Duration.ZERO);
    assertTrue(lock.release());
    assertFalse(lock.release());
    assertFalse(lock.isHeld());
  }

  @Test
  void badArguments_throwNamingTheRule() {
    Locks locks = locks();
    assertEquals(
        "lease must be positive, was PT0S",
        assertThrows(
                IllegalArgumentException.class,
                () -> locks.acquire("x", Duration.ZERO, Duration.ZERO))
            .getMessage());
    assertEquals(
        "maxWait must not be negative, was PT-1S",
        assertThrows(
                IllegalArgumentException.class,
                () -> LockSpec.of(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
            .getMessage());
    assertEquals(
        "lease must be at least 1 ms, was PT0.0005S",
        assertThrows(
                IllegalArgumentException.class,
                () -> LockSpec.of(Duration.ofNanos(500_000), Duration.ZERO))
            .getMessage());
    assertEquals(
        "maxWait must be at most 36500 days (100 years), was PT2562047788015215H30M7.999999999S",
        assertThrows(
                IllegalArgumentException.class,
                () -> LockSpec.of(Duration.ofSeconds(1), ChronoUnit.FOREVER.getDuration()))
            .getMessage());
    assertEquals(
        "name must not be empty",
        assertThrows(
                IllegalArgumentException.class,
                () -> locks.acquire("", Duration.ofSeconds(1), Duration.ZERO))
            .getMessage());
    assertEquals(
        "spec must not be null",
        assertThrows(NullPointerException.class, () -> locks.tryAcquire("x", null))
            .getMessage());
  }

  @Test
  @Tag("fault")
  void redisDown_acquireThrows_holderLearnsItLostTheLock() {
    Fixture fixture = Fixture.openForFaults(redis);
    opened.add(fixture);
    Locks locks = fixture.toolkit.locks();
    Lock lock = locks.acquire("job", Duration.ofMillis(600), Duration.ZERO);
    redis.stop();
    RedisUnavailableException e = assertThrows(
        RedisUnavailableException.class,
        () -> locks.acquire("other", Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertTrue(e.getMessage().startsWith("lock acquire"), e.getMessage());
    await().atMost(Duration.ofSeconds(3)).until(() -> !lock.isHeld());
    lock.close(); // logs, does not throw
  }
}
