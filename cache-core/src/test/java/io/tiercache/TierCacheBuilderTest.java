package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/** Configuration checks of {@link TierCacheBuilder} and {@link CacheSpec}, and cross-cache invalidation. */
class TierCacheBuilderTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static void fails(Class<? extends Throwable> type, String message, Executable call) {
    assertEquals(message, assertThrows(type, call).getMessage());
  }

  @Test
  void spec_rejectsBadValues() {
    CacheSpec.Builder b = CacheSpec.builder();
    fails(
        IllegalArgumentException.class,
        "ttl must be positive, was PT0S",
        () -> b.ttl(Duration.ZERO));
    fails(
        IllegalArgumentException.class,
        "ttl must be positive, was PT-1S",
        () -> b.ttl(Duration.ofSeconds(-1)));
    fails(NullPointerException.class, "ttl must not be null", () -> b.ttl(null));
    fails(
        IllegalArgumentException.class,
        "ttl must be at most 36500 days (100 years), was PT2562047788015215H30M7.999999999S",
        () -> b.ttl(ChronoUnit.FOREVER.getDuration()));
    fails(
        IllegalArgumentException.class,
        "refreshAfter must be at least 1 ms, was PT0.0005S",
        () -> b.refreshAfter(Duration.ofNanos(500_000)));
    fails(
        IllegalArgumentException.class,
        "writeBackInterval must be at least 1 ms, was PT0.000001S",
        () -> b.writeBackInterval(Duration.ofNanos(1_000)));
    fails(
        IllegalArgumentException.class,
        "distributedLoad must be at least 1 ms, was PT0.0009S",
        () -> b.distributedLoad(Duration.ofNanos(900_000)));
    fails(
        IllegalArgumentException.class,
        "ttlJitter must be in [0, 1), was 1.0",
        () -> b.ttlJitter(1.0));
    fails(
        IllegalArgumentException.class,
        "ttlJitter must be in [0, 1), was -0.1",
        () -> b.ttlJitter(-0.1));
    fails(
        IllegalArgumentException.class,
        "ttlJitter must be in [0, 1), was NaN",
        () -> b.ttlJitter(Double.NaN));
    fails(
        IllegalArgumentException.class,
        "nullTtl must be positive, was PT0S",
        () -> b.nullTtl(Duration.ZERO));
    fails(
        IllegalArgumentException.class, "l1MaxSize must be positive, was 0", () -> b.l1MaxSize(0));
    fails(
        IllegalArgumentException.class,
        "compressionThreshold must not be negative, was -1",
        () -> b.compressionThreshold(-1));
    fails(
        IllegalArgumentException.class,
        "writeBackCapacity must be positive, was 0",
        () -> b.writeBackCapacity(0));
    fails(
        IllegalArgumentException.class,
        "writeBackMaxAttempts must be at least 1, was 0",
        () -> b.writeBackMaxAttempts(0));
    fails(
        IllegalStateException.class,
        "a cache needs at least one level: l1 and l2 are both off",
        () -> CacheSpec.builder().l1(false).l2(false).build());
  }

  @Test
  void spec_l1TtlNeverExceedsTtl() {
    assertEquals(Duration.ofMinutes(10), CacheSpec.defaults().l1Ttl());
    assertEquals(
        Duration.ofSeconds(30),
        CacheSpec.builder().ttl(Duration.ofSeconds(30)).build().l1Ttl());
    assertEquals(
        Duration.ofSeconds(5),
        CacheSpec.builder()
            .ttl(Duration.ofSeconds(30))
            .l1Ttl(Duration.ofSeconds(5))
            .build()
            .l1Ttl());
  }

  @Test
  void builder_rejectsBadValues() {
    TierCacheBuilder b = TierCache.builder();
    fails(
        IllegalArgumentException.class,
        "redisUri must start with redis://, rediss://, redis-sentinel:// or rediss-sentinel://, was "
            + "http://u:***@h",
        () -> b.redisUri("http://u:secret@h"));
    fails(
        IllegalArgumentException.class,
        "keyPrefix must be one segment of letters, digits, '.', '_' or '-' (no ':', so that one prefix cannot nest "
            + "in another: write 'app.v2', not 'app:v2'), was 'a*'",
        () -> b.keyPrefix("a*"));
    fails(
        IllegalArgumentException.class,
        "commandTimeout must be positive, was PT0S",
        () -> b.commandTimeout(Duration.ZERO));
    fails(
        IllegalArgumentException.class,
        "probeInterval must be at least 1 ms, was PT0.0005S",
        () -> b.probeInterval(Duration.ofNanos(500_000)));
    fails(
        IllegalArgumentException.class,
        "maxKeyLength must be at least 64, was 10",
        () -> b.maxKeyLength(10));
    fails(
        IllegalArgumentException.class,
        "cache name must be letters, digits, '.', '_' or '-', not starting with '__', was 'a:b'",
        () -> b.cache("a:b", s -> s));
    b.cache("x", s -> s);
    fails(IllegalStateException.class, "cache 'x' is declared twice", () -> b.cache("x", s -> s));
    fails(IllegalArgumentException.class, "event must not be empty", () -> b.event("", "x:*"));
    fails(
        IllegalArgumentException.class, "event 'e' needs at least one pattern", () -> b.event("e"));
    fails(
        IllegalStateException.class,
        "the defaults customizer returned null",
        () -> b.defaults(d -> null));
    fails(
        NullPointerException.class,
        "valueType must not be null",
        () -> CacheSpec.builder().valueType((Class<?>) null));
  }

  @Test
  void redisUri_hostsAndPortsAreCheckedWhenSet() {
    TierCacheBuilder b = TierCache.builder();
    fails(
        IllegalArgumentException.class,
        "redisUri is not a valid Redis URI (no host), was redis://",
        () -> b.redisUri("redis://"));
    fails(
        IllegalArgumentException.class,
        "redisUri is not a valid Redis URI (port 'abc' is not a number from 1 to 65535), was redis://localhost:abc",
        () -> b.redisUri("redis://localhost:abc"));
    fails(
        IllegalArgumentException.class,
        "redisUri is not a valid Redis URI (port '99999' is not a number from 1 to 65535), was redis://u:***@h:99999",
        () -> b.redisUri("redis://u:secret@h:99999"));
    fails(
        IllegalArgumentException.class,
        "redisUri is not a valid Redis URI (a Sentinel URI names its master after "
            + "'#': redis-sentinel://host:26379#mymaster), was redis-sentinel://h:26379",
        () -> b.redisUri("redis-sentinel://h:26379"));
    fails(
        IllegalArgumentException.class,
        "a cluster seed URI is not a valid Redis URI (port '0' is not a number from 1 to 65535), was redis://h:0",
        () -> b.redisCluster(List.of("redis://a:7000", "redis://h:0")));
    IllegalArgumentException bad = assertThrows(
        IllegalArgumentException.class, () -> b.redisUri("redis://u:secret@h:6379/ x"));
    assertTrue(
        bad.getMessage().startsWith("redisUri is not a valid Redis URI ("), bad.getMessage());
    assertTrue(
        !bad.getMessage().contains("secret"),
        "the password is not in the message: " + bad.getMessage());
    for (String ok : List.of(
        "redis://h",
        "redis://[::1]:6379",
        "rediss://u:p@h:6380/2?timeout=5s",
        "redis-sentinel://a:26379,b:26379#mymaster",
        "redis://:secret@127.0.0.1:6379/0")) {
      b.redisUri(ok);
    }
  }

  @Test
  void events_aPayloadThatMakesAnInvalidKey_deletesNothing() {
    try (TierCache tier = TierCache.builder()
        .cache("c", s -> s.l2(false).valueType(String.class))
        .event("config_changed", "product:*", "{tenant}:cfg")
        .build()) {
      Cache<String, String> c = tier.cache("c");
      c.put("product:1:info", "p");
      fails(
          IllegalArgumentException.class,
          "event 'config_changed': pattern '{tenant}:cfg' filled with the payload "
              + "gives the key '__x:cfg', which starts with '__' (reserved for Tiercache's own data)",
          () -> tier.events().publish("config_changed", Map.of("tenant", "__x")));
      assertEquals(
          "p", c.getIfPresent("product:1:info"), "checked before the first pattern was deleted");
    }
  }

  @Test
  void build_rejectsL2WithoutRedis() {
    fails(
        IllegalStateException.class,
        "cache 'c' has L2 on but no redisUri was given: call redisUri(...) or "
            + "turn L2 off with l2(false)",
        () -> TierCache.builder().cache("c", s -> s).build());
    try (TierCache tier = TierCache.builder().cache("c", s -> s.l2(false)).build()) {
      assertEquals(List.of("c"), List.copyOf(tier.cacheNames()));
      assertTrue(!tier.isRedisAvailable());
    }
  }

  @Test
  void build_rejectsAValueTypeJacksonCannotRead() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> TierCache.builder()
            .cache("c", s -> s.l2(false).valueType(Runnable.class))
            .build());
    assertTrue(
        e.getMessage().startsWith("cache 'c': value type java.lang.Runnable is abstract"),
        e.getMessage());
  }

  @Test
  void cacheDefaults_sitBetweenDefaultsAndTheDeclaration() {
    try (TierCache tier = TierCache.builder()
        .defaults(d -> d.l2(false).ttl(Duration.ofHours(5)).nullTtl(Duration.ofSeconds(7)))
        .cacheDefaults("a", s -> s.ttl(Duration.ofHours(2)).nullTtl(Duration.ofSeconds(9)))
        .cache("a", s -> s.ttl(Duration.ofHours(3)))
        .cacheDefaults("b", s -> s.ttl(Duration.ofHours(2)))
        .build()) {
      CacheSpec a = tier.cache("a", String.class).spec();
      assertEquals(Duration.ofHours(3), a.ttl(), "the application's declaration wins");
      assertEquals(Duration.ofSeconds(9), a.nullTtl(), "annotation value over the global default");
      assertEquals(Duration.ofHours(2), tier.cache("b", String.class).spec().ttl());
    }
  }

  @Test
  void cache_typeMismatchAndUnknownNames() {
    try (TierCache tier = TierCache.builder()
        .cache("c", s -> s.l2(false).valueType(Project.class))
        .build()) {
      fails(
          IllegalArgumentException.class,
          "cache 'c' holds values of type io.tiercache.Project, not java.lang.String",
          () -> tier.cache("c", String.class));
      fails(
          IllegalArgumentException.class,
          "unknown cache name 'd': declare it with TierCacheBuilder.cache(name, ...) or call allowUndeclaredCaches(true); declared: [c]",
          () -> tier.cache("d", String.class));
      fails(
          NullPointerException.class,
          "cache name must not be null",
          () -> tier.cache(null, String.class));
    }
    try (TierCache tier = TierCache.builder()
        .defaults(d -> d.l2(false))
        .allowUndeclaredCaches(true)
        .build()) {
      assertEquals("v", tier.cache("anything", String.class).get("k", k -> "v"));
    }
  }

  @Test
  void closedTierCache_rejectsNewCaches() {
    TierCache tier = TierCache.builder().cache("c", s -> s.l2(false)).build();
    tier.close();
    tier.close();
    fails(
        IllegalStateException.class,
        "this TierCache is closed",
        () -> tier.cache("c", String.class));
  }

  @Test
  void toolkit_sharesThePrefix_andPatternsNeverTouchIt() {
    try (TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("app")
        .cache("c", s -> s.valueType(String.class))
        .build()) {
      assertEquals(1, tier.counters().increment("likes"));
      tier.<String, String>cache("c").put("page", "x");
      tier.invalidatePattern("*");
      assertEquals(
          1, tier.counters().get("likes"), "toolkit state survives a pattern over everything");
      assertEquals(null, tier.<String, String>cache("c").getIfPresent("page"));
      fails(
          IllegalArgumentException.class,
          "key must not start with '__' (reserved for Tiercache's own data), was '__tk:counter:likes'",
          () -> tier.<String, String>cache("c").put("__tk:counter:likes", "x"));
      fails(
          IllegalArgumentException.class,
          "cache name must be letters, digits, '.', '_' or '-', not starting with '__', was '__x'",
          () -> tier.cache("__x", String.class));
    }
    try (TierCache local = TierCache.builder().cache("c", s -> s.l2(false)).build()) {
      fails(
          IllegalStateException.class,
          "the toolkit needs Redis: set redisUri(...) on the builder",
          local::counters);
    }
  }

  @Test
  void invalidateKeyAndPattern_spanCaches() {
    try (TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("zsxq")
        .cache("project-info", s -> s.valueType(String.class))
        .cache("leaderboard", s -> s.valueType(String.class))
        .build()) {
      Cache<String, String> info = tier.cache("project-info");
      Cache<String, String> board = tier.cache("leaderboard");
      info.put(Keys.of("project", 1, "info"), "p1");
      board.put(Keys.of("project", 1, "leaderboard", "total"), "b1");
      info.put(Keys.of("project", 11, "info"), "p11");
      info.put(Keys.of("project", "*", "info"), "star");
      assertEquals(2, tier.invalidatePattern("project:" + Keys.segment(1) + ":*"));
      assertEquals(null, info.getIfPresent("project:1:info"));
      assertEquals(null, board.getIfPresent("project:1:leaderboard:total"));
      assertEquals("p11", info.getIfPresent("project:11:info"));
      // A value that is itself a glob character matches only itself.
      assertEquals(1, tier.invalidatePattern("project:" + Keys.segment("*") + ":*"));
      assertEquals("p11", info.getIfPresent("project:11:info"));
      tier.invalidate("project:11:info");
      assertEquals(null, info.getIfPresent("project:11:info"));
      try (Resp resp = redis.connect()) {
        assertEquals(List.of(), CacheContract.dataKeys(resp));
      }
      fails(
          IllegalArgumentException.class,
          "pattern must not be empty",
          () -> tier.invalidatePattern(""));
      fails(NullPointerException.class, "key must not be null", () -> tier.invalidate(null));
    }
  }
}
