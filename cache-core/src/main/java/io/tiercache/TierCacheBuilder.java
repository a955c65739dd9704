package io.tiercache;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.internal.redis.RedisEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures and builds a {@link TierCache}. Obtain one from {@link TierCache#builder()}.
 *
 * <p>Settings are checked when set ({@link IllegalArgumentException}, naming the setting and the
 * rule) and as a whole in {@link #build()} ({@link IllegalStateException}).
 */
public final class TierCacheBuilder {

  /** The key prefix when none is set. */
  public static final String DEFAULT_KEY_PREFIX = "tiercache";
  /** How long one Redis command may take before the call degrades: 250 ms. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(250);
  /** How long connecting to Redis may take: 1 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** How often the circuit breaker probes Redis while it is open: 1 s. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);
  /** Longest key (without the prefix) before its tail is replaced by a hash: 512 characters. */
  public static final int DEFAULT_MAX_KEY_LENGTH = 512;
  /** Failure events within {@link #DEFAULT_BREAKER_WINDOW} that open the breaker: 3. */
  public static final int DEFAULT_BREAKER_FAILURES = 3;
  /** The window in which failures count towards opening the breaker: 1 s. */
  public static final Duration DEFAULT_BREAKER_WINDOW = Duration.ofSeconds(1);
  /** Keys remembered for deletion while Redis is down: 100,000. */
  public static final int DEFAULT_MAX_PENDING_DELETES = 100_000;
  /** Invalidation messages kept in the stream (approximately): 100,000. */
  public static final long DEFAULT_INVALIDATION_STREAM_LENGTH = 100_000;
  /** How long a loaded value is remembered to undo it if an invalidation overtakes it: 2 s. */
  public static final Duration DEFAULT_LOAD_RACE_WINDOW = Duration.ofSeconds(2);
  /** Default {@link #massInvalidationRate}: keys per second a pattern invalidation deletes at most. */
  public static final long DEFAULT_MASS_INVALIDATION_RATE = 50_000;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]+");

  String redisUri;
  List<String> redisCluster;
  String redisUsername;
  String redisPassword;
  Path redisTrustedCertificates;
  String keyPrefix = DEFAULT_KEY_PREFIX;
  Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
  Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  Duration probeInterval = DEFAULT_PROBE_INTERVAL;
  int maxKeyLength = DEFAULT_MAX_KEY_LENGTH;
  int maxPendingDeletes = DEFAULT_MAX_PENDING_DELETES;
  boolean allowUndeclaredCaches;
  ObjectMapper objectMapper;
  Clock clock = Clock.systemUTC();
  CacheSpec defaults = CacheSpec.defaults();
  CoherenceMode coherence = CoherenceMode.STREAM;
  long invalidationStreamLength = DEFAULT_INVALIDATION_STREAM_LENGTH;
  Duration loadRaceWindow = DEFAULT_LOAD_RACE_WINDOW;
  long massInvalidationRate = DEFAULT_MASS_INVALIDATION_RATE;
  Duration strictCoherence;
  int coherenceShards;
  boolean coherenceBatching = true;
  /** Null: 0.1 ms per live instance, 1 to 20 ms. */
  Duration coherenceReadInterval;

  int breakerFailures = DEFAULT_BREAKER_FAILURES;
  Duration breakerWindow = DEFAULT_BREAKER_WINDOW;
  final Map<String, String[]> events = new LinkedHashMap<>();
  final Map<String, UnaryOperator<CacheSpec.Builder>> caches = new LinkedHashMap<>();
  final Map<String, UnaryOperator<CacheSpec.Builder>> cacheDefaults = new LinkedHashMap<>();
  /** Settings set by a builder call: configuration does not override them. */
  final Set<String> explicit = new HashSet<>();
  /** Configuration layers, merged at {@link #build()}. */
  final List<TierCacheConfig> configs = new ArrayList<>();
  /** The {@code defaults} calls in order (a spec replaces, a customizer adjusts), replayed over configuration. */
  final List<UnaryOperator<CacheSpec.Builder>> defaultsCalls = new ArrayList<>();

  private boolean configApplied;

  TierCacheBuilder() {}

  /**
   * The Redis server: {@code redis://[user:password@]host:port[/db]}, {@code rediss://} for TLS,
   * or a Sentinel-managed master: {@code redis-sentinel://[password@]host:port[,host:port]#masterId}
   * ({@code rediss-sentinel://} for TLS). For a Redis Cluster use {@link #redisCluster}. Without
   * either, every cache must turn L2 off. See {@code docs/deployment.md}.
   */
  public TierCacheBuilder redisUri(String uri) {
    Objects.requireNonNull(uri, "redisUri must not be null");
    if (!uri.startsWith("redis://")
        && !uri.startsWith("rediss://")
        && !uri.startsWith("redis-sentinel://")
        && !uri.startsWith("rediss-sentinel://")) {
      throw new IllegalArgumentException(
          "redisUri must start with redis://, rediss://, redis-sentinel:// or "
              + "rediss-sentinel://, was " + RedisEndpoint.redact(uri));
    }
    RedisEndpoint.check(uri, "redisUri");
    this.redisUri = uri;
    explicit.add("redis.uri");
    return this;
  }

  /**
   * A Redis Cluster, reached through these seed nodes ({@code redis://[user:password@]host:port}
   * or {@code rediss://} for TLS; any reachable node will do, the others are discovered). Instead
   * of {@link #redisUri}. See {@code docs/deployment.md}.
   */
  public TierCacheBuilder redisCluster(List<String> seedUris) {
    Objects.requireNonNull(seedUris, "redisCluster must not be null");
    RedisEndpoint.cluster(seedUris); // checks the URIs now, not at build()
    this.redisCluster = List.copyOf(seedUris);
    explicit.add("redis.cluster");
    return this;
  }

  /**
   * ACL credentials for every Redis connection, overriding any in the URIs.
   *
   * @param username the ACL user, or null for the {@code default} user ({@code requirepass})
   * @param password not null
   */
  public TierCacheBuilder redisCredentials(String username, String password) {
    this.redisPassword = Objects.requireNonNull(password, "password must not be null");
    this.redisUsername = username;
    explicit.add("redis.credentials");
    return this;
  }

  /**
   * A PEM file with the certificates to trust for {@code rediss://}, for example a private CA;
   * without it, the JVM's trust store decides.
   */
  public TierCacheBuilder redisTrustedCertificates(Path pemFile) {
    Objects.requireNonNull(pemFile, "redisTrustedCertificates must not be null");
    if (!Files.isReadable(pemFile)) {
      throw new IllegalArgumentException(
          "redisTrustedCertificates must be a readable file, was " + pemFile);
    }
    this.redisTrustedCertificates = pemFile;
    explicit.add("redis.trusted-certificates");
    return this;
  }

  /**
   * Every Redis key starts with {@code prefix + ":"}, so that applications and environments can
   * share one Redis: letters, digits, {@code . _ -}, one segment ({@code app}, {@code app.v2},
   * {@code shop-prod}). A {@code ':'} is refused: with {@code app} and {@code app:v2} side by side,
   * {@code app}'s key {@code v2:x} would be {@code app:v2}'s key {@code x}, and {@code app}'s
   * patterns would reach every key of {@code app:v2}. With one segment, no prefix can nest in
   * another, so no operation under one prefix reads, deletes or announces a key of another.
   */
  public TierCacheBuilder keyPrefix(String prefix) {
    Objects.requireNonNull(prefix, "keyPrefix must not be null");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "keyPrefix must be one segment of letters, digits, '.', '_' or '-' "
              + "(no ':', so that one prefix cannot nest in another: write 'app.v2', not 'app:v2'), was '"
              + prefix + "'");
    }
    this.keyPrefix = prefix;
    explicit.add("key-prefix");
    return this;
  }

  /** How long one Redis command may take before the call degrades; positive. */
  public TierCacheBuilder commandTimeout(Duration timeout) {
    this.commandTimeout = CacheSpec.positive("commandTimeout", timeout);
    explicit.add("redis.command-timeout");
    return this;
  }

  /** How long connecting to Redis may take; positive. */
  public TierCacheBuilder connectTimeout(Duration timeout) {
    this.connectTimeout = CacheSpec.positive("connectTimeout", timeout);
    explicit.add("redis.connect-timeout");
    return this;
  }

  /** How often the circuit breaker probes Redis while it is open; positive. */
  public TierCacheBuilder probeInterval(Duration interval) {
    this.probeInterval = CacheSpec.positive("probeInterval", interval);
    explicit.add("redis.probe-interval");
    return this;
  }

  /** Longest key before its tail is hashed; at least 64. */
  public TierCacheBuilder maxKeyLength(int length) {
    if (length < 64) {
      throw new IllegalArgumentException("maxKeyLength must be at least 64, was " + length);
    }
    this.maxKeyLength = length;
    explicit.add("max-key-length");
    return this;
  }

  /**
   * Keys remembered for deletion while Redis is unreachable, replayed when it is back. Past this
   * bound the instance can no longer tell which keys may be stale, and deletes every key under
   * the prefix when Redis is back. Positive.
   */
  public TierCacheBuilder maxPendingDeletes(int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("maxPendingDeletes must be positive, was " + count);
    }
    this.maxPendingDeletes = count;
    explicit.add("max-pending-deletes");
    return this;
  }

  /**
   * Whether {@link TierCache#cache(String, Class)} may create caches that were not declared, with
   * the defaults. Off by default: an unknown name is more often a typo than a wish.
   */
  public TierCacheBuilder allowUndeclaredCaches(boolean allow) {
    this.allowUndeclaredCaches = allow;
    explicit.add("allow-undeclared-caches");
    return this;
  }

  /**
   * The Jackson mapper for values, for example one with the Java time module registered. It is
   * copied; default typing must be off (Tiercache never stores class names).
   */
  public TierCacheBuilder objectMapper(ObjectMapper mapper) {
    this.objectMapper =
        Objects.requireNonNull(mapper, "objectMapper must not be null").copy();
    return this;
  }

  /**
   * How instances keep their L1 coherent; {@link CoherenceMode#STREAM} by default. Without a
   * Redis URI there is nothing to share and no messages are sent whatever the mode.
   */
  public TierCacheBuilder coherence(CoherenceMode mode) {
    this.coherence = Objects.requireNonNull(mode, "coherence must not be null");
    explicit.add("coherence.mode");
    return this;
  }

  /**
   * Invalidation messages the stream keeps (trimmed approximately). An instance disconnected for
   * longer than it takes the others to publish this many messages clears its L1 on reconnect.
   * At least 1,000.
   */
  public TierCacheBuilder invalidationStreamLength(long length) {
    if (length < 1_000) {
      throw new IllegalArgumentException(
          "invalidationStreamLength must be at least 1000, was " + length);
    }
    this.invalidationStreamLength = length;
    explicit.add("coherence.stream-length");
    return this;
  }

  /**
   * How long a loaded value written to Redis is remembered, so that an invalidation from
   * another instance that arrives after the write still removes it. Positive.
   */
  public TierCacheBuilder loadRaceWindow(Duration window) {
    this.loadRaceWindow = CacheSpec.positive("loadRaceWindow", window);
    explicit.add("coherence.load-race-window");
    return this;
  }

  /**
   * Paces mass invalidations ({@link TierCache#invalidatePattern}): they delete at most this many
   * Redis keys per second (each {@code SCAN} page counting as 50 more), so that a 100,000-key
   * pattern takes about 2 s at the default 50,000 instead of holding Redis busy, and high-priority
   * invalidations ({@link TierCache#invalidateAndWait}) and every other command keep their latency.
   * 0 turns pacing off. 1,000 to 10,000,000, or 0.
   */
  public TierCacheBuilder massInvalidationRate(long keysPerSecond) {
    if (keysPerSecond != 0 && (keysPerSecond < 1_000 || keysPerSecond > 10_000_000)) {
      throw new IllegalArgumentException(
          "massInvalidationRate must be 0 (off) or between 1000 and 10000000 keys per "
              + "second, was " + keysPerSecond);
    }
    this.massInvalidationRate = keysPerSecond;
    explicit.add("coherence.mass-invalidation-rate");
    return this;
  }

  /**
   * How many invalidation streams a Redis Cluster spreads the messages over, each on its own slot
   * (and, with the cluster's slots split evenly, its own master); 0, the default, for one per
   * master that serves slots. Standalone and Sentinel Redis always use one. The first instance of
   * a prefix records the number in Redis and every later one uses it. 0 to 1,024. See {@code
   * docs/coherence.md}, "Shards".
   */
  public TierCacheBuilder coherenceShards(int shards) {
    if (shards < 0 || shards > Coherence.MAX_SHARDS) {
      throw new IllegalArgumentException(
          "coherenceShards must be 0 (one per master) or between 1 and " + Coherence.MAX_SHARDS
              + ", was " + shards);
    }
    this.coherenceShards = shards;
    explicit.add("coherence.shards");
    return this;
  }

  /**
   * Whether the key invalidations this instance publishes while an append to their stream is in
   * flight wait for it and go out together in one append (a key waits at most one append's round
   * trip). On by default; off sends one append per write.
   */
  public TierCacheBuilder coherenceBatching(boolean batching) {
    this.coherenceBatching = batching;
    explicit.add("coherence.batch-appends");
    return this;
  }

  /**
   * How often, at most, an instance reads an invalidation stream that has messages waiting: each
   * read then carries every message of the interval, instead of every append waking every
   * instance's reader. It adds at most this much to the invalidation lag under load; an idle
   * stream's messages are read at once. By default 0.1 ms per live instance, from 1 ms to 20 ms,
   * so that a master serves about 10,000 reads per second of its shard however many instances
   * there are. 0 to 100 ms.
   */
  public TierCacheBuilder coherenceReadInterval(Duration interval) {
    if (interval == null
        || interval.isNegative()
        || interval.compareTo(Duration.ofMillis(100)) > 0) {
      throw new IllegalArgumentException(
          "coherenceReadInterval must be between 0 and 100 ms, was " + interval);
    }
    this.coherenceReadInterval = interval;
    explicit.add("coherence.read-interval");
    return this;
  }

  /**
   * Strict coherence: L1 answers only while this instance has read the invalidation stream to its
   * end less than {@code bound} ago; otherwise reads skip L1 (they go to Redis, or the loader when
   * Redis is unreachable) until it has caught up. The staleness bound then holds in every failure
   * mode (Redis slow or down, this instance partitioned, a failover), at the cost of L1 hits while
   * it cannot read the stream. Off by default. Between 20 ms and 1 hour. See {@code docs/coherence.md}.
   */
  public TierCacheBuilder strictCoherence(Duration bound) {
    CacheSpec.positive("strictCoherence", bound);
    if (bound.toMillis() < 20 || bound.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "strictCoherence must be between 20 ms and 1 hour, was " + bound);
    }
    this.strictCoherence = bound;
    explicit.add("coherence.strict-bound");
    return this;
  }

  /**
   * When the circuit breaker opens: after {@code failures} failure events (timeouts or connection
   * failures) within {@code window}, where failures less than 50 ms apart are one event (one stall
   * that times out every call in flight counts once). One slow reply leaves it closed; a lost
   * connection opens it at once. Defaults: 3 and 1 s; failures 1 to 1,000 (1 opens on the first
   * failure), window 10 ms to 1 minute.
   */
  public TierCacheBuilder breaker(int failures, Duration window) {
    if (failures < 1 || failures > 1_000) {
      throw new IllegalArgumentException(
          "breaker failures must be between 1 and 1000, was " + failures);
    }
    CacheSpec.positive("breaker window", window);
    if (window.toMillis() < 10 || window.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException(
          "breaker window must be between 10 ms and 1 minute, was " + window);
    }
    this.breakerFailures = failures;
    this.breakerWindow = window;
    explicit.add("redis.breaker");
    return this;
  }

  /** Registers an invalidation event; see {@link InvalidationEvents#register}. */
  public TierCacheBuilder event(String event, String... patterns) {
    EventRegistry.parse(event, patterns); // fail here, not at build()
    events.merge(event, patterns.clone(), (a, b) -> {
      String[] both = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, both, a.length, b.length);
      return both;
    });
    return this;
  }

  /**
   * The clock of every expiry this process decides; for tests. System UTC by default. It gives the
   * wall time of period-boundary expiry and of the persistent level, and it drives L1 expiry and
   * refresh-ahead: when an L1 entry (and a cached null) expires, when refresh-ahead passes run and
   * when a key no longer read leaves its registry. With a clock that a test moves by hand, an L1
   * entry expires when the clock passes its TTL, and a refresh-ahead pass runs once the clock has
   * moved {@code refreshAfter} since the last (the clock is looked at every 10 ms; a clock set hours
   * ahead under a running cache makes a pass due at once). With the system clock (in any zone) L1
   * uses Caffeine's system ticker, as without this setting.
   *
   * <p>Not driven by it: TTLs in Redis (Redis's own time; so is the refresh lease between instances,
   * and a pass sooner than 0.9 × {@code refreshAfter} of real time after the last skips the keys it
   * still holds), the waits for other instances and for Redis (leases, acknowledgements, the
   * breaker), and measured durations (load times).
   */
  public TierCacheBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock must not be null");
    return this;
  }

  /** The spec every cache starts from. */
  public TierCacheBuilder defaults(CacheSpec spec) {
    this.defaults = Objects.requireNonNull(spec, "defaults must not be null");
    defaultsCalls.add(ignored -> spec.toBuilder());
    return this;
  }

  /** Adjusts the spec every cache starts from: {@code defaults(d -> d.ttl(ofHours(1)))}. */
  public TierCacheBuilder defaults(UnaryOperator<CacheSpec.Builder> customizer) {
    Objects.requireNonNull(customizer, "customizer must not be null");
    CacheSpec.Builder customized = customizer.apply(defaults.toBuilder());
    if (customized == null) {
      throw new IllegalStateException("the defaults customizer returned null");
    }
    this.defaults = customized.build();
    defaultsCalls.add(customizer);
    return this;
  }

  /** Declares a cache with a complete spec, ignoring the defaults. */
  public TierCacheBuilder cache(String name, CacheSpec spec) {
    Objects.requireNonNull(spec, "spec must not be null");
    return cache(name, ignored -> spec.toBuilder());
  }

  /**
   * Declares a cache whose spec is the defaults adjusted by {@code customizer} (applied at
   * {@link #build()}, so the order of {@code defaults} and {@code cache} calls does not matter).
   *
   * @throws IllegalArgumentException if the name is not letters, digits, {@code . _ -}
   * @throws IllegalStateException if the name was declared before
   */
  public TierCacheBuilder cache(String name, UnaryOperator<CacheSpec.Builder> customizer) {
    checkCacheName(name);
    Objects.requireNonNull(customizer, "customizer must not be null");
    if (caches.containsKey(name)) {
      throw new IllegalStateException("cache '" + name + "' is declared twice");
    }
    caches.put(name, customizer);
    return this;
  }

  /**
   * Declares a cache with settings that sit between the global defaults and the cache's own
   * {@link #cache(String, UnaryOperator)} declaration, which overrides them. Generated code uses
   * it to pass annotation values ({@code @Cached(ttl = "2h")}) while the application keeps the
   * last word. Several calls for one name apply in order.
   */
  public TierCacheBuilder cacheDefaults(String name, UnaryOperator<CacheSpec.Builder> customizer) {
    checkCacheName(name);
    Objects.requireNonNull(customizer, "customizer must not be null");
    UnaryOperator<CacheSpec.Builder> before = cacheDefaults.get(name);
    cacheDefaults.put(
        name,
        before == null
            ? customizer
            : b -> {
              CacheSpec.Builder first = before.apply(b);
              return first == null ? null : customizer.apply(first);
            });
    return this;
  }

  /**
   * Builds the instance and connects to Redis. An unreachable Redis does not fail the build: the
   * caches start degraded and a probe reconnects.
   *
   * @throws IllegalStateException if a cache uses L2 without a Redis URI, or a value type cannot
   *     be handled by Jackson
   */
  public TierCache build() {
    applyConfig();
    if (redisUri != null && redisCluster != null) {
      throw new IllegalStateException("both redisUri and redisCluster are set: use one");
    }
    return new DefaultTierCache(this);
  }

  /**
   * Settings from the environment, a file or a map ({@link TierCacheConfig}). Explicit calls on this
   * builder win over them whatever the order; among layers, the environment wins over files and
   * maps, and a later layer over an earlier one of the same kind. Per cache they sit between the
   * annotations' values ({@link #cacheDefaults}) and {@link #cache(String, UnaryOperator)}; the
   * configuration's {@code defaults} sit under {@link #defaults(UnaryOperator)}. Applied, and logged
   * once with secrets redacted, at {@link #build()}.
   */
  public TierCacheBuilder config(TierCacheConfig config) {
    configs.add(Objects.requireNonNull(config, "config must not be null"));
    return this;
  }

  /** {@code config(TierCacheConfig.fromEnvironment())}: {@code TIERCACHE_*} variables and {@code REDIS_URL}. */
  public TierCacheBuilder configFromEnvironment() {
    return config(TierCacheConfig.fromEnvironment());
  }

  /** {@code config(TierCacheConfig.fromFile(file))}: a {@code .properties}, {@code .yml} or {@code .yaml} file. */
  public TierCacheBuilder configFile(Path file) {
    return config(TierCacheConfig.fromFile(file));
  }

  private void applyConfig() {
    if (configs.isEmpty() || configApplied) {
      return;
    }
    configApplied = true;
    Set<String> declared = new LinkedHashSet<>(cacheDefaults.keySet());
    declared.addAll(caches.keySet());
    TierCacheConfig.Resolved config = TierCacheConfig.merge(configs, declared);
    Set<String> byBuilder = Set.copyOf(explicit);
    config.applyGlobals(this, byBuilder);
    CacheSpec.Builder base = config.applyDefaults(CacheSpec.defaults().toBuilder());
    CacheSpec resolved = base.build();
    for (UnaryOperator<CacheSpec.Builder> call : defaultsCalls) {
      CacheSpec.Builder next = call.apply(resolved.toBuilder());
      if (next == null) {
        throw new IllegalStateException("the defaults customizer returned null");
      }
      resolved = next.build();
    }
    this.defaults = resolved;
    for (String name : config.cacheNames()) {
      UnaryOperator<CacheSpec.Builder> before = cacheDefaults.get(name);
      UnaryOperator<CacheSpec.Builder> fromConfig = spec -> config.applyTo(spec, name);
      cacheDefaults.put(
          name,
          before == null
              ? fromConfig
              : spec -> {
                CacheSpec.Builder first = before.apply(spec);
                return first == null ? null : fromConfig.apply(first);
              });
    }
    CONFIG_LOG.info(
        "Tiercache configuration (builder calls over environment over files over defaults):{}",
        config.describe(byBuilder));
  }

  private static final Logger CONFIG_LOG = LoggerFactory.getLogger(TierCacheBuilder.class);

  /** Whether a Redis (server, Sentinel or cluster) is configured. */
  boolean hasRedis() {
    return redisUri != null || redisCluster != null;
  }

  /** The configured Redis, with credentials and trusted certificates. */
  RedisEndpoint redisEndpoint() {
    RedisEndpoint endpoint =
        redisCluster != null ? RedisEndpoint.cluster(redisCluster) : RedisEndpoint.of(redisUri);
    if (redisPassword != null) {
      endpoint = endpoint.withCredentials(redisUsername, redisPassword);
    }
    if (redisTrustedCertificates != null) {
      endpoint = endpoint.withTrustedCertificates(redisTrustedCertificates);
    }
    return endpoint;
  }

  static String checkCacheName(String name) {
    Objects.requireNonNull(name, "cache name must not be null");
    if (!NAME.matcher(name).matches() || name.startsWith("__")) {
      throw new IllegalArgumentException(
          "cache name must be letters, digits, '.', '_' or '-', not starting with '__', was '"
              + name + "'");
    }
    return name;
  }
}
