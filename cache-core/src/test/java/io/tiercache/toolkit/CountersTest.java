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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CountersTest {

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

  @Test
  void increment_eightThreadsOnThreeInstances_exactTotal() throws Exception {
    List<Counters> instances = List.of(
        fixture().toolkit.counters(),
        fixture().toolkit.counters(),
        fixture().toolkit.counters());
    ExecutorService pool = Executors.newFixedThreadPool(24);
    List<Future<?>> done = new ArrayList<>();
    for (Counters counters : instances) {
      for (int t = 0; t < 8; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 300; i++) {
            counters.increment("likes");
          }
        }));
      }
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(3 * 8 * 300, instances.get(0).get("likes"));
  }

  @Test
  void incrementDecrementSetGet_basics() {
    Counters counters = fixture().toolkit.counters();
    assertEquals(0, counters.get("c"));
    assertEquals(1, counters.increment("c"));
    assertEquals(11, counters.incrementBy("c", 10));
    assertEquals(10, counters.decrement("c"));
    assertEquals(-5, counters.decrementBy("c", 15));
    counters.set("c", 42);
    assertEquals(42, counters.get("c"));
    assertTrue(counters.delete("c"));
    assertFalse(counters.delete("c"));
    assertEquals(0, counters.get("c"));
    try (Resp resp = redis.connect()) {
      counters.increment("article:1");
      assertEquals("1", resp.command("GET", "t:__tk:counter:article%3A1"));
    }
  }

  @Test
  void increment_withTtl_setOnCreationOnly() {
    Counters counters =
        fixture().toolkit.counters(CounterSpec.defaults().withTtl(Duration.ofSeconds(10)));
    try (Resp resp = redis.connect()) {
      counters.increment("views");
      long created = Fixture.pttl(resp, "t:__tk:counter:views");
      assertTrue(created > 9_000 && created <= 10_000, "TTL set at creation: " + created);
      resp.command("PEXPIRE", "t:__tk:counter:views", "100000");
      counters.increment("views");
      assertTrue(
          Fixture.pttl(resp, "t:__tk:counter:views") > 90_000,
          "an increment must not reset the TTL");
    }
  }

  @Test
  void increment_withTtl_aCounterWithoutOne_orOfAnotherType_orOverflowing_answersAsWithout() {
    Counters counters =
        fixture().toolkit.counters(CounterSpec.defaults().withTtl(Duration.ofSeconds(10)));
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:counter:legacy", "41"); // written by someone else, no TTL
      assertEquals(42, counters.increment("legacy"));
      assertEquals(
          -1L,
          Fixture.pttl(resp, "t:__tk:counter:legacy"),
          "an existing counter keeps its (lack of) TTL");
      resp.command("SET", "t:__tk:counter:gone", "5", "PX", "1");
      await()
          .atMost(Duration.ofSeconds(2))
          .until(() -> resp.command("EXISTS", "t:__tk:counter:gone").equals(0L));
      assertEquals(3, counters.incrementBy("gone", 3), "an expired counter starts again from 0");
      assertTrue(Fixture.pttl(resp, "t:__tk:counter:gone") > 9_000, "and gets its TTL again");
      resp.command("RPUSH", "t:__tk:counter:listed", "x");
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> counters.increment("listed"));
      assertFalse(e.getMessage().contains("WRONGTYPE"), e.getMessage());
      assertEquals("list", resp.command("TYPE", "t:__tk:counter:listed"), "left alone");
    }
    counters.set("big", Long.MAX_VALUE);
    assertThrows(ArithmeticException.class, () -> counters.increment("big"));
    assertEquals(Long.MAX_VALUE, counters.get("big"));
  }

  @Test
  void increment_withoutTtl_leavesNone() {
    Counters counters = fixture().toolkit.counters();
    try (Resp resp = redis.connect()) {
      assertEquals(-1, counters.decrement("down"));
      assertEquals(-3, counters.decrementBy("down", 2));
      assertEquals(-1L, Fixture.pttl(resp, "t:__tk:counter:down"));
    }
  }

  @Test
  void increment_withRefreshedTtl_pushesTtlForward() {
    Counters counters = fixture()
        .toolkit
        .counters(CounterSpec.defaults().withTtl(Duration.ofSeconds(10)).withRefreshedTtl());
    try (Resp resp = redis.connect()) {
      counters.increment("views");
      resp.command("PEXPIRE", "t:__tk:counter:views", "100000");
      counters.increment("views");
      assertTrue(Fixture.pttl(resp, "t:__tk:counter:views") <= 10_000);
    }
  }

  @Test
  void set_withTtl_startsTtl() {
    Counters counters =
        fixture().toolkit.counters(CounterSpec.defaults().withTtl(Duration.ofSeconds(10)));
    counters.set("c", 5);
    try (Resp resp = redis.connect()) {
      long ttl = Fixture.pttl(resp, "t:__tk:counter:c");
      assertTrue(ttl > 9_000 && ttl <= 10_000, "ttl " + ttl);
    }
  }

  @Test
  void add_batched_losesNothingOnClose() throws Exception {
    Fixture fixture = Fixture.open(redis);
    Counters counters =
        fixture.toolkit.counters(CounterSpec.defaults().withBatchInterval(Duration.ofHours(1)));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(pool.submit(() -> {
        for (int i = 0; i < 2_000; i++) {
          counters.add("n" + (i % 5), 1);
        }
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(5, counters.pendingCount());
    assertEquals(8 * 400, counters.get("n0"), "get includes unwritten deltas");
    try (Resp resp = redis.connect()) {
      assertEquals(
          null, resp.command("GET", "t:__tk:counter:n0"), "nothing written before the flush");
      fixture.close();
      for (int n = 0; n < 5; n++) {
        assertEquals(String.valueOf(8 * 400), resp.command("GET", "t:__tk:counter:n" + n));
      }
    }
  }

  @Test
  void add_batched_flushedEveryInterval_whileWritersRun() throws Exception {
    Counters counters =
        fixture().toolkit.counters(CounterSpec.defaults().withBatchInterval(Duration.ofMillis(20)));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      done.add(pool.submit(() -> {
        for (int i = 0; i < 5_000; i++) {
          counters.add("hits", 1);
          if (i % 500 == 0) {
            Thread.sleep(5);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    try (Resp resp = redis.connect()) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> "20000".equals(resp.command("GET", "t:__tk:counter:hits")));
    }
    assertEquals(0, counters.pendingCount());
  }

  @Test
  void increment_overflow_throwsArithmeticException() {
    Counters counters = fixture().toolkit.counters();
    counters.set("big", Long.MAX_VALUE);
    ArithmeticException e =
        assertThrows(ArithmeticException.class, () -> counters.increment("big"));
    assertEquals("counter 'big' would overflow a signed 64-bit integer", e.getMessage());
    assertEquals(Long.MAX_VALUE, counters.get("big"));
  }

  @Test
  void increment_keyHoldsText_throwsIllegalStateWithoutRedisMessage() {
    Counters counters = fixture().toolkit.counters();
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:counter:odd", "not a number");
    }
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> counters.increment("odd"));
    assertFalse(e.getMessage().contains("ERR"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> counters.get("odd"));
    try (Resp resp = redis.connect()) {
      resp.command("RPUSH", "t:__tk:counter:listed", "x");
    }
    IllegalStateException other =
        assertThrows(IllegalStateException.class, () -> counters.get("listed"));
    assertFalse(other.getMessage().contains("WRONGTYPE"), other.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> counters.increment("listed"),
        "the same answer from both");
  }

  @Test
  void anyMethod_badName_throwsNamingTheArgument() {
    Counters counters = fixture().toolkit.counters();
    assertEquals(
        "name must not be null",
        assertThrows(NullPointerException.class, () -> counters.increment(null)).getMessage());
    assertEquals(
        "name must not be empty",
        assertThrows(IllegalArgumentException.class, () -> counters.get("")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> counters.decrementBy("c", Long.MIN_VALUE));
  }

  @Test
  void counterSpec_badValues_throw() {
    assertEquals(
        "ttl must not be negative, was PT-1S",
        assertThrows(
                IllegalArgumentException.class,
                () -> CounterSpec.defaults().withTtl(Duration.ofSeconds(-1)))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> CounterSpec.defaults().withRefreshedTtl());
    assertThrows(NullPointerException.class, () -> CounterSpec.defaults().withBatchInterval(null));
    assertEquals(
        "ttl must be at least 1 ms, was PT0.0005S",
        assertThrows(
                IllegalArgumentException.class,
                () -> CounterSpec.defaults().withTtl(Duration.ofNanos(500_000)))
            .getMessage(),
        "would mean no expiry");
    assertEquals(
        "batchInterval must be at least 1 ms, was PT0.000001S",
        assertThrows(
                IllegalArgumentException.class,
                () -> CounterSpec.defaults().withBatchInterval(Duration.ofNanos(1_000)))
            .getMessage());
  }

  @Test
  @Tag("fault")
  void redisDown_directOpsThrow_batchedDeltasKeptUntilBack() {
    Fixture fixture = Fixture.openForFaults(redis);
    opened.add(fixture);
    Counters direct = fixture.toolkit.counters();
    Counters batched =
        fixture.toolkit.counters(CounterSpec.defaults().withBatchInterval(Duration.ofMillis(50)));
    redis.stop();
    assertThrows(RedisUnavailableException.class, () -> direct.increment("c"));
    for (int i = 0; i < 100; i++) {
      batched.add("c", 1);
    }
    assertThrows(RedisUnavailableException.class, batched::flush);
    assertEquals(1, batched.pendingCount());
    redis.restart();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      try {
        return direct.get("c") == 100 && batched.pendingCount() == 0;
      } catch (RedisUnavailableException e) {
        return false;
      }
    });
  }
}
