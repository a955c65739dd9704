package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CoherenceContract} with {@link CoherenceMode#TRACKING} on one Redis server, and what is
 * particular to that mode: a write sends nothing to the stream, a slow load racing another
 * instance's write is undone from the push, a refused {@code CLIENT TRACKING} keeps L1 from
 * answering until Redis accepts it, and what the mode cannot do is refused at build.
 */
class TrackingCoherenceTest extends CoherenceContract {

  @RegisterExtension
  static final RedisExtension server = new RedisExtension();

  private final List<TierCache> mine = new ArrayList<>();

  @Override
  TestRedis redis() {
    return TestRedis.standalone(server);
  }

  @Override
  CoherenceMode mode() {
    return CoherenceMode.TRACKING;
  }

  @AfterEach
  void closeMine() {
    mine.forEach(TierCache::close);
  }

  private TierCache tracking(String uri) {
    return instance(uri, CoherenceMode.TRACKING);
  }

  private TierCache instance(String uri, CoherenceMode mode) {
    TierCacheBuilder builder = TierCache.builder()
        .redisUri(uri)
        .keyPrefix("tr")
        .coherence(mode)
        .commandTimeout(Duration.ofMillis(500))
        .probeInterval(Duration.ofMillis(100))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)));
    TierCache tier = builder.build();
    mine.add(0, tier);
    return tier;
  }

  private static Object command(String... args) {
    try (TestRedis resp = TestRedis.standalone(server)) {
      return resp.command(args);
    }
  }

  private static long commandCalls(String name) {
    String stats = String.valueOf(command("INFO", "commandstats"));
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_" + name + ":calls=")) {
        String calls = line.substring(("cmdstat_" + name + ":calls=").length());
        return Long.parseLong(calls.substring(0, calls.indexOf(',')));
      }
    }
    return 0;
  }

  @Test
  void aWriteIsOnePlainCommand_andTheOtherInstanceHearsOfItFromRedis() {
    TierCache a = tracking(server.uri());
    TierCache b = tracking(server.uri());
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    for (int i = 0; i < 20; i++) {
      ca.put("k" + i, "v1");
      assertEquals("v1", cb.get("k" + i, k -> "loaded"));
    }
    long xadds = commandCalls("xadd");
    long scripts = commandCalls("evalsha") + commandCalls("eval");
    long sets = commandCalls("set");
    for (int i = 0; i < 20; i++) {
      ca.put("k" + i, "v2");
      ca.invalidate("k" + i);
    }
    assertEquals(xadds, commandCalls("xadd"), "no write appends to the stream");
    assertEquals(scripts, commandCalls("evalsha") + commandCalls("eval"), "nor runs a script");
    assertEquals(sets + 20, commandCalls("set"));
    await().atMost(BOUND).until(() -> {
      for (int i = 0; i < 20; i++) {
        if (cb.getIfPresent("k" + i) != null) {
          return false;
        }
      }
      return true;
    });
    assertTrue(
        b.coherenceStats().trackingInvalidations() >= 20, b.coherenceStats().toString());
  }

  /**
   * A STREAM instance does not hear of a TRACKING instance's key writes (the reason for the
   * warning, shown first), and both say so once they see each other; STREAM_AND_TRACKING mixes
   * with TRACKING and is not warned about.
   */
  @Test
  void streamAndTrackingInstancesOfOnePrefix_areWarnedAbout() throws InterruptedException {
    TierCache writer = tracking(server.uri());
    TierCache both = instance(server.uri(), CoherenceMode.STREAM_AND_TRACKING);
    Cache<String, String> cw = writer.cache("c");
    Cache<String, String> cb = both.cache("c");
    cw.put("k", "v1");
    assertEquals("v1", cb.get("k", k -> "loaded"));
    cw.put("k", "v2");
    await().atMost(BOUND).until(() -> "v2".equals(cb.getIfPresent("k")));
    Thread.sleep(2_500); // two heartbeats of each: each has read the other's mode
    assertEquals(null, ((DefaultTierCache) writer).coherenceModeConflict());
    assertEquals(null, ((DefaultTierCache) both).coherenceModeConflict());

    TierCache stream = instance(server.uri(), CoherenceMode.STREAM);
    Cache<String, String> cs = stream.cache("c");
    assertEquals("v2", cs.get("k", k -> "loaded"));
    cw.put("k", "v3");
    await().atMost(BOUND).until(() -> "v3".equals(cb.getIfPresent("k")));
    assertEquals("v2", cs.getIfPresent("k"), "the STREAM instance heard nothing: L1 answers v2");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> "STREAM".equals(((DefaultTierCache) writer).coherenceModeConflict())
            && "TRACKING".equals(((DefaultTierCache) stream).coherenceModeConflict()));
    assertEquals(null, ((DefaultTierCache) both).coherenceModeConflict());
  }

  /**
   * L1 answers from the start and goes on answering past the first heartbeats, whose retry of
   * {@code CLIENT TRACKING} must not turn tracking off again on a connection that has it on.
   */
  @Test
  void l1Answers_fromTheStart_andPastTheHeartbeats() throws Exception {
    for (int instance = 0; instance < 3; instance++) {
      TierCache tier = tracking(server.uri());
      Cache<String, String> c = tier.cache("c");
      c.put("k", "v");
      long end = System.nanoTime() + 2_500_000_000L;
      while (System.nanoTime() < end) {
        long before = c.stats().l1Hits();
        assertEquals("v", c.get("k", k -> "loaded"));
        assertEquals(
            before + 1, c.stats().l1Hits(), "a read of instance " + instance + " missed L1");
        Thread.sleep(50);
      }
    }
  }

  /**
   * A loads k slowly; meanwhile B writes k, and A's load ends after it: neither instance keeps or
   * reads A's older value afterwards (B's push drops A's load in flight; a push that comes after
   * A wrote its load to Redis takes it back out, as a stream message does).
   */
  @Test
  void aSlowLoad_overtakenByAnotherInstancesWrite_isTakenBackOutOfRedis() throws Exception {
    TierCache a = tracking(server.uri());
    TierCache b = tracking(server.uri());
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch written = new CountDownLatch(1);
    Thread slow = new Thread(() -> ca.get("k", k -> {
      loading.countDown();
      try {
        written.await();
        Thread.sleep(50); // B's write lands first; A's SET of its older load comes after it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return "old";
    }));
    slow.start();
    assertTrue(loading.await(5, TimeUnit.SECONDS));
    cb.put("k", "new");
    written.countDown();
    slow.join(5_000);
    await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !String.valueOf(command("GET", "tr:c:k")).contains("old"));
    assertFalse("old".equals(ca.get("k", k -> "loaded")), "A does not keep its older load");
    assertFalse("old".equals(cb.get("k", k -> "loaded")), "nor does B read it");
  }

  /**
   * Redis refuses {@code CLIENT TRACKING} to this user: the instance cannot hear of other writes,
   * so its L1 does not answer (reads go to Redis) until the user may, when it turns tracking on by
   * itself within about a second and L1 answers again.
   */
  @Test
  void trackingRefused_l1DoesNotAnswer_untilRedisAcceptsIt() {
    command("ACL", "SETUSER", "notrack", "on", ">secret-pw", "~*", "&*", "+@all", "-client");
    try {
      TierCache writer = tracking(server.uri());
      TierCache limited = tracking("redis://notrack:secret-pw@127.0.0.1:" + server.port());
      Cache<String, String> cw = writer.cache("c");
      Cache<String, String> cl = limited.cache("c");
      cw.put("k", "v1");
      assertEquals("v1", cl.get("k", k -> "loaded"));
      cw.put("k", "v2");
      assertEquals("v2", cl.get("k", k -> "loaded"), "no push reaches it: L1 must not answer");
      long l1Hits = cl.stats().l1Hits();
      for (int i = 0; i < 5; i++) {
        cl.get("k", k -> "loaded");
      }
      assertEquals(l1Hits, cl.stats().l1Hits(), "every read went to Redis");
      assertFalse(limited.coherenceStats().l1Answering(), "and the stats say so");
      assertTrue(writer.coherenceStats().l1Answering());
      command("ACL", "SETUSER", "notrack", "+client");
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        long before = cl.stats().l1Hits();
        cl.get("k", k -> "loaded");
        return cl.stats().l1Hits() > before;
      });
      assertTrue(limited.coherenceStats().l1Answering());
      cw.put("k", "v3");
      await().atMost(BOUND).until(() -> "v3".equals(cl.get("k", k -> "loaded")));
    } finally {
      command("ACL", "DELUSER", "notrack");
    }
  }

  /** A data connection killed by an operator: L1 is cleared once tracking is on again. */
  @Test
  void dataConnectionKilled_l1IsClearedAndTrackingComesBack() {
    TierCache a = tracking(server.uri());
    TierCache b = tracking(server.uri());
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    ca.put("k", "v1");
    assertEquals("v1", cb.get("k", k -> "loaded"));
    long before = trackingClients();
    assertTrue(before >= 2, "both data connections track");
    command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    await().atMost(Duration.ofSeconds(5)).until(() -> trackingClients() >= 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> b.stats().get("c").l1Size() == 0);
    ca.put("k", "v2");
    await().atMost(BOUND).until(() -> "v2".equals(cb.get("k", k -> "loaded")));
  }

  private static long trackingClients() {
    String list = String.valueOf(command("CLIENT", "LIST"));
    return Arrays.stream(list.split("\n"))
        .filter(line -> line.matches(".* flags=\\S*B\\S* .*"))
        .count();
  }

  @Test
  void aPersistentLevel_isRefusedAtBuild(@TempDir Path dir) {
    IllegalStateException e = assertThrows(
        IllegalStateException.class,
        () -> TierCache.builder()
            .redisUri(server.uri())
            .keyPrefix("tr3")
            .coherence(CoherenceMode.TRACKING)
            .cache("c", s -> s.valueType(String.class).l3(dir, 8L << 20))
            .build());
    assertTrue(
        e.getMessage()
            .startsWith("cache 'c' turns on the persistent level (l3), which coherence "
                + "TRACKING cannot keep"),
        e.getMessage());
  }

  @Test
  void theModeIsReadFromConfiguration() {
    TierCache tier = TierCache.builder()
        .redisUri(server.uri())
        .keyPrefix("tr4")
        .config(TierCacheConfig.fromMap(Map.of("coherence.mode", "tracking"), "map"))
        .build();
    mine.add(tier);
    assertEquals(CoherenceMode.TRACKING, tier.coherenceStats().mode());
  }
}
