package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration from the environment, properties and YAML files and maps: one schema, one set of rules. */
class TierCacheConfigTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @TempDir
  Path dir;

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache open(TierCacheBuilder builder) {
    TierCache tier = builder.build();
    opened.add(tier);
    return tier;
  }

  /** The same settings written for each front door. */
  private TierCacheConfig sample(String kind) throws IOException {
    switch (kind) {
      case "environment":
        return TierCacheConfig.fromEnvironment(Map.of(
            "TIERCACHE_REDIS_URI", redis.uri(),
            "TIERCACHE_KEY_PREFIX", "abc",
            "TIERCACHE_DEFAULTS_TTL", "2h",
            "TIERCACHE_CACHES_USERS_TTL", "30m",
            "TIERCACHE_CACHES_USERS_TTL_JITTER", "0.1",
            "TIERCACHE_CACHES_USERS_L1_MAX_SIZE", "500",
            "TIERCACHE_CACHES_USERS_NULL_TTL", "PT20S",
            "TIERCACHE_CACHES_USERS_WRITE_BACK_BATCH_SIZE", "50",
            "TIERCACHE_CACHES_USERS_VALUE_TYPE", "java.lang.String",
            "PATH", "/usr/bin"));
      case "properties": {
        Path file = dir.resolve("app.properties");
        Files.writeString(
            file,
            String.join(
                "\n",
                "server.port=8080",
                "tiercache.redis.uri=" + redis.uri(),
                "tiercache.key-prefix=abc",
                "tiercache.defaults.ttl=2h",
                "tiercache.caches.users.ttl=30m",
                "tiercache.caches.users.ttl-jitter=0.1",
                "tiercache.caches.users.l1MaxSize=500",
                "tiercache.caches.users.null-ttl=PT20S",
                "tiercache.caches.users.write-back.batch-size=50",
                "tiercache.caches.users.value-type=java.lang.String"),
            StandardCharsets.UTF_8);
        return TierCacheConfig.fromFile(file);
      }
      case "yaml": {
        Path file = dir.resolve("app.yml");
        Files.writeString(
            file,
            String.join(
                "\n",
                "server:",
                "  port: 8080",
                "tiercache:",
                "  redis:",
                "    uri: " + redis.uri(),
                "  key-prefix: abc",
                "  defaults:",
                "    ttl: 2h",
                "  caches:",
                "    users:",
                "      ttl: 30m",
                "      ttl-jitter: 0.1",
                "      l1-max-size: 500",
                "      null-ttl: PT20S",
                "      write-back:",
                "        batch-size: 50",
                "      value-type: java.lang.String"),
            StandardCharsets.UTF_8);
        return TierCacheConfig.fromFile(file);
      }
      default: {
        Map<String, Object> users = new LinkedHashMap<>();
        users.put("ttl", Duration.ofMinutes(30));
        users.put("ttl-jitter", 0.1);
        users.put("l1-max-size", 500);
        users.put("null-ttl", "20s");
        users.put("write-back", Map.of("batch-size", 50));
        users.put("value-type", "java.lang.String");
        return TierCacheConfig.fromMap(
            Map.of(
                "redis", Map.of("uri", redis.uri()),
                "tiercache.key-prefix", "abc",
                "defaults", Map.of("ttl", "PT2H"),
                "caches", Map.of("users", users)),
            "map");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"environment", "properties", "yaml", "map"})
  void everyFrontDoor_givesTheSameCaches_andTheTtlReachesRedis(String kind) throws IOException {
    TierCache tier = open(
        TierCache.builder().config(sample(kind)).cache("other", c -> c.valueType(String.class)));
    assertEquals("abc", tier.keyPrefix());
    Cache<String, String> users = tier.cache("users", String.class);
    CacheSpec spec = users.spec();
    assertEquals(Duration.ofMinutes(30), spec.ttl());
    assertEquals(0.1, spec.ttlJitter());
    assertEquals(Duration.ofSeconds(20), spec.nullTtl());
    assertEquals(50, spec.writeBackBatchSize());
    assertTrue(spec.toString().contains("maxSize=500"), spec.toString());
    assertEquals(
        Duration.ofHours(2), tier.cache("other", String.class).spec().ttl(), "defaults.ttl");

    users.put("k", "v");
    tier.cache("other", String.class).put("k", "v");
    try (Resp resp = redis.connect()) {
      long usersTtl = (Long) resp.command("PTTL", "abc:users:k");
      long otherTtl = (Long) resp.command("PTTL", "abc:other:k");
      // jitter 0.1 around 30 min; 2 h for the other
      assertTrue(
          usersTtl > Duration.ofMinutes(26).toMillis()
              && usersTtl <= Duration.ofMinutes(33).toMillis(),
          "users PTTL " + usersTtl);
      assertTrue(
          otherTtl > Duration.ofMinutes(119).toMillis()
              && otherTtl <= Duration.ofHours(2).toMillis(),
          "other PTTL " + otherTtl);
    }
  }

  @Test
  void builderCalls_overEnvironment_overFiles_overAnnotations_overDefaults() throws IOException {
    Path file = dir.resolve("t.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "tiercache.key-prefix=from-file",
            "tiercache.redis.command-timeout=400ms",
            "tiercache.defaults.ttl=3h",
            "tiercache.caches.a.ttl=10m",
            "tiercache.caches.b.ttl=11m",
            "tiercache.caches.c.ttl=12m",
            "tiercache.caches.c.l1-max-size=77"));
    TierCacheConfig env = TierCacheConfig.fromEnvironment(Map.of(
        "TIERCACHE_REDIS_URI", redis.uri(),
        "TIERCACHE_KEY_PREFIX", "from-env",
        "TIERCACHE_CACHES_B_TTL", "20m"));
    TierCacheBuilder builder = TierCache.builder()
        .config(env) // order of the calls does not matter: the environment wins over the file
        .configFile(file)
        .cacheDefaults(
            "a", c -> c.valueType(String.class).ttl(Duration.ofMinutes(1))) // an annotation's value
        .cache("c", c -> c.valueType(String.class).ttl(Duration.ofMinutes(5)))
        .cache("d", c -> c.valueType(String.class))
        .defaults(d -> d.nullTtl(Duration.ofSeconds(7)))
        .keyPrefix("from-builder");
    TierCache tier = open(builder);
    assertEquals(
        "from-builder",
        tier.keyPrefix(),
        "an explicit call wins, even before build and after config");
    assertEquals(
        Duration.ofMinutes(10), tier.cache("a", String.class).spec().ttl(), "file over annotation");
    assertEquals(
        Duration.ofMinutes(20),
        tier.cache("b", String.class).spec().ttl(),
        "environment over file");
    CacheSpec c = tier.cache("c", String.class).spec();
    assertEquals(Duration.ofMinutes(5), c.ttl(), "builder.cache over file");
    assertTrue(
        c.toString().contains("maxSize=77"),
        "what the builder leaves alone comes from the file: " + c);
    CacheSpec d = tier.cache("d", String.class).spec();
    assertEquals(Duration.ofHours(3), d.ttl(), "the file's defaults");
    assertEquals(Duration.ofSeconds(7), d.nullTtl(), "builder.defaults over the file's defaults");
  }

  @Test
  void redisUrl_isReadWhenNoTiercacheUriIsSet_andTiercacheRedisUriWins() {
    TierCache tier = open(TierCache.builder()
        .config(TierCacheConfig.fromEnvironment(
            Map.of("REDIS_URL", redis.uri(), "TIERCACHE_KEY_PREFIX", "ru")))
        .cache("c", c -> c.valueType(String.class)));
    tier.cache("c", String.class).put("k", "v");
    try (Resp resp = redis.connect()) {
      assertEquals(1L, resp.command("EXISTS", "ru:c:k"), "written to the Redis REDIS_URL names");
    }
    TierCacheConfig both = TierCacheConfig.fromEnvironment(
        Map.of("REDIS_URL", "redis://elsewhere:1", "TIERCACHE_REDIS_URI", redis.uri()));
    assertTrue(both.toString().contains("tiercache.redis.uri = " + redis.uri()), both.toString());
    assertEquals(redis.uri(), both.value("tiercache.redis.uri").orElseThrow());
    assertEquals(redis.uri(), both.value("redis.uri").orElseThrow());
    assertTrue(both.value("key-prefix").isEmpty());
    TierCacheConfig caches = TierCacheConfig.fromMap(
        Map.of("caches", Map.of("a.b", Map.of("ttl", "1m")), "defaults.ttl", "2m"), "map");
    assertEquals("1m", caches.value("caches.a.b.ttl").orElseThrow());
    assertEquals("2m", caches.value("defaults.ttl").orElseThrow());
    assertFalse(both.toString().contains("elsewhere"), both.toString());
  }

  @Test
  void environmentCacheNames_matchDeclaredNames_ignoringCaseAndSeparators() {
    TierCache tier = open(TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("en")
        .config(TierCacheConfig.fromEnvironment(Map.of(
            "TIERCACHE_CACHES_PROJECT_INFO_TTL", "7m",
            "TIERCACHE_CACHES_ORDERS_L1_TTL", "3m",
            "TIERCACHE_CACHES_ORDERS_TTL", "9m")))
        .cache("project-info", c -> c.valueType(String.class)));
    assertEquals(
        Duration.ofMinutes(7), tier.cache("project-info", String.class).spec().ttl());
    CacheSpec orders = tier.cache("orders", String.class).spec();
    assertEquals(
        Duration.ofMinutes(9),
        orders.ttl(),
        "an undeclared name is taken lower case, and declared");
    assertTrue(
        orders.toString().contains("ttl=PT3M)"),
        "L1_TTL is its own setting, not a cache named ORDERS_L1: " + orders);

    TierCacheBuilder twoMatch = TierCache.builder()
        .redisUri(redis.uri())
        .config(TierCacheConfig.fromEnvironment(Map.of("TIERCACHE_CACHES_A_B_TTL", "1m")))
        .cache("a-b", c -> c.valueType(String.class))
        .cache("a.b", c -> c.valueType(String.class));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, twoMatch::build);
    assertTrue(
        e.getMessage().contains("TIERCACHE_CACHES_A_B_")
            && e.getMessage().contains("a-b")
            && e.getMessage().contains("a.b"),
        e.getMessage());
  }

  private static String badEnv(String name, String value) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> TierCacheConfig.fromEnvironment(Map.of(name, value)))
        .getMessage();
  }

  private static String badProperty(String name, String value) {
    Properties p = new Properties();
    p.setProperty(name, value);
    return assertThrows(
            IllegalArgumentException.class,
            () -> TierCacheConfig.fromProperties(p, "file app.properties"))
        .getMessage();
  }

  @Test
  void eachBadValue_namesTheProperty_whereItCameFrom_theValue_andTheRule() {
    assertEquals(
        "tiercache.caches.users.ttl = \"soon\" (file app.properties): must be a duration such as 250ms, "
            + "30s, 30m, 2h, 1d or PT2H",
        badProperty("tiercache.caches.users.ttl", "soon"));
    assertEquals(
        "TIERCACHE_CACHES_USERS_TTL_JITTER = \"1.5\" (environment variable "
            + "TIERCACHE_CACHES_USERS_TTL_JITTER): ttlJitter must be in [0, 1), was 1.5",
        badEnv("TIERCACHE_CACHES_USERS_TTL_JITTER", "1.5"));
    assertTrue(
        badProperty("tiercache.defaults.l1-max-size", "-1")
            .startsWith(
                "tiercache.defaults.l1-max-size = \"-1\" (file app.properties): l1MaxSize must be positive"));
    assertTrue(
        badProperty("tiercache.key-prefix", "a:b").contains("keyPrefix must be one segment"));
    assertEquals(
        "tiercache.caches.users.strategy = \"sideways\" (file app.properties): must be cache-aside, "
            + "write-through or write-back",
        badProperty("tiercache.caches.users.strategy", "sideways"));
    assertEquals(
        "tiercache.allow-undeclared-caches = \"yes\" (file app.properties): must be true or false",
        badProperty("tiercache.allow-undeclared-caches", "yes"));
    assertTrue(badProperty("tiercache.redis.breaker.window", "5ms")
        .contains("breaker window must be between 10 ms and 1 minute"));
    assertTrue(badProperty("tiercache.caches.users.value-type", "com.example.Nope")
        .contains("must name a class on the class path"));
    assertTrue(badProperty("tiercache.caches.users.expire-at-next-midnight", "Mars/Olympus")
        .contains("must be a zone id"));
    assertTrue(badProperty("tiercache.redis.uri", "http://x")
        .contains("redisUri must start with redis://"));
    // unknown names are errors, with what is known
    String typo = badProperty("tiercache.caches.users.tll", "1m");
    assertTrue(
        typo.startsWith(
                "tiercache.caches.users.tll (file app.properties) is not a setting of a cache")
            && typo.contains("ttl-jitter"),
        typo);
    String envTypo = badEnv("TIERCACHE_KEY_PREFX", "x");
    assertTrue(
        envTypo.startsWith(
                "TIERCACHE_KEY_PREFX (environment variable TIERCACHE_KEY_PREFX) is not a "
                    + "Tiercache setting")
            && envTypo.contains("KEY_PREFIX"),
        envTypo);
    assertTrue(badProperty("tiercache.caches.__x.ttl", "1m").contains("cache name must be"));
    // pairs: a partner without its other half
    TierCacheBuilder half = TierCache.builder()
        .config(TierCacheConfig.fromEnvironment(Map.of("TIERCACHE_REDIS_USERNAME", "app")));
    assertTrue(assertThrows(IllegalArgumentException.class, half::build)
        .getMessage()
        .contains("redis.username needs redis.password"));
  }

  @Test
  void secrets_neverReachAMessage_orTheDescription() {
    String secret = "s3cr3t-Pa55";
    String uri = "redis://app:" + secret + "@127.0.0.1:1";
    TierCacheConfig config = TierCacheConfig.fromEnvironment(Map.of(
        "TIERCACHE_REDIS_URI",
        uri,
        "TIERCACHE_REDIS_USERNAME",
        "app",
        "TIERCACHE_REDIS_PASSWORD",
        secret));
    String described = TierCacheConfig.merge(List.of(config), Set.of()).describe(Set.of());
    assertFalse(described.contains(secret), described);
    assertTrue(described.contains("tiercache.redis.password = ****"), described);
    assertTrue(described.contains("redis://app:***@127.0.0.1:1"), described);
    String badUri = badEnv("TIERCACHE_REDIS_URI", "redis://app:" + secret + "@host:99999");
    assertFalse(badUri.contains(secret), badUri);
    String badPassword = badProperty("tiercache.redis.password", "");
    assertFalse(badPassword.contains(secret), badPassword);
    assertTrue(badPassword.contains("\"****\""), badPassword);
  }

  @Test
  void shownValue_redactsUriCredentials_andHidesSecrets_whereValueGivesThemAsWritten() {
    String secret = "s3cr3t-Pa55";
    String uri = "redis://app:" + secret + "@127.0.0.1:1";
    TierCacheConfig config = TierCacheConfig.fromEnvironment(Map.of(
        "REDIS_URL", uri, "TIERCACHE_REDIS_PASSWORD", secret, "TIERCACHE_KEY_PREFIX", "shop"));
    assertEquals(uri, config.value("redis.uri").orElseThrow());
    assertEquals("redis://app:***@127.0.0.1:1", config.shownValue("redis.uri").orElseThrow());
    assertEquals(
        "redis://app:***@127.0.0.1:1", config.shownValue("tiercache.redis.uri").orElseThrow());
    assertEquals(secret, config.value("redis.password").orElseThrow());
    assertEquals("****", config.shownValue("redis.password").orElseThrow());
    assertEquals("shop", config.shownValue("key-prefix").orElseThrow());
    assertTrue(config.shownValue("redis.cluster").isEmpty());
    assertEquals(
        "property must not be null",
        assertThrows(NullPointerException.class, () -> config.shownValue(null)).getMessage());
  }

  @Test
  void durations_acceptShortAndIsoForms() {
    Function<String, Duration> parse = TierCacheConfig::parseDuration;
    assertEquals(Duration.ofMillis(250), parse.apply("250ms"));
    assertEquals(Duration.ofSeconds(30), parse.apply("30s"));
    assertEquals(Duration.ofMinutes(30), parse.apply("30m"));
    assertEquals(Duration.ofHours(2), parse.apply("2h"));
    assertEquals(Duration.ofDays(1), parse.apply("1d"));
    assertEquals(Duration.ofHours(2), parse.apply("PT2H"));
    for (String bad : new String[] {"2 hours", "h", "", "-1s", "PTX", "99999999999999999s"}) {
      assertThrows(IllegalArgumentException.class, () -> parse.apply(bad), bad);
    }
  }

  @Test
  void yaml_mustBeAMappingUnderTiercache_andBadYamlNamesTheSource() {
    assertTrue(assertThrows(
            IllegalArgumentException.class,
            () -> TierCacheConfig.fromYaml("tiercache: 3", "file a.yml"))
        .getMessage()
        .contains("tiercache in file a.yml must be a mapping"));
    assertTrue(assertThrows(
            IllegalArgumentException.class,
            () -> TierCacheConfig.fromYaml("tiercache:\n  key-prefix: [a\n", "file b.yml"))
        .getMessage()
        .startsWith("cannot parse YAML of file b.yml"));
    assertTrue(
        TierCacheConfig.fromYaml("server:\n  port: 1\n", "file c.yml")
            .toString()
            .equals("TierCacheConfig"),
        "no tiercache root: nothing");
    assertThrows(
        IllegalArgumentException.class, () -> TierCacheConfig.fromFile(dir.resolve("x.json")));
    assertTrue(assertThrows(
            IllegalArgumentException.class,
            () -> TierCacheConfig.fromFile(dir.resolve("missing.yml")))
        .getMessage()
        .startsWith("cannot read configuration file"));
  }

  @Test
  void eventsFromConfiguration_areRegistered() {
    TierCache tier = open(TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("ev")
        .config(TierCacheConfig.fromMap(
            Map.of("events", Map.of("user-changed", List.of("user:{id}", "user:{id}:*"))), "map"))
        .cache("c", c -> c.valueType(String.class).sharedKeys(true)));
    Cache<String, String> c = tier.cache("c", String.class);
    c.put("user:1", "a");
    c.put("user:1:orders", "b");
    c.put("user:2", "z");
    tier.events().publish("user-changed", Map.of("id", "1"));
    assertEquals(null, c.getIfPresent("user:1"));
    assertEquals(null, c.getIfPresent("user:1:orders"));
    assertEquals("z", c.getIfPresent("user:2"));
  }

  @Test
  void thePersistentLevel_isSetByConfiguration_andItsBoundNeedsADirectory() {
    TierCache tier = open(TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("l3c")
        .config(TierCacheConfig.fromMap(
            Map.of(
                "caches",
                Map.of(
                    "c",
                    Map.of("l3", Map.of("directory", dir.toString(), "max-bytes", "2097152")))),
            "map"))
        .cache("c", c -> c.valueType(String.class)));
    CacheSpec spec = tier.cache("c", String.class).spec();
    assertTrue(spec.l3Enabled());
    assertEquals(dir, spec.l3Directory());
    assertEquals(2_097_152L, spec.l3MaxBytes());
    TierCacheBuilder bound = TierCache.builder()
        .config(TierCacheConfig.fromMap(Map.of("caches.c.l3.max-bytes", "2097152"), "map"))
        .cache("c", c -> c.valueType(String.class));
    assertTrue(assertThrows(IllegalArgumentException.class, bound::build)
        .getMessage()
        .contains("l3.max-bytes needs l3.directory"));
    assertTrue(badProperty("tiercache.caches.c.l3.max-bytes", "10")
        .contains("l3 maxBytes must be between"));
  }

  @Test
  void docsConfigurationTable_listsEverySetting_withItsEnvironmentVariable() throws IOException {
    String docs =
        Files.readString(Path.of("..", "docs", "configuration.md"), StandardCharsets.UTF_8);
    for (TierCacheConfig.Setting s : TierCacheConfig.GLOBAL) {
      String row = "| `tiercache." + s.name() + "` | `" + s.env("TIERCACHE_") + "` |";
      assertTrue(docs.contains(row), "docs/configuration.md lacks " + row);
    }
    for (TierCacheConfig.Setting s : TierCacheConfig.CACHE) {
      String row = "| `tiercache.caches.<name>." + s.name() + "` | `"
          + s.env("TIERCACHE_CACHES_<NAME>_") + "` |";
      assertTrue(docs.contains(row), "docs/configuration.md lacks " + row);
    }
  }
}
