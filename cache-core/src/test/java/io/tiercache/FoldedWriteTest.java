package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On one Redis server, a cache write with coherence on is one command: a script that writes the
 * key and appends its invalidation, so the write and its announcement happen together or not at
 * all. Checked with {@code MONITOR}, which shows the commands a client sent apart from the ones a
 * script ran ({@code [0 lua]}).
 */
class FoldedWriteTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "SET", "maxmemory", "0");
    }
    opened.forEach(TierCache::close);
  }

  private Cache<String, String> cache(boolean batching, int replicaAcks) {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("fw")
        .coherenceBatching(batching)
        .commandTimeout(Duration.ofSeconds(2))
        .cache("c", s -> {
          s.valueType(String.class).ttl(Duration.ofMinutes(10));
          if (replicaAcks > 0) {
            s.replicaAcks(replicaAcks, Duration.ofMillis(50));
          }
          return s;
        })
        .build();
    opened.add(tier);
    return tier.cache("c");
  }

  /** A second instance (batching on) whose L1 holds {@code key} = "old". */
  private Cache<String, String> holding(String key) {
    Cache<String, String> other = cache(true, 0);
    other.put(key, "old");
    assertEquals("old", other.get(key, k -> "loaded"));
    return other;
  }

  /** A command MONITOR saw: its name, and whether a script ran it. */
  record Seen(String command, boolean inScript) {}

  private static final Pattern LINE = Pattern.compile("^\\S+ \\[\\d+ ([^\\]]+)\\] \"([^\"]+)\"");

  /**
   * The commands on {@code names} that Redis ran while {@code action} ran, and up to 300 ms after
   * it (an announcement sent apart from the write comes after it); heartbeats, reads of the stream
   * and the like are left out.
   */
  private static List<Seen> monitored(List<String> names, Runnable action) {
    List<Seen> seen = new ArrayList<>();
    try (Resp monitor = redis.connect()) {
      assertEquals("OK", monitor.command("MONITOR"));
      action.run();
      try (Resp marker = redis.connect()) {
        Thread.sleep(300);
        marker.command("ECHO", "fw-end");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (Object line; !String.valueOf(line = monitor.receive()).contains("\"fw-end\""); ) {
        Matcher m = LINE.matcher(String.valueOf(line));
        if (m.find() && names.contains(m.group(2).toUpperCase())) {
          seen.add(new Seen(m.group(2).toUpperCase(), m.group(1).equals("lua")));
        }
      }
    }
    return seen;
  }

  private static final List<String> WRITES =
      List.of("SET", "UNLINK", "DEL", "EVAL", "EVALSHA", "INCR", "XADD", "PUBLISH");

  @Test
  void aPut_isOneScript_thatWritesTheKeyAndAppendsItsInvalidation() {
    Cache<String, String> a = cache(true, 0);
    a.put("warm", "up"); // the first write may load the script, which MONITOR would show
    Cache<String, String> b = holding("k");
    List<Seen> seen = monitored(WRITES, () -> a.put("k", "new"));
    assertEquals(
        List.of(
            new Seen("EVALSHA", false),
            new Seen("SET", true),
            new Seen("INCR", true),
            new Seen("XADD", true)),
        seen);
    await().atMost(Duration.ofSeconds(2)).until(() -> "new".equals(b.getIfPresent("k")));
  }

  @Test
  void anInvalidate_isOneScript_thatDeletesTheKeyAndAppendsItsInvalidation() {
    Cache<String, String> a = cache(true, 0);
    a.put("warm", "up"); // the first write may load the script, which MONITOR would show
    Cache<String, String> b = holding("k");
    List<Seen> seen = monitored(WRITES, () -> a.invalidate("k"));
    assertEquals(
        List.of(
            new Seen("EVALSHA", false),
            new Seen("UNLINK", true),
            new Seen("INCR", true),
            new Seen("XADD", true)),
        seen);
    await().atMost(Duration.ofSeconds(2)).until(() -> b.getIfPresent("k") == null);
    assertEquals("loaded", b.get("k", k -> "loaded"));
  }

  @Test
  void withoutBatching_too_aWriteIsOneScript() {
    Cache<String, String> a = cache(false, 0);
    a.put("warm", "up");
    List<Seen> seen = monitored(WRITES, () -> a.put("k", "v"));
    assertEquals(1, seen.stream().filter(s -> !s.inScript()).count(), seen.toString());
    assertEquals(new Seen("EVALSHA", false), seen.get(0));
  }

  @Test
  void aScriptFlushedFromRedis_isSentAgain_andTheWriteIsMade() {
    Cache<String, String> a = cache(true, 0);
    a.put("warm", "up"); // the first write may load the script, which MONITOR would show
    Cache<String, String> b = holding("k");
    try (Resp resp = redis.connect()) {
      resp.command("SCRIPT", "FLUSH");
    }
    a.put("k", "new");
    await().atMost(Duration.ofSeconds(2)).until(() -> "new".equals(b.getIfPresent("k")));
    assertEquals(0, a.stats().degradedCalls());
  }

  @Test
  void waitingForReplicas_keepsTheWriteAndItsWaitTogether_andAnnouncesApart() {
    Cache<String, String> a = cache(true, 1); // no replica: the wait times out, the write stands
    a.put("warm", "up");
    List<Seen> seen = monitored(WRITES, () -> a.put("k", "v"));
    assertTrue(seen.contains(new Seen("SET", false)), seen.toString());
    assertTrue(seen.contains(new Seen("XADD", true)), seen.toString());
  }

  /**
   * At {@code maxmemory} a put is refused whole: the new value is not written and nothing is
   * announced for it by the script; an invalidate still deletes the key (a delete needs no memory)
   * and reaches the other instance, though its append is refused: through the fallback channel.
   */
  @Test
  void atMaxmemory_aPutIsRefusedWhole_andAnInvalidateStillDeletesAndReachesTheOtherInstance() {
    Cache<String, String> a = cache(true, 0);
    a.put("warm", "up"); // the first write may load the script, which MONITOR would show
    Cache<String, String> b = holding("gone");
    Supplier<Object> streamLength;
    try (Resp resp = redis.connect()) {
      long before = (Long) resp.command("XLEN", "fw:__tc:{inval}:stream");
      resp.command("CONFIG", "SET", "maxmemory", "1");
      a.put("k", "new");
      assertNull(resp.command("GET", "fw:c:k"), "the refused value is not in Redis");
      assertEquals(before, resp.command("XLEN", "fw:__tc:{inval}:stream"));
      a.invalidate("gone");
      assertNull(resp.command("GET", "fw:c:gone"), "the delete was made");
    }
    await().atMost(Duration.ofSeconds(2)).until(() -> b.getIfPresent("gone") == null);
  }
}
