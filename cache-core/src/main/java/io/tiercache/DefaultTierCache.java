package io.tiercache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.internal.codec.ValueCodec;
import io.tiercache.internal.redis.RedisTier;
import io.tiercache.internal.redis.ToolkitFactory;
import io.tiercache.toolkit.Toolkit;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link TierCache} built by {@link TierCacheBuilder}. */
final class DefaultTierCache implements TierCache {

  private static final Logger log = LoggerFactory.getLogger(DefaultTierCache.class);

  private final String keyPrefix;
  private final int maxKeyLength;
  private final boolean allowUndeclared;
  private final CacheSpec defaults;
  private final Map<String, CacheSpec> declared;
  private final ObjectMapper mapper;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService writeBackExecutor;
  private final Executor asyncExecutor = ForkJoinPool.commonPool();
  private final RedisTier redis;
  private final Coherence coherence;
  private final Namespaces namespaces;
  private final EventRegistry events;
  private final Toolkit toolkit;
  private final Clock clock;
  private final ExecutorService refreshExecutor;
  private final String instanceId;
  private final DefaultCache.Context context;
  private final ConcurrentHashMap<String, CacheGroup> groups = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, DefaultCache<?, ?>> views = new ConcurrentHashMap<>();
  private volatile boolean closed;

  DefaultTierCache(TierCacheBuilder b) {
    this.keyPrefix = b.keyPrefix;
    this.maxKeyLength = b.maxKeyLength;
    this.allowUndeclared = b.allowUndeclaredCaches;
    this.defaults = b.defaults;
    this.mapper = b.objectMapper != null
        ? b.objectMapper
        : new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    Map<String, CacheSpec> specs = new LinkedHashMap<>();
    Set<String> names = new LinkedHashSet<>(b.cacheDefaults.keySet());
    names.addAll(b.caches.keySet());
    for (String name : names) {
      CacheSpec.Builder builder = defaults.toBuilder();
      if (b.cacheDefaults.containsKey(name)) {
        builder = b.cacheDefaults.get(name).apply(builder);
      }
      if (builder != null && b.caches.containsKey(name)) {
        builder = b.caches.get(name).apply(builder);
      }
      if (builder == null) {
        throw new IllegalStateException("a customizer of cache '" + name + "' returned null");
      }
      specs.put(name, builder.build());
    }
    this.declared = Collections.unmodifiableMap(specs);

    if (!b.hasRedis()) {
      for (Map.Entry<String, CacheSpec> e : declared.entrySet()) {
        if (e.getValue().l2Enabled()) {
          throw new IllegalStateException(
              "cache '" + e.getKey() + "' has L2 on but no redisUri was "
                  + "given: call redisUri(...) or turn L2 off with l2(false)");
        }
      }
      if (allowUndeclared && defaults.l2Enabled()) {
        throw new IllegalStateException("undeclared caches would use L2 but no redisUri was given: "
            + "call redisUri(...) or defaults(d -> d.l2(false))");
      }
    }
    for (Map.Entry<String, CacheSpec> e : declared.entrySet()) {
      if (e.getValue().valueType() != null) {
        try {
          ValueCodec.of(
              mapper,
              e.getValue().valueType(),
              e.getValue().compressionThreshold(),
              e.getValue().maxValueSize());
        } catch (IllegalArgumentException invalid) {
          throw new IllegalArgumentException(
              "cache '" + e.getKey() + "': " + invalid.getMessage(), invalid);
        }
      }
    }

    this.scheduler = Executors.newScheduledThreadPool(1, daemonThreads("tiercache-scheduler"));
    this.clock = b.clock;
    this.refreshExecutor = Executors.newFixedThreadPool(4, daemonThreads("tiercache-refresh"));
    this.writeBackExecutor =
        Executors.newSingleThreadExecutor(daemonThreads("tiercache-write-back"));
    RedisTier tier = null;
    Coherence coherent = null;
    try {
      tier = !b.hasRedis()
          ? null
          : new RedisTier(
              b.redisEndpoint(),
              b.commandTimeout,
              b.connectTimeout,
              b.probeInterval,
              keyPrefix,
              b.maxPendingDeletes,
              scheduler);
      if (tier != null) {
        tier.breakerPolicy(b.breakerFailures, b.breakerWindow);
        tier.patternDeleteRate(b.massInvalidationRate);
      }
      coherent = tier == null || b.coherence == CoherenceMode.NONE
          ? null
          : new Coherence(
              b.coherence,
              tier,
              keyPrefix,
              b.invalidationStreamLength,
              b.loadRaceWindow,
              b.probeInterval,
              scheduler,
              groups,
              entry -> namespacesUpdate(entry.getKey(), entry.getValue()),
              this::namespacesReset,
              b.strictCoherence,
              b.coherenceShards,
              b.coherenceBatching,
              b.coherenceReadInterval);
    } catch (RuntimeException e) {
      // rejected credentials, an untrusted certificate: fail build() without leaking connections or
      // threads
      if (tier != null) {
        tier.close();
      }
      scheduler.shutdownNow();
      refreshExecutor.shutdownNow();
      writeBackExecutor.shutdownNow();
      throw e;
    }
    this.redis = tier;
    this.coherence = coherent;
    this.instanceId =
        coherence != null ? coherence.instanceId() : UUID.randomUUID().toString();
    this.context = new DefaultCache.Context(
        redis,
        keyPrefix,
        maxKeyLength,
        asyncExecutor,
        clock,
        scheduler,
        refreshExecutor,
        instanceId,
        name -> {
          CacheGroup group = groups.get(name);
          if (group == null && (declared.containsKey(name) || allowUndeclared)) {
            return !specOf(name).sharedKeys();
          }
          return group != null && group.ownKeys;
        });
    this.namespaces = new Namespaces(redis, keyPrefix, coherence);
    this.toolkit =
        redis == null ? null : ToolkitFactory.create(redis, keyPrefix, mapper, scheduler);
    this.events = new EventRegistry(this::invalidatePattern, this::invalidateKey);
    b.events.forEach(events::register);
    declared.keySet().forEach(this::group);
    if (redis != null) {
      scheduler.execute(this::checkEvictionPolicy); // one INFO, off build()'s time
    }
    log.info(
        "Tiercache started: prefix '{}', Redis {}, caches {}",
        keyPrefix,
        redis == null ? "off" : (redis.available() ? "connected" : "unavailable (degraded)"),
        declared.keySet());
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> cache(String name) {
    CacheSpec spec = specOf(name);
    if (spec.valueType() == null) {
      throw new IllegalArgumentException("cache '" + name + "' declares no value type: call "
          + "cache(name, Type.class) or set valueType(...) in its spec");
    }
    return cache(name, (TypeRef<V>) spec.valueType());
  }

  @Override
  public <K, V> Cache<K, V> cache(String name, Class<V> valueType) {
    if (valueType == null) {
      throw new NullPointerException("valueType must not be null");
    }
    return cache(name, TypeRef.of(valueType));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V> Cache<K, V> cache(String name, TypeRef<V> valueType) {
    checkOpen();
    CacheSpec spec = specOf(name);
    if (valueType == null) {
      throw new NullPointerException("valueType must not be null");
    }
    if (spec.valueType() != null && !spec.valueType().equals(valueType)) {
      throw new IllegalArgumentException(
          "cache '" + name + "' holds values of type " + spec.valueType() + ", not " + valueType);
    }
    String viewKey = name + '\u0000' + valueType.type().getTypeName();
    DefaultCache<?, ?> view = views.get(viewKey);
    if (view == null) {
      view = views.computeIfAbsent(viewKey, ignored -> {
        CacheGroup group = group(name);
        ValueCodec<V> codec;
        try {
          codec =
              ValueCodec.of(mapper, valueType, spec.compressionThreshold(), spec.maxValueSize());
        } catch (IllegalArgumentException invalid) {
          throw new IllegalArgumentException(
              "cache '" + name + "': " + invalid.getMessage(), invalid);
        }
        return new DefaultCache<K, V>(group, codec, context);
      });
    }
    return (Cache<K, V>) view;
  }

  private CacheSpec specOf(String name) {
    TierCacheBuilder.checkCacheName(name);
    CacheSpec spec = declared.get(name);
    if (spec != null) {
      return spec;
    }
    if (!allowUndeclared) {
      throw new IllegalArgumentException("unknown cache name '" + name + "': declare it with "
          + "TierCacheBuilder.cache(name, ...) or call allowUndeclaredCaches(true); declared: "
          + new TreeSet<>(declared.keySet()));
    }
    return defaults;
  }

  /** The persistent level of a cache ({@link PersistentLevel.Off} without one), for tests. */
  PersistentLevel persistentLevel(String name) {
    return group(name).l3;
  }

  private CacheGroup group(String name) {
    return groups.computeIfAbsent(name, n -> {
      CacheGroup group = new CacheGroup(
          n,
          specOf(n),
          keyPrefix,
          redis,
          coherence,
          clock,
          g -> new WriteBackQueue(g, redis, scheduler, writeBackExecutor));
      if (group.spec.bloomGuardInsertions() > 0 && toolkit != null) {
        // the toolkit's filter "cache.{name}": one per cache, shared by every instance
        group.guard = toolkit
            .bloomFilters()
            .get("cache." + n, group.spec.bloomGuardInsertions(), group.spec.bloomGuardRate());
      }
      return group;
    });
  }

  @Override
  public void invalidate(String key) {
    invalidateKey(key);
  }

  @Override
  public InvalidationAck invalidateAndWait(String key, Duration timeout) {
    CacheSpec.positive("timeout", timeout);
    if (timeout.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("timeout must be at most 1 minute, was " + timeout);
    }
    Removal removal = removeKey(key, false);
    if (coherence == null) {
      return new InvalidationAck(true, Set.of(), Set.of(), Duration.ZERO);
    }
    if (!removal.inRedis()) {
      // remembered for when Redis is back, as invalidate() does; nothing to wait for now
      return new InvalidationAck(false, Set.of(), Set.of(), Duration.ZERO);
    }
    return coherence.publishKeysAndWait("", List.of(removal.key()), timeout);
  }

  /** Removes one key everywhere; whether Redis held it. */
  private boolean invalidateKey(String key) {
    return removeKey(key, true).existed();
  }

  /**
   * What {@link #removeKey} did: the key as stored (bounded), whether Redis held it, and whether
   * Redis was reached (otherwise the delete is remembered for when it is back).
   */
  private record Removal(String key, boolean existed, boolean inRedis) {}

  /**
   * Removes one key from Redis and from every cache's L1 and L3 of this instance. With {@code
   * announce}, the other instances are told at once; {@link #invalidateAndWait} tells them itself,
   * after this instance's levels are clear.
   */
  private Removal removeKey(String key, boolean announce) {
    checkOpen();
    if (key == null) {
      throw new NullPointerException("key must not be null");
    }
    String k = Keys.stored(Keys.requireEncodable(key, "key"), maxKeyLength);
    boolean existed = false;
    boolean inRedis = false;
    if (redis != null) {
      // the key in every key space this instance knows: each cache's own, and the shared one
      Set<String> redisKeys = new LinkedHashSet<>();
      for (CacheGroup group : groups.values()) {
        if (group.spec.l2Enabled()) {
          redisKeys.add(group.redisPrefix + k);
        }
      }
      redisKeys.add(keyPrefix + ":" + k);
      long[] deleted = {0};
      inRedis = RedisLevel.announced(
              () -> deleted[0] = redis.delete(List.copyOf(redisKeys)),
              coherence != null && announce ? () -> coherence.publishKeys("", List.of(k)) : null,
              () -> redisKeys.forEach(redis::rememberDelete))
          == null;
      existed = deleted[0] > 0;
    }
    for (CacheGroup group : groups.values()) {
      group.evict(k);
    }
    return new Removal(k, existed, inRedis);
  }

  @Override
  public long invalidatePattern(String pattern) {
    checkOpen();
    if (pattern == null) {
      throw new NullPointerException("pattern must not be null");
    }
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("pattern must not be empty");
    }
    Keys.requireEncodable(pattern, "pattern");
    long deleted = deletePattern(pattern);
    String bounded = boundedKeysPattern(pattern);
    if (bounded != null) {
      deleted += deletePattern(bounded);
    }
    log.debug("pattern '{}' invalidated: {} Redis keys deleted", pattern, deleted);
    return deleted;
  }

  /**
   * A pattern for the keys longer than {@code maxKeyLength} that {@code pattern} may have matched
   * before {@link Keys#bounded} cut them, or null when the pattern's literal head is short enough
   * to survive in theirs. Such a key keeps only its head, then {@code %H} and a digest; the
   * pattern returned matches every bounded key with that head, a few more than needed, never fewer.
   */
  private String boundedKeysPattern(String pattern) {
    int literal = Glob.literalPrefixLength(pattern);
    int head = Keys.boundedHeadLength(maxKeyLength) - 1; // bounded() may keep one char less
    if (literal < head) {
      return null;
    }
    if (Character.isHighSurrogate(pattern.charAt(head - 1))) {
      head--;
    }
    return Keys.escapeGlob(pattern.substring(0, head)) + "*%H*";
  }

  /**
   * Deletes the keys matching a pattern from Redis, tells the other instances, and evicts L1.
   *
   * <p>A pattern matches keys as the caches see them. In Redis, a cache with its own key space
   * keeps {@code key} as {@code prefix:name:key}, a shared one as {@code prefix:key}: one {@code
   * SCAN MATCH prefix:*pattern} finds both (and a few more, which the filter drops), so that caches
   * of other instances that this one does not know are reached too.
   */
  private long deletePattern(String pattern) {
    long deleted = 0;
    if (redis != null) {
      String escapedPrefix = Keys.escapeGlob(keyPrefix + ":");
      int prefixLength = keyPrefix.length() + 1;
      String redisPattern = escapedPrefix + "*" + pattern;
      Predicate<String> filter = redisKey -> {
        String tail = redisKey.substring(prefixLength);
        if (Glob.matches(pattern, tail)) {
          return true; // a key of the shared space
        }
        int colon = tail.indexOf(':');
        return colon > 0 && Glob.matches(pattern, tail.substring(colon + 1)); // a cache's own key
      };
      long[] count = {0};
      Runnable announce = coherence == null ? null : () -> coherence.publishPattern(pattern);
      RedisLevel.announced(
          () -> count[0] = redis.deleteMatching(redisPattern, filter),
          announce,
          () -> redis.rememberDeletePattern(redisPattern, filter, announce));
      deleted = count[0];
    }
    for (CacheGroup group : groups.values()) {
      int evicted = group.evictIf(key -> Glob.matches(pattern, key));
      group.stats.invalidations.add(evicted);
    }
    return deleted;
  }

  @Override
  public Namespace namespace(String name) {
    checkOpen();
    return namespaces.get(name);
  }

  @Override
  public InvalidationEvents events() {
    return events;
  }

  @Override
  public Toolkit toolkit() {
    checkOpen();
    if (toolkit == null) {
      throw new IllegalStateException("the toolkit needs Redis: set redisUri(...) on the builder");
    }
    return toolkit;
  }

  @Override
  public StatsSnapshot snapshot() {
    StatsSnapshot.RedisFacts facts;
    if (redis == null) {
      facts = new StatsSnapshot.RedisFacts(false, false, 0, 0, -1, false, -1, -1, "");
    } else {
      long keys = -1;
      boolean capped = false;
      long memory = -1;
      long clients = -1;
      String version = "";
      try {
        long[] counted = redis.countKeys(Keys.escapeGlob(keyPrefix + ":") + "*", 1_000_000);
        keys = counted[0];
        capped = counted[1] != 0;
        // one INFO per master on a cluster: memory and clients add up
        for (String info : redis.info()) {
          memory = Math.max(memory, 0) + Math.max(infoLong(info, "used_memory"), 0);
          clients = Math.max(clients, 0) + Math.max(infoLong(info, "connected_clients"), 0);
          version = version.isEmpty() ? infoValue(info, "redis_version") : version;
        }
      } catch (RedisUnavailableException e) {
        // facts stay unknown while Redis is down
      }
      facts = new StatsSnapshot.RedisFacts(
          true,
          redis.available(),
          redis.breakerTrips(),
          redis.pendingDeletes(),
          keys,
          capped,
          memory,
          clients,
          version);
    }
    return new StatsSnapshot(clock.instant(), keyPrefix, stats(), coherenceStats(), facts);
  }

  /**
   * The coherence mode of other live instances of this prefix that cannot be mixed with this one's
   * (logged once when seen), or null; for tests.
   */
  String coherenceModeConflict() {
    return coherence == null ? null : coherence.modeConflict();
  }

  /**
   * Reads {@code maxmemory-policy} once and warns when it can evict what Tiercache needs to keep:
   * under {@code allkeys-*} Redis may evict the invalidation stream (every instance then clears
   * its L1), a lock's fence, counters and rate limits, the write-back versions. Returns the
   * warning, or null; for tests.
   */
  String checkEvictionPolicy() {
    try {
      for (String info : redis.info()) {
        String policy = infoValue(info, "maxmemory_policy");
        if (policy.startsWith("allkeys-")) {
          String warning = "Redis at " + redis.describe() + " runs maxmemory-policy " + policy
              + ": when it is full "
              + "it may evict Tiercache's own keys without a TTL (the invalidation stream: every instance then "
              + "clears its L1; counters, rate limits, lock fences and write-back versions: they start over). "
              + "Prefer volatile-lru or volatile-lfu, which evict only keys with a TTL, as every cached value has; "
              + "see docs/toolkit.md for what each structure keeps under each policy";
          log.warn(warning);
          return warning;
        }
      }
    } catch (RedisUnavailableException e) {
      log.debug("maxmemory-policy not read: {}", e.getMessage());
    }
    return null;
  }

  private static String infoValue(String info, String field) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return "";
  }

  private static long infoLong(String info, String field) {
    try {
      return Long.parseLong(infoValue(info, field));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public ScheduledFuture<?> scheduleEvery(Duration period, Runnable task) {
    checkOpen();
    CacheSpec.positive("period", period);
    Objects.requireNonNull(task, "task must not be null");
    long millis = period.toMillis();
    return scheduler.scheduleAtFixedRate(
        () -> refreshExecutor.execute(() -> runLogged(task)),
        millis,
        millis,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public ScheduledFuture<?> scheduleDaily(LocalTime time, ZoneId zone, Runnable task) {
    checkOpen();
    Objects.requireNonNull(time, "time must not be null");
    Objects.requireNonNull(zone, "zone must not be null");
    Objects.requireNonNull(task, "task must not be null");
    ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone));
    ZonedDateTime first = now.toLocalDate().atTime(time).atZone(zone);
    if (!first.isAfter(now)) {
      first = first.plusDays(1);
    }
    long delay = Duration.between(now, first).toMillis();
    return scheduler.scheduleAtFixedRate(
        () -> refreshExecutor.execute(() -> runLogged(task)),
        delay,
        Duration.ofDays(1).toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static void runLogged(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("scheduled task failed", e);
    }
  }

  @Override
  public CoherenceStats coherenceStats() {
    return coherence == null
        ? new CoherenceStats(CoherenceMode.NONE, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, true)
        : coherence.stats();
  }

  private void namespacesUpdate(String name, long version) {
    Namespaces current = namespaces; // null only while the constructor runs
    if (current != null) {
      current.update(name, version);
    }
  }

  private void namespacesReset() {
    Namespaces current = namespaces;
    if (current != null) {
      current.reset();
    }
  }

  @Override
  public AutoCloseable onKeyEvents(Set<KeyEvent.Kind> kinds, Consumer<KeyEvent> listener) {
    Objects.requireNonNull(kinds, "kinds must not be null");
    Objects.requireNonNull(listener, "listener must not be null");
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("kinds must not be empty");
    }
    if (redis == null) {
      throw new IllegalStateException("key events need Redis: set redisUri(...) on the builder");
    }
    StringBuilder flags = new StringBuilder("E");
    kinds.forEach(k -> flags.append(k.flag));
    String refused = redis.ensureKeyspaceEvents(flags.toString());
    if (refused != null) {
      throw new IllegalStateException("key events cannot be turned on: " + refused);
    }
    Map<String, KeyEvent.Kind> byEvent = new HashMap<>();
    kinds.forEach(k -> byEvent.put(k.event, k));
    String own = keyPrefix + ":";
    return redis.psubscribe("__keyevent@*__:*", (channel, redisKey) -> {
      KeyEvent.Kind kind = byEvent.get(channel.substring(channel.lastIndexOf(':') + 1));
      if (kind == null || !redisKey.startsWith(own) || redisKey.startsWith("__", own.length())) {
        return;
      }
      KeyEvent event = keyEvent(kind, redisKey, redisKey.substring(own.length()));
      asyncExecutor.execute(() -> {
        try {
          listener.accept(event);
        } catch (RuntimeException e) {
          log.warn("key event listener failed on {}: {}", event, e.toString());
        }
      });
    });
  }

  /** Names the cache whose key space holds {@code rest} (the Redis key without the prefix). */
  private KeyEvent keyEvent(KeyEvent.Kind kind, String redisKey, String rest) {
    int colon = rest.indexOf(':');
    if (colon > 0) {
      String cache = rest.substring(0, colon);
      CacheGroup group = groups.get(cache);
      boolean owns = group != null
          ? group.ownKeys
          : (declared.containsKey(cache) && !specOf(cache).sharedKeys());
      if (owns) {
        return new KeyEvent(kind, cache, rest.substring(colon + 1), redisKey);
      }
    }
    return new KeyEvent(kind, null, rest, redisKey);
  }

  @Override
  public Set<String> cacheNames() {
    Set<String> names = new TreeSet<>(declared.keySet());
    names.addAll(groups.keySet());
    return Collections.unmodifiableSet(names);
  }

  @Override
  public Map<String, CacheStats> stats() {
    Map<String, CacheStats> stats = new LinkedHashMap<>();
    new TreeSet<>(groups.keySet())
        .forEach(name -> stats.put(name, groups.get(name).snapshot()));
    return Collections.unmodifiableMap(stats);
  }

  @Override
  public CacheStats stats(String cacheName) {
    CacheGroup group = groups.get(Objects.requireNonNull(cacheName, "cacheName must not be null"));
    return group == null ? null : group.snapshot();
  }

  @Override
  public String keyPrefix() {
    return keyPrefix;
  }

  @Override
  public boolean isRedisAvailable() {
    return redis != null && redis.available();
  }

  @Override
  public RedisHealth redisHealth() {
    if (redis == null) {
      return new RedisHealth(RedisHealth.Status.NONE, "no Redis is configured");
    }
    if (!redis.available()) {
      return new RedisHealth(
          RedisHealth.Status.DOWN,
          "Redis at " + redis.describe() + " does not answer; caches run on L1 and loaders");
    }
    String full = redis.writesRefused();
    return full == null
        ? new RedisHealth(RedisHealth.Status.UP, "")
        : new RedisHealth(RedisHealth.Status.REFUSING_WRITES, full);
  }

  @Override
  public void flush() {
    for (CacheGroup group : groups.values()) {
      if (group.writeBack != null) {
        group.writeBack.flush();
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (CacheGroup group : groups.values()) {
        if (group.writeBack != null) {
          group.writeBack.close();
        }
      }
    } finally {
      if (toolkit != null) {
        toolkit.close(); // flushes batched counters while Redis and the scheduler still run
      }
      views.values().forEach(DefaultCache::close);
      refreshExecutor.shutdownNow();
      if (coherence != null) {
        coherence.close();
      }
      groups
          .values()
          .forEach(CacheGroup::close); // after the reader: it applies to the persistent levels
      scheduler.shutdownNow();
      writeBackExecutor.shutdown();
      try {
        writeBackExecutor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (redis != null) {
        redis.close();
      }
      log.info("Tiercache closed (prefix '{}')", keyPrefix);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this TierCache is closed");
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
