package io.tiercache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.internal.redis.RedisEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings read from outside the code: the environment, a {@code .properties} file, a YAML file or
 * a map, under the names of docs/configuration.md ({@code tiercache.redis.uri},
 * {@code tiercache.key-prefix}, {@code tiercache.defaults.ttl}, {@code tiercache.caches.users.ttl};
 * in the environment {@code TIERCACHE_REDIS_URI}, {@code TIERCACHE_CACHES_USERS_TTL}, and
 * {@code REDIS_URL} when neither {@code TIERCACHE_REDIS_URI} nor {@code TIERCACHE_REDIS_CLUSTER} is
 * set). Hand them to {@link TierCacheBuilder#config}:
 *
 * <pre>{@code
 * TierCache tier = TierCache.builder()
 *     .config(TierCacheConfig.fromFile(Path.of("tiercache.yml")))
 *     .config(TierCacheConfig.fromEnvironment())
 *     .cache("users", c -> c.valueType(User.class))
 *     .build();
 * }</pre>
 *
 * <p>Precedence, strongest first: explicit builder calls, the environment, files and maps (a later
 * {@code config} call over an earlier one), annotation values, the defaults. Every value is checked
 * when it is read: a bad one throws {@link IllegalArgumentException} naming the property, where it
 * came from, the value (secrets redacted) and the rule. An unknown name under {@code tiercache.}
 * (or {@code TIERCACHE_}) is an error too: a typo must not pass as a default.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class TierCacheConfig {

  /** Where a layer comes from: the environment is stronger than files and maps. */
  enum Origin {
    FILE,
    ENVIRONMENT
  }

  /** A value as read (a text, or a list of texts), with where it came from. */
  record Value(Object raw, String source) {
    String text() {
      return raw instanceof List<?> list ? String.join(",", stringList(list)) : (String) raw;
    }

    List<String> list() {
      if (raw instanceof List<?> list) {
        return stringList(list);
      }
      List<String> out = new ArrayList<>();
      for (String part : ((String) raw).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return out;
    }

    private static List<String> stringList(List<?> list) {
      List<String> out = new ArrayList<>(list.size());
      for (Object o : list) {
        out.add(String.valueOf(o));
      }
      return out;
    }
  }

  /** The type of a setting, for parsing and for messages. */
  enum Type {
    DURATION("a duration such as 250ms, 30s, 30m, 2h, 1d or PT2H"),
    INT("a whole number"),
    LONG("a whole number"),
    DOUBLE("a decimal number"),
    BOOLEAN("true or false"),
    STRING("a text"),
    SECRET("a text"),
    LIST("a comma-separated list"),
    PATH("a file path"),
    STRATEGY("cache-aside, write-through or write-back"),
    COHERENCE("none, stream, stream-and-tracking or tracking"),
    ZONE("a zone id such as UTC or Asia/Shanghai"),
    CLASS("a fully qualified class name");

    final String rule;

    Type(String rule) {
      this.rule = rule;
    }
  }

  /** One setting of the schema; per-cache settings are named without their cache prefix. */
  record Setting(String name, Type type, String defaultText, String meaning) {
    String env(String prefix) {
      return prefix + envForm(name);
    }
  }

  /** Settings of the whole instance, relative to {@code tiercache.}. */
  static final List<Setting> GLOBAL = List.of(
      new Setting(
          "redis.uri",
          Type.STRING,
          "none",
          "the Redis server: redis://, rediss://, redis-sentinel:// or "
              + "rediss-sentinel://; REDIS_URL is read when neither this nor redis.cluster is set"),
      new Setting(
          "redis.cluster",
          Type.LIST,
          "none",
          "seed nodes of a Redis Cluster, instead of redis.uri"),
      new Setting(
          "redis.username",
          Type.STRING,
          "none (the default user)",
          "ACL user; needs redis.password"),
      new Setting(
          "redis.password",
          Type.SECRET,
          "none",
          "password for every connection, overriding the URIs'"),
      new Setting(
          "redis.trusted-certificates",
          Type.PATH,
          "the JVM's trust store",
          "PEM file of certificates to " + "trust for rediss://"),
      new Setting(
          "redis.command-timeout", Type.DURATION, "250ms", "a slower command degrades the call"),
      new Setting("redis.connect-timeout", Type.DURATION, "1s", "connecting, handshake included"),
      new Setting(
          "redis.probe-interval", Type.DURATION, "1s", "how often an open breaker pings Redis"),
      new Setting(
          "redis.breaker.failures",
          Type.INT,
          "3",
          "failure events (1 to 1000) within the window that " + "open the breaker"),
      new Setting(
          "redis.breaker.window", Type.DURATION, "1s", "the breaker's window, 10 ms to 1 min"),
      new Setting("key-prefix", Type.STRING, "tiercache", "every Redis key starts with prefix:"),
      new Setting("max-key-length", Type.INT, "512", "longer keys hash their tail; at least 64"),
      new Setting("max-pending-deletes", Type.INT, "100000", "deletes remembered during an outage"),
      new Setting(
          "allow-undeclared-caches",
          Type.BOOLEAN,
          "false",
          "let cache(name, type) create undeclared caches"),
      new Setting(
          "coherence.mode", Type.COHERENCE, "stream", "how L1 stays coherent across instances"),
      new Setting(
          "coherence.stream-length",
          Type.LONG,
          "100000",
          "messages the invalidation stream keeps; " + "at least 1000"),
      new Setting(
          "coherence.load-race-window",
          Type.DURATION,
          "2s",
          "how long a loaded value is remembered to "
              + "undo it when an invalidation overtakes it"),
      new Setting(
          "coherence.mass-invalidation-rate",
          Type.LONG,
          "50000",
          "keys per second a pattern invalidation " + "deletes at most; 0 for no limit"),
      new Setting(
          "coherence.strict-bound",
          Type.DURATION,
          "off",
          "L1 answers only while the stream was read to "
              + "its end within this bound; 20 ms to 1 h"),
      new Setting(
          "coherence.shards",
          Type.INT,
          "0",
          "invalidation streams on a Redis Cluster, 1 to 1024; 0 for one "
              + "per master; standalone and Sentinel use one"),
      new Setting(
          "coherence.batch-appends",
          Type.BOOLEAN,
          "true",
          "key invalidations published while an append is "
              + "in flight go out together in the next"),
      new Setting(
          "coherence.read-interval",
          Type.DURATION,
          "auto",
          "how often, at most, a busy invalidation "
              + "stream is read; 0 to 100 ms; auto: 0.1 ms per live instance, 1 to 20 ms"));

  /** Settings of one cache, under {@code tiercache.defaults.} or {@code tiercache.caches.<name>.}. */
  static final List<Setting> CACHE = List.of(
      new Setting(
          "value-type", Type.CLASS, "none", "the value class, for caches declared only here"),
      new Setting("ttl", Type.DURATION, "1h", "time to live in Redis"),
      new Setting(
          "ttl-jitter",
          Type.DOUBLE,
          "0",
          "each TTL is multiplied by a random factor in [1 - j, 1 + j]; " + "[0, 1)"),
      new Setting("cache-nulls", Type.BOOLEAN, "true", "cache a null loader result"),
      new Setting("null-ttl", Type.DURATION, "1m", "TTL of a cached null"),
      new Setting("l1", Type.BOOLEAN, "true", "the in-process level"),
      new Setting("l1-max-size", Type.LONG, "10000", "L1 entries"),
      new Setting("l1-ttl", Type.DURATION, "min(ttl, 10m)", "L1 lifetime, capped at ttl"),
      new Setting("l2", Type.BOOLEAN, "true", "the Redis level"),
      new Setting(
          "strategy",
          Type.STRATEGY,
          "cache-aside",
          "write strategy; write-through and write-back need a " + "writer set in code"),
      new Setting(
          "compression-threshold", Type.INT, "1024", "larger encoded values are compressed; bytes"),
      new Setting(
          "max-value-size",
          Type.INT,
          "4194304",
          "largest encoded value in bytes, 1 KiB to 512 MiB"),
      new Setting(
          "shared-keys",
          Type.BOOLEAN,
          "false",
          "keys in the space shared by every cache that sets this"),
      new Setting(
          "write-back.capacity", Type.INT, "10000", "distinct keys queued before a put flushes"),
      new Setting("write-back.batch-size", Type.INT, "500", "entries per writeAll"),
      new Setting("write-back.interval", Type.DURATION, "1s", "time between flushes"),
      new Setting(
          "write-back.max-attempts", Type.INT, "5", "attempts before an entry is dead-lettered"),
      new Setting(
          "write-back.backoff", Type.DURATION, "100ms", "first retry delay, doubled per attempt"),
      new Setting(
          "refresh-after", Type.DURATION, "off", "refresh hot entries ahead of expiry, this often"),
      new Setting(
          "refresh-idle-periods",
          Type.INT,
          "2",
          "refresh periods without a read before a key is dropped " + "from refresh"),
      new Setting("refresh-max-keys", Type.LONG, "10000", "keys refreshed ahead at most"),
      new Setting(
          "early-refresh-beta", Type.DOUBLE, "off", "probabilistic early refresh (XFetch) beta"),
      new Setting(
          "distributed-load",
          Type.DURATION,
          "off",
          "one loader across instances; the longest wait for " + "another instance's load"),
      new Setting(
          "write-loaded-async",
          Type.BOOLEAN,
          "false",
          "write a loaded value to Redis after returning it"),
      new Setting(
          "hot-keys", Type.DURATION, "off", "count reads over this sliding window for hottestKeys"),
      new Setting(
          "bloom-guard.expected-keys",
          Type.LONG,
          "off",
          "size the cache's Bloom guard for this many keys"),
      new Setting(
          "bloom-guard.false-positive-rate",
          Type.DOUBLE,
          "0.01",
          "the guard's target false-positive rate"),
      new Setting(
          "replica-acks.replicas", Type.INT, "0", "replicas every write waits for (WAIT); 0 to 16"),
      new Setting(
          "replica-acks.timeout", Type.DURATION, "100ms", "the longest such wait, up to 1 min"),
      new Setting(
          "l3.directory",
          Type.PATH,
          "off",
          "the persistent level's directory on local disk " + "(docs/persistent-level.md)"),
      new Setting(
          "l3.max-bytes",
          Type.LONG,
          "268435456",
          "the persistent level's bound in bytes, 1 MiB to 1 TiB"),
      new Setting(
          "expire-at-next-midnight",
          Type.ZONE,
          "off",
          "entries expire at the next midnight in this zone at " + "the latest"));

  private static final String PREFIX = "tiercache.";
  private static final String ENV_PREFIX = "TIERCACHE_";
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
  private static final Duration DEFAULT_REPLICA_ACK_TIMEOUT = Duration.ofMillis(100);
  private static final long DEFAULT_L3_MAX_BYTES = 256L * 1024 * 1024;
  /**
   * Per-cache settings that are the second half of a pair, with the setting they need: applied by
   * their partner's builder call ({@code bloomGuard(n, rate)}, {@code replicaAcks(n, timeout)},
   * {@code l3(directory, maxBytes)}), which defaults them when they are absent.
   */
  private static final Map<String, String> PARTNERS = Map.of(
      "bloom-guard.false-positive-rate", "bloom-guard.expected-keys",
      "replica-acks.timeout", "replica-acks.replicas",
      "l3.max-bytes", "l3.directory");

  private final Origin origin;
  /** Instance settings by name ({@code redis.uri}), and events by {@code events.<name>}. */
  private final Map<String, Value> globals;
  /** Per-cache settings by cache name; {@code ""} holds {@code defaults}. */
  private final Map<String, Map<String, Value>> caches;
  /** Cache names read from the environment, upper case, matched to declared names at build. */
  private final Set<String> envCacheNames;

  private TierCacheConfig(
      Origin origin,
      Map<String, Value> globals,
      Map<String, Map<String, Value>> caches,
      Set<String> envCacheNames) {
    this.origin = origin;
    this.globals = globals;
    this.caches = caches;
    this.envCacheNames = envCacheNames;
  }

  /** The process environment ({@code TIERCACHE_*}, and {@code REDIS_URL}). */
  public static TierCacheConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Environment variables: {@code TIERCACHE_} and the property name upper-cased with {@code .} and
   * {@code -} as {@code _} ({@code TIERCACHE_CACHES_USERS_TTL}); {@code REDIS_URL} when neither
   * {@code TIERCACHE_REDIS_URI} nor {@code TIERCACHE_REDIS_CLUSTER} is set. Other variables are
   * ignored.
   *
   * @param environment variable names to values, not null
   */
  public static TierCacheConfig fromEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment must not be null");
    Builder b = new Builder(Origin.ENVIRONMENT);
    for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
      String name = e.getKey();
      if (name == null || e.getValue() == null || !name.startsWith(ENV_PREFIX)) {
        continue;
      }
      b.putEnv(
          name.substring(ENV_PREFIX.length()),
          new Value(e.getValue(), "environment variable " + name));
    }
    String redisUrl = environment.get("REDIS_URL");
    if (redisUrl != null
        && !b.globals.containsKey("redis.uri")
        && !b.globals.containsKey("redis.cluster")) {
      b.put("redis.uri", new Value(redisUrl, "environment variable REDIS_URL"), "redis.uri");
    }
    return b.build();
  }

  /**
   * A {@code .properties}, {@code .yml} or {@code .yaml} file, by its extension. Only names under
   * {@code tiercache.} (the {@code tiercache:} root in YAML) are read, so the file may be the
   * application's own. YAML needs {@code com.fasterxml.jackson.dataformat:jackson-dataformat-yaml}.
   *
   * @throws IllegalArgumentException if the file cannot be read or parsed, or a setting is bad
   */
  public static TierCacheConfig fromFile(Path file) {
    Objects.requireNonNull(file, "file must not be null");
    String name =
        file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".properties")) {
      return fromProperties(file);
    }
    if (name.endsWith(".yml") || name.endsWith(".yaml")) {
      return fromYaml(file);
    }
    throw new IllegalArgumentException(
        "file must end with .properties, .yml or .yaml, was " + file);
  }

  /** A {@code .properties} file; names under {@code tiercache.} are read, others ignored. */
  public static TierCacheConfig fromProperties(Path file) {
    Objects.requireNonNull(file, "file must not be null");
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    return fromProperties(properties, "file " + file);
  }

  /**
   * Properties; names under {@code tiercache.} are read, others ignored.
   *
   * @param source where they come from, for messages ({@code "file app.properties"})
   */
  public static TierCacheConfig fromProperties(Properties properties, String source) {
    Objects.requireNonNull(properties, "properties must not be null");
    Objects.requireNonNull(source, "source must not be null");
    Builder b = new Builder(Origin.FILE);
    for (String name : new TreeSet<>(properties.stringPropertyNames())) {
      if (name.startsWith(PREFIX)) {
        b.putProperty(
            name.substring(PREFIX.length()), new Value(properties.getProperty(name), source));
      }
    }
    return b.build();
  }

  /** A YAML file; the {@code tiercache:} root is read, others ignored. */
  public static TierCacheConfig fromYaml(Path file) {
    Objects.requireNonNull(file, "file must not be null");
    try (InputStream in = Files.newInputStream(file)) {
      return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), "file " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * YAML text; the {@code tiercache:} root is read, others ignored.
   *
   * @param source where it comes from, for messages
   */
  public static TierCacheConfig fromYaml(String yaml, String source) {
    Objects.requireNonNull(yaml, "yaml must not be null");
    Objects.requireNonNull(source, "source must not be null");
    JsonNode root;
    try {
      root = Yaml.mapper().readTree(new StringReader(yaml));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot parse YAML of " + source + ": " + firstLine(e.getMessage()), e);
    }
    Builder b = new Builder(Origin.FILE);
    JsonNode node = root == null ? null : root.get("tiercache");
    if (node != null && !node.isNull()) {
      if (!node.isObject()) {
        throw new IllegalArgumentException(
            "tiercache in " + source + " must be a mapping of settings");
      }
      flatten("", node, source, b);
    }
    return b.build();
  }

  /**
   * A map of settings, named relative to {@code tiercache.} or with it ({@code redis.uri},
   * {@code caches.users.ttl}), values as texts, numbers, booleans, {@link Duration}s, {@link Path}s
   * or collections of texts; nested maps are read as their names joined with {@code .}.
   *
   * @param source where they come from, for messages
   */
  public static TierCacheConfig fromMap(Map<String, ?> properties, String source) {
    Objects.requireNonNull(properties, "properties must not be null");
    Objects.requireNonNull(source, "source must not be null");
    Builder b = new Builder(Origin.FILE);
    putAll("", properties, source, b);
    return b.build();
  }

  private static void putAll(String prefix, Map<?, ?> map, String source, Builder b) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Objects.requireNonNull(e.getKey(), "properties must not hold a null name");
      String name = prefix + e.getKey();
      if (prefix.isEmpty() && name.startsWith(PREFIX)) {
        name = name.substring(PREFIX.length());
      }
      Object v = e.getValue();
      if (v == null) {
        continue;
      }
      if (v instanceof Map<?, ?> nested) {
        putAll(name + ".", nested, source, b);
      } else if (v instanceof Collection<?> list) {
        b.putProperty(
            name, new Value(List.copyOf(list.stream().map(String::valueOf).toList()), source));
      } else if (v instanceof Duration d) {
        b.putProperty(name, new Value(d.toString(), source));
      } else {
        b.putProperty(name, new Value(String.valueOf(v), source));
      }
    }
  }

  private static void flatten(String prefix, JsonNode node, String source, Builder b) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = prefix + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(name + ".", v, source, b);
      } else if (v.isArray()) {
        List<String> list = new ArrayList<>();
        for (JsonNode item : v) {
          if (!item.isValueNode()) {
            throw new IllegalArgumentException(
                PREFIX + name + " in " + source + " must be a list of values");
          }
          list.add(item.asText());
        }
        b.putProperty(name, new Value(List.copyOf(list), source));
      } else if (!v.isNull()) {
        b.putProperty(name, new Value(v.asText(), source));
      }
    }
  }

  /** Collects and checks settings. */
  private static final class Builder {
    final Origin origin;
    final Map<String, Value> globals = new LinkedHashMap<>();
    final Map<String, Map<String, Value>> caches = new LinkedHashMap<>();
    final Set<String> envCacheNames = new HashSet<>();

    Builder(Origin origin) {
      this.origin = origin;
    }

    /** A property name relative to {@code tiercache.}: settings in kebab or camel case. */
    void putProperty(String name, Value value) {
      String full = PREFIX + name;
      if (name.startsWith("caches.")) {
        String rest = name.substring("caches.".length());
        Setting s = longestSuffix(rest, '.', false);
        if (s == null) {
          throw unknown(
              full,
              value,
              "a setting of a cache: tiercache.caches.<name>.<setting>, settings " + names(CACHE));
        }
        int at = rest.length();
        for (int i = 0, dots = (int) s.name().chars().filter(c -> c == '.').count();
            i <= dots;
            i++) {
          at = rest.lastIndexOf('.', at - 1);
        }
        String cache = rest.substring(0, at);
        try {
          TierCacheBuilder.checkCacheName(cache);
        } catch (IllegalArgumentException e) {
          throw bad(full, value, null, "names " + e.getMessage());
        }
        putCache(cache, s, value, full);
      } else if (name.startsWith("defaults.")) {
        Setting s = find(CACHE, kebab(name.substring("defaults.".length())));
        if (s == null) {
          throw unknown(full, value, "a setting of tiercache.defaults: " + names(CACHE));
        }
        putCache("", s, value, full);
      } else if (name.startsWith("events.")) {
        String event = name.substring("events.".length());
        put("events." + event, value, full);
      } else {
        Setting s = find(GLOBAL, kebab(name));
        if (s == null) {
          throw unknown(
              full,
              value,
              "a Tiercache setting: " + names(GLOBAL)
                  + ", defaults.<setting>, caches.<name>.<setting>, events.<name>");
        }
        put(s.name(), value, full);
      }
    }

    /** An environment name after {@code TIERCACHE_}. */
    void putEnv(String name, Value value) {
      String full = ENV_PREFIX + name;
      if (name.startsWith("CACHES_")) {
        String rest = name.substring("CACHES_".length());
        Setting s = longestSuffix(rest, '_', true);
        if (s == null) {
          throw unknown(
              full,
              value,
              "a setting of a cache: TIERCACHE_CACHES_<NAME>_<SETTING>, settings "
                  + envNames(CACHE));
        }
        String cache = rest.substring(0, rest.length() - envForm(s.name()).length() - 1);
        envCacheNames.add(cache);
        putCache(cache, s, value, full);
      } else if (name.startsWith("DEFAULTS_")) {
        Setting s = findEnv(CACHE, name.substring("DEFAULTS_".length()));
        if (s == null) {
          throw unknown(full, value, "a setting of TIERCACHE_DEFAULTS_: " + envNames(CACHE));
        }
        putCache("", s, value, full);
      } else if (name.startsWith("EVENTS_") && name.length() > "EVENTS_".length()) {
        put("events." + name.substring("EVENTS_".length()).toLowerCase(Locale.ROOT), value, full);
      } else {
        Setting s = findEnv(GLOBAL, name);
        if (s == null) {
          throw unknown(
              full,
              value,
              "a Tiercache setting: " + envNames(GLOBAL)
                  + ", DEFAULTS_<SETTING>, CACHES_<NAME>_<SETTING>, EVENTS_<NAME>");
        }
        put(s.name(), value, full);
      }
    }

    void put(String name, Value value, String shownAs) {
      if (name.startsWith("events.")) {
        String event = name.substring("events.".length());
        try {
          EventRegistry.parse(event, value.list().toArray(String[]::new));
        } catch (RuntimeException e) {
          throw bad(shownAs, value, null, e.getMessage());
        }
      } else {
        check(find(GLOBAL, name), value, shownAs);
      }
      globals.put(name, value);
    }

    void putCache(String cache, Setting s, Value value, String shownAs) {
      check(s, value, shownAs);
      caches.computeIfAbsent(cache, k -> new LinkedHashMap<>()).put(s.name(), value);
    }

    private Setting longestSuffix(String rest, char separator, boolean env) {
      Setting best = null;
      for (Setting s : CACHE) {
        String suffix = env ? envForm(s.name()) : s.name();
        boolean matches =
            env ? rest.endsWith(separator + suffix) : kebabSuffix(rest, suffix, separator);
        if (matches
            && rest.length() > suffix.length() + 1
            && (best == null
                || suffix.length() > (env ? envForm(best.name()) : best.name()).length())) {
          best = s;
        }
      }
      return best;
    }

    /** Whether {@code rest} ends with {@code .setting} written in kebab or camel case. */
    private static boolean kebabSuffix(String rest, String setting, char separator) {
      int dots = (int) setting.chars().filter(c -> c == '.').count();
      int at = rest.length();
      for (int i = 0; i <= dots; i++) {
        at = rest.lastIndexOf(separator, at - 1);
        if (at <= 0) {
          return false;
        }
      }
      return kebab(rest.substring(at + 1)).equals(setting);
    }

    TierCacheConfig build() {
      Map<String, Map<String, Value>> c = new LinkedHashMap<>();
      caches.forEach((k, v) -> c.put(k, Map.copyOf(v)));
      return new TierCacheConfig(origin, Map.copyOf(globals), c, Set.copyOf(envCacheNames));
    }
  }

  // ---------------------------------------------------------------- checking and parsing

  /** Parses {@code value} as {@code s} requires and applies it to a scratch builder for the range rules. */
  private static void check(Setting s, Value value, String shownAs) {
    Object parsed = parse(s, value, shownAs);
    try {
      if (GLOBAL.contains(s)) {
        applyGlobal(new TierCacheBuilder(), s.name(), parsed, null);
      } else {
        CacheSpec.Builder spec = CacheSpec.defaults().toBuilder();
        applyCache(spec, s.name(), parsed);
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      throw bad(shownAs, value, s, e.getMessage());
    }
  }

  static Object parse(Setting s, Value value, String shownAs) {
    String text = value.text().trim();
    try {
      return switch (s.type()) {
        case DURATION -> parseDuration(text);
        case INT -> Integer.parseInt(text.replace("_", ""));
        case LONG -> Long.parseLong(text.replace("_", ""));
        case DOUBLE -> {
          double d = Double.parseDouble(text);
          if (!Double.isFinite(d)) {
            throw new IllegalArgumentException();
          }
          yield d;
        }
        case BOOLEAN -> {
          if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException();
          }
          yield Boolean.parseBoolean(text);
        }
        case STRING, SECRET, CLASS -> {
          if (text.isEmpty()) {
            throw new IllegalArgumentException();
          }
          yield text;
        }
        case LIST -> {
          List<String> list = value.list();
          if (list.isEmpty()) {
            throw new IllegalArgumentException();
          }
          yield list;
        }
        case PATH -> Path.of(text);
        case STRATEGY -> Strategy.valueOf(enumForm(text));
        case COHERENCE -> CoherenceMode.valueOf(enumForm(text));
        case ZONE -> {
          ZoneId.of(text);
          yield text;
        }
      };
    } catch (IllegalArgumentException | DateTimeException e) {
      throw bad(shownAs, value, s, "must be " + s.type().rule);
    }
  }

  /**
   * {@code 250ms}, {@code 30s}, {@code 30m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT2H},
   * {@code P1D}); {@code 0} for none where a setting allows it.
   */
  static Duration parseDuration(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = SHORT_DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    if (!text.isEmpty() && (text.charAt(0) == 'P' || text.charAt(0) == 'p')) {
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("not a duration: " + text, e);
      }
    }
    throw new IllegalArgumentException("not a duration: " + text);
  }

  private static String enumForm(String text) {
    return text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The value as a message may show it: secrets hidden, credentials in URIs redacted. */
  static String shown(Setting s, Value value) {
    if (s != null && s.type() == Type.SECRET) {
      return "****";
    }
    if (s != null && (s.name().equals("redis.uri") || s.name().equals("redis.cluster"))) {
      List<String> out = new ArrayList<>();
      for (String uri : value.list()) {
        out.add(RedisEndpoint.redact(uri));
      }
      return String.join(",", out);
    }
    String text = value.text();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private static IllegalArgumentException bad(String shownAs, Value value, Setting s, String rule) {
    String reason = rule == null ? "is not valid" : rule;
    // a builder's message may quote the value: never let it carry a secret
    if (s != null && s.type() == Type.SECRET) {
      reason = "is not valid";
    }
    return new IllegalArgumentException(
        shownAs + " = \"" + shown(s, value) + "\" (" + value.source() + "): " + reason);
  }

  private static IllegalArgumentException unknown(String shownAs, Value value, String expected) {
    return new IllegalArgumentException(shownAs + " (" + value.source() + ") is not " + expected);
  }

  private static Setting find(List<Setting> settings, String name) {
    for (Setting s : settings) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  private static Setting findEnv(List<Setting> settings, String envName) {
    for (Setting s : settings) {
      if (envForm(s.name()).equals(envName)) {
        return s;
      }
    }
    return null;
  }

  private static String names(List<Setting> settings) {
    return String.join(", ", settings.stream().map(Setting::name).toList());
  }

  private static String envNames(List<Setting> settings) {
    return String.join(", ", settings.stream().map(s -> envForm(s.name())).toList());
  }

  /** {@code redis.command-timeout} as {@code REDIS_COMMAND_TIMEOUT}. */
  static String envForm(String name) {
    return name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** {@code l1MaxSize} or {@code l1_max_size} as {@code l1-max-size}; dots kept. */
  static String kebab(String name) {
    StringBuilder out = new StringBuilder(name.length() + 4);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0 && name.charAt(i - 1) != '.' && name.charAt(i - 1) != '-') {
          out.append('-');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c == '_' ? '-' : c);
      }
    }
    return out.toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  // ---------------------------------------------------------------- applying

  /** Applies one instance setting; {@code current} holds the layer's other values (pairs). */
  private static void applyGlobal(
      TierCacheBuilder b, String name, Object v, Map<String, Object> current) {
    switch (name) {
      case "redis.uri" -> b.redisUri((String) v);
      case "redis.cluster" -> {
        @SuppressWarnings("unchecked")
        List<String> seeds = (List<String>) v;
        b.redisCluster(seeds);
      }
      case "redis.username" -> {
        if (current != null && !current.containsKey("redis.password")) {
          throw new IllegalArgumentException("redis.username needs redis.password");
        }
      }
      case "redis.password" ->
        b.redisCredentials(
            current == null ? null : (String) current.get("redis.username"), (String) v);
      case "redis.trusted-certificates" -> b.redisTrustedCertificates((Path) v);
      case "redis.command-timeout" -> b.commandTimeout((Duration) v);
      case "redis.connect-timeout" -> b.connectTimeout((Duration) v);
      case "redis.probe-interval" -> b.probeInterval((Duration) v);
      case "redis.breaker.failures" ->
        b.breaker(
            (Integer) v,
            current != null && current.containsKey("redis.breaker.window")
                ? (Duration) current.get("redis.breaker.window")
                : b.breakerWindow);
      case "redis.breaker.window" ->
        b.breaker(
            current != null && current.containsKey("redis.breaker.failures")
                ? (Integer) current.get("redis.breaker.failures")
                : b.breakerFailures,
            (Duration) v);
      case "key-prefix" -> b.keyPrefix((String) v);
      case "max-key-length" -> b.maxKeyLength((Integer) v);
      case "max-pending-deletes" -> b.maxPendingDeletes((Integer) v);
      case "allow-undeclared-caches" -> b.allowUndeclaredCaches((Boolean) v);
      case "coherence.mode" -> b.coherence((CoherenceMode) v);
      case "coherence.stream-length" -> b.invalidationStreamLength((Long) v);
      case "coherence.load-race-window" -> b.loadRaceWindow((Duration) v);
      case "coherence.strict-bound" -> b.strictCoherence((Duration) v);
      case "coherence.shards" -> b.coherenceShards((Integer) v);
      case "coherence.batch-appends" -> b.coherenceBatching((Boolean) v);
      case "coherence.read-interval" -> b.coherenceReadInterval((Duration) v);
      case "coherence.mass-invalidation-rate" -> b.massInvalidationRate((Long) v);
      default -> throw new IllegalStateException("no rule for " + name);
    }
  }

  /** Applies one cache setting; pairs (bloom guard, replica acks) read their partner from {@code all}. */
  private static void applyCache(CacheSpec.Builder b, String name, Object v) {
    applyCache(b, name, v, Map.of());
  }

  private static void applyCache(
      CacheSpec.Builder b, String name, Object v, Map<String, Object> all) {
    switch (name) {
      case "value-type" -> b.valueType(loadClass((String) v));
      case "ttl" -> b.ttl((Duration) v);
      case "ttl-jitter" -> b.ttlJitter((Double) v);
      case "cache-nulls" -> b.cacheNulls((Boolean) v);
      case "null-ttl" -> b.nullTtl((Duration) v);
      case "l1" -> b.l1((Boolean) v);
      case "l1-max-size" -> b.l1MaxSize((Long) v);
      case "l1-ttl" -> b.l1Ttl((Duration) v);
      case "l2" -> b.l2((Boolean) v);
      case "strategy" -> b.strategy((Strategy) v);
      case "compression-threshold" -> b.compressionThreshold((Integer) v);
      case "max-value-size" -> b.maxValueSize((Integer) v);
      case "shared-keys" -> b.sharedKeys((Boolean) v);
      case "write-back.capacity" -> b.writeBackCapacity((Integer) v);
      case "write-back.batch-size" -> b.writeBackBatchSize((Integer) v);
      case "write-back.interval" -> b.writeBackInterval((Duration) v);
      case "write-back.max-attempts" -> b.writeBackMaxAttempts((Integer) v);
      case "write-back.backoff" -> b.writeBackBackoff((Duration) v);
      case "refresh-after" -> b.refreshAfter((Duration) v);
      case "refresh-idle-periods" -> b.refreshIdlePeriods((Integer) v);
      case "refresh-max-keys" -> b.refreshMaxKeys((Long) v);
      case "early-refresh-beta" -> b.earlyRefreshBeta((Double) v);
      case "distributed-load" -> b.distributedLoad((Duration) v);
      case "write-loaded-async" -> b.writeLoadedAsync((Boolean) v);
      case "hot-keys" -> b.hotKeys((Duration) v);
      case "bloom-guard.expected-keys" ->
        b.bloomGuard((Long) v, (Double) all.getOrDefault(
            "bloom-guard.false-positive-rate", CacheSpec.DEFAULT_BLOOM_GUARD_RATE));
      // the second half of a pair: its range only; applyTo applies it with its partner
      case "bloom-guard.false-positive-rate" -> b.bloomGuard(1, (Double) v);
      case "replica-acks.replicas" ->
        b.replicaAcks((Integer) v, (Duration)
            all.getOrDefault("replica-acks.timeout", DEFAULT_REPLICA_ACK_TIMEOUT));
      case "replica-acks.timeout" -> b.replicaAcks(1, (Duration) v);
      case "l3.directory" ->
        b.l3((Path) v, (Long) all.getOrDefault("l3.max-bytes", DEFAULT_L3_MAX_BYTES));
      case "l3.max-bytes" -> {
        b.l3(Path.of(System.getProperty("java.io.tmpdir")), (Long) v);
        b.l3Off();
      }
      case "expire-at-next-midnight" -> b.expireAtNextMidnight((String) v);
      default -> throw new IllegalStateException("no rule for " + name);
    }
  }

  private static Class<?> loadClass(String name) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try {
      return Class.forName(
          name, false, loader != null ? loader : TierCacheConfig.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException(
          "must name a class on the class path, " + name + " is not");
    }
  }

  /**
   * The value read for {@code property} ({@code redis.uri}, {@code tiercache.key-prefix},
   * {@code caches.users.ttl}, {@code defaults.ttl}, {@code events.user-changed}) as written, lists
   * joined with {@code ,}; empty when this configuration does not set it. A cache named in the
   * environment is found under its name in upper case ({@code caches.PROJECT_INFO.ttl}) until a
   * builder matches it to a declared cache.
   */
  public Optional<String> value(String property) {
    Objects.requireNonNull(property, "property must not be null");
    return Optional.ofNullable(lookup(property)).map(Value::text);
  }

  /**
   * The value of {@code property} as {@link #value} reads it, but as Tiercache's own messages show
   * it: a secret ({@code redis.password}) as {@code ****}, credentials in Redis URIs redacted, long
   * text cut; what a service may print or log to say how it is configured.
   *
   * <pre>{@code
   * config.shownValue("redis.uri")   // Optional[redis://app:***@localhost:6379]
   * }</pre>
   *
   * @param property the property's name, with or without {@code tiercache.}; not null
   * @return the value as shown; empty when this configuration does not set it
   */
  public Optional<String> shownValue(String property) {
    Objects.requireNonNull(property, "property must not be null");
    String name = property.startsWith(PREFIX) ? property.substring(PREFIX.length()) : property;
    Setting setting =
        name.startsWith("defaults.") || name.startsWith("caches.") ? null : find(GLOBAL, name);
    return Optional.ofNullable(lookup(property)).map(v -> shown(setting, v));
  }

  private Value lookup(String property) {
    String name = property.startsWith(PREFIX) ? property.substring(PREFIX.length()) : property;
    Value v = globals.get(name);
    if (v == null && name.startsWith("defaults.")) {
      Map<String, Value> d = caches.get("");
      v = d == null ? null : d.get(name.substring("defaults.".length()));
    } else if (v == null && name.startsWith("caches.")) {
      String rest = name.substring("caches.".length());
      for (Map.Entry<String, Map<String, Value>> e : caches.entrySet()) {
        if (!e.getKey().isEmpty() && rest.startsWith(e.getKey() + ".")) {
          Value found = e.getValue().get(rest.substring(e.getKey().length() + 1));
          if (found != null) {
            v = found;
            break;
          }
        }
      }
    }
    return v;
  }

  // ---------------------------------------------------------------- merging (used by the builder)

  Origin origin() {
    return origin;
  }

  /**
   * Layers merged: the environment over files and maps, a later layer over an earlier one of the
   * same origin. Cache names from the environment are matched to {@code declared} names (ignoring
   * case, with {@code _} for {@code .} and {@code -}).
   */
  static Resolved merge(List<TierCacheConfig> layers, Set<String> declared) {
    List<TierCacheConfig> ordered = new ArrayList<>();
    for (Origin o : Origin.values()) {
      for (TierCacheConfig layer : layers) {
        if (layer.origin == o) {
          ordered.add(layer);
        }
      }
    }
    Map<String, Value> globals = new TreeMap<>();
    Map<String, Map<String, Value>> caches = new TreeMap<>();
    for (TierCacheConfig layer : ordered) {
      // an endpoint from a stronger layer replaces the other kind from a weaker one
      if (layer.globals.containsKey("redis.uri")) {
        globals.remove("redis.cluster");
      }
      if (layer.globals.containsKey("redis.cluster")) {
        globals.remove("redis.uri");
      }
      globals.putAll(layer.globals);
      layer.caches.forEach((name, settings) -> {
        String resolved =
            layer.envCacheNames.contains(name) ? resolveEnvName(name, declared) : name;
        caches.computeIfAbsent(resolved, k -> new TreeMap<>()).putAll(settings);
      });
    }
    return new Resolved(globals, caches);
  }

  private static String resolveEnvName(String envName, Set<String> declared) {
    List<String> matches = new ArrayList<>();
    for (String name : declared) {
      if (envForm(name).equals(envName)) {
        matches.add(name);
      }
    }
    if (matches.size() > 1) {
      throw new IllegalArgumentException("TIERCACHE_CACHES_" + envName + "_... matches the caches "
          + matches + ": set them in a file or through the builder instead");
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    String name = envName.toLowerCase(Locale.ROOT);
    TierCacheBuilder.checkCacheName(name);
    return name;
  }

  /** The merged settings, applied at {@link TierCacheBuilder#build()}. */
  record Resolved(Map<String, Value> globals, Map<String, Map<String, Value>> caches) {

    /** Applies the instance settings not in {@code explicit}; returns the names applied. */
    void applyGlobals(TierCacheBuilder b, Set<String> explicit) {
      Map<String, Object> parsed = new LinkedHashMap<>();
      for (Map.Entry<String, Value> e : globals.entrySet()) {
        if (!e.getKey().startsWith("events.")) {
          Setting s = find(GLOBAL, e.getKey());
          parsed.put(e.getKey(), parse(s, e.getValue(), PREFIX + e.getKey()));
        }
      }
      boolean endpointExplicit =
          explicit.contains("redis.uri") || explicit.contains("redis.cluster");
      for (Map.Entry<String, Object> e : parsed.entrySet()) {
        String name = e.getKey();
        if (explicit.contains(group(name))
            || (endpointExplicit && (name.equals("redis.uri") || name.equals("redis.cluster")))) {
          continue;
        }
        try {
          applyGlobal(b, name, e.getValue(), parsed);
        } catch (IllegalArgumentException | NullPointerException ex) {
          Value v = globals.get(name);
          throw bad(PREFIX + name, v, find(GLOBAL, name), ex.getMessage());
        }
      }
      for (Map.Entry<String, Value> e : globals.entrySet()) {
        if (e.getKey().startsWith("events.")) {
          String event = e.getKey().substring("events.".length());
          if (!b.events.containsKey(event)) {
            b.events.put(event, e.getValue().list().toArray(String[]::new));
          }
        }
      }
    }

    /** The settings of {@code defaults}, applied to {@code spec}. */
    CacheSpec.Builder applyDefaults(CacheSpec.Builder spec) {
      return applyTo(spec, "");
    }

    /** The settings of cache {@code name}, applied to {@code spec}. */
    CacheSpec.Builder applyTo(CacheSpec.Builder spec, String name) {
      Map<String, Value> settings = caches.get(name);
      if (settings == null) {
        return spec;
      }
      String base = name.isEmpty() ? PREFIX + "defaults." : PREFIX + "caches." + name + ".";
      Map<String, Object> parsed = new LinkedHashMap<>();
      for (Map.Entry<String, Value> e : settings.entrySet()) {
        parsed.put(e.getKey(), parse(find(CACHE, e.getKey()), e.getValue(), base + e.getKey()));
      }
      for (Map.Entry<String, Object> e : parsed.entrySet()) {
        String partner = PARTNERS.get(e.getKey());
        if (partner != null) {
          if (!parsed.containsKey(partner)) {
            throw bad(
                base + e.getKey(),
                settings.get(e.getKey()),
                find(CACHE, e.getKey()),
                e.getKey() + " needs " + partner);
          }
          continue; // applied with its partner
        }
        try {
          applyCache(spec, e.getKey(), e.getValue(), parsed);
        } catch (IllegalArgumentException | NullPointerException ex) {
          Value v = settings.get(e.getKey());
          throw bad(base + e.getKey(), v, find(CACHE, e.getKey()), ex.getMessage());
        }
      }
      return spec;
    }

    /** Cache names with settings of their own. */
    Set<String> cacheNames() {
      Set<String> names = new TreeSet<>(caches.keySet());
      names.remove("");
      return names;
    }

    /** One line per value, secrets redacted, with where each came from and what the builder overrode. */
    String describe(Set<String> explicit) {
      StringBuilder out = new StringBuilder();
      globals.forEach((name, v) -> {
        out.append("\n  ")
            .append(PREFIX)
            .append(name)
            .append(" = ")
            .append(shown(find(GLOBAL, name), v))
            .append(" (")
            .append(v.source());
        if (explicit.contains(group(name))) {
          out.append("; overridden by the builder");
        }
        out.append(')');
      });
      caches.forEach((cache, settings) -> settings.forEach((name, v) -> out.append("\n  ")
          .append(PREFIX)
          .append(cache.isEmpty() ? "defaults" : "caches." + cache)
          .append('.')
          .append(name)
          .append(" = ")
          .append(shown(find(CACHE, name), v))
          .append(" (")
          .append(v.source())
          .append(')')));
      return out.toString();
    }

    /** Settings set together by one builder call count as one for precedence. */
    private static String group(String name) {
      return switch (name) {
        case "redis.username", "redis.password" -> "redis.credentials";
        case "redis.breaker.failures", "redis.breaker.window" -> "redis.breaker";
        default -> name;
      };
    }
  }

  /** The YAML mapper, looked up only when YAML is read: the module is an optional dependency. */
  private static final class Yaml {
    private static volatile ObjectMapper mapper;

    static ObjectMapper mapper() {
      ObjectMapper m = mapper;
      if (m == null) {
        try {
          Class<?> factory = Class.forName("com.fasterxml.jackson.dataformat.yaml.YAMLFactory");
          m = new ObjectMapper((JsonFactory) factory.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
          throw new IllegalStateException(
              "reading YAML needs com.fasterxml.jackson.dataformat:"
                  + "jackson-dataformat-yaml on the class path (the version of jackson-databind); or use a "
                  + ".properties file",
              e);
        }
        mapper = m;
      }
      return m;
    }
  }

  @Override
  public String toString() {
    return "TierCacheConfig" + merge(List.of(this), Set.of()).describe(Set.of());
  }
}
