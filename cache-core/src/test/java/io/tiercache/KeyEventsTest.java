package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keyspace notifications of keys under the prefix: expiry, eviction, deletion, named by cache. */
class KeyEventsTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void notificationsOff() {
    command("CONFIG", "SET", "notify-keyspace-events", "");
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    command("CONFIG", "SET", "maxmemory", "0");
    command("CONFIG", "SET", "maxmemory-policy", "noeviction");
  }

  private static Object command(String... args) {
    try (Resp resp = redis.connect()) {
      return resp.command(args);
    }
  }

  private TierCache instance(String uri, String prefix) {
    TierCache tier = TierCache.builder()
        .redisUri(uri)
        .keyPrefix(prefix)
        .cache("images", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .cache(
            "shared", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)).sharedKeys(true))
        .build();
    opened.add(tier);
    return tier;
  }

  private List<KeyEvent> of(KeyEvent.Kind kind) {
    return events.stream().filter(e -> e.kind() == kind).toList();
  }

  @Test
  void expiryAndDeletion_areReported_withTheCacheAndKey_onlyUnderThePrefix() throws Exception {
    TierCache tier = instance(redis.uri(), "ke");
    TierCache other = instance(redis.uri(), "other");
    opened.add(
        tier.onKeyEvents(EnumSet.of(KeyEvent.Kind.EXPIRED, KeyEvent.Kind.DELETED), events::add));
    String flags =
        String.valueOf(((List<?>) command("CONFIG", "GET", "notify-keyspace-events")).get(1));
    assertTrue(flags.contains("E") && flags.contains("x") && flags.contains("g"), flags);

    tier.<String, String>cache("images").put("logo.png", "bytes");
    tier.<String, String>cache("shared").put("banner:1", "text");
    other.<String, String>cache("images").put("logo.png", "theirs");
    tier.toolkit().counters().increment("hits");
    command("PEXPIRE", "ke:images:logo.png", "50");
    tier.<String, String>cache("shared").invalidate("banner:1");
    other.<String, String>cache("images").invalidate("logo.png");
    tier.toolkit().counters().delete("hits");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            of(KeyEvent.Kind.EXPIRED).size() == 1 && of(KeyEvent.Kind.DELETED).size() == 1);
    assertEquals(
        new KeyEvent(KeyEvent.Kind.EXPIRED, "images", "logo.png", "ke:images:logo.png"),
        of(KeyEvent.Kind.EXPIRED).get(0));
    assertEquals(
        new KeyEvent(KeyEvent.Kind.DELETED, null, "banner:1", "ke:banner:1"),
        of(KeyEvent.Kind.DELETED).get(0));
    Thread.sleep(200);
    assertEquals(
        2, events.size(), "no event of another prefix or of Tiercache's own keys: " + events);
  }

  @Test
  void evictionAtMaxmemory_isReported() {
    TierCache tier = instance(redis.uri(), "ke");
    opened.add(tier.onKeyEvents(Set.of(KeyEvent.Kind.EVICTED), events::add));
    command("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    command("CONFIG", "SET", "maxmemory", "3mb");
    Cache<String, String> images = tier.cache("images");
    Random random = new Random(1);
    for (int i = 0; i < 400; i++) {
      byte[] noise = new byte[15_000]; // incompressible, so each value takes its 20 KB
      random.nextBytes(noise);
      try {
        images.put("img-" + i, Base64.getEncoder().encodeToString(noise));
      } catch (RuntimeException e) {
        // a put Redis refused is fine here: only the evictions matter
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> !of(KeyEvent.Kind.EVICTED).isEmpty());
    assertTrue(
        of(KeyEvent.Kind.EVICTED).stream()
            .allMatch(e -> e.redisKey().startsWith("ke:")
                && (e.cacheName() == null || e.cacheName().equals("images"))),
        events.toString());
  }

  @Test
  void aUserWhoMayNotConfigure_isToldWhatToSet() {
    command("ACL", "SETUSER", "limited", "on", ">secret-pw", "~*", "&*", "+@all", "-config");
    try {
      TierCache tier = instance("redis://limited:secret-pw@127.0.0.1:" + redis.port(), "ke");
      IllegalStateException e = assertThrows(
          IllegalStateException.class,
          () -> tier.onKeyEvents(Set.of(KeyEvent.Kind.EXPIRED), events::add));
      assertTrue(
          e.getMessage().startsWith("key events cannot be turned on: notify-keyspace-events"),
          e.getMessage());
      assertTrue(e.getMessage().contains("Ex"), e.getMessage());
      assertTrue(!e.getMessage().contains("secret-pw"), "no secret in the message");
    } finally {
      command("ACL", "DELUSER", "limited");
    }
  }

  @Test
  void badArguments_areRefusedByName() {
    TierCache tier = instance(redis.uri(), "ke");
    assertEquals(
        "kinds must not be empty",
        assertThrows(IllegalArgumentException.class, () -> tier.onKeyEvents(Set.of(), events::add))
            .getMessage());
    assertEquals(
        "listener must not be null",
        assertThrows(
                NullPointerException.class,
                () -> tier.onKeyEvents(Set.of(KeyEvent.Kind.DELETED), null))
            .getMessage());
  }
}
