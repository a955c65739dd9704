package io.tiercache.spring;

import io.tiercache.CoherenceMode;
import io.tiercache.Strategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code tiercache.*} properties: the schema of docs/configuration.md, bound by Spring Boot.
 * Every setting left out keeps Tiercache's default; {@link TiercachePropertiesMapper} turns them
 * into cache-core's {@link io.tiercache.TierCacheConfig}. An unknown name under {@code
 * tiercache.} fails start-up, as it does in cache-core: a typo must not pass as a default.
 */
@ConfigurationProperties(prefix = "tiercache", ignoreUnknownFields = false)
public class TiercacheProperties {

  /** Whether the starter builds a TierCache and a CacheManager at all. */
  private boolean enabled = true;

  /**
   * Every Redis key starts with this and ':'. One segment of letters, digits, '.', '_' or '-'.
   * Defaults to 'tiercache'.
   */
  private String keyPrefix;

  /**
   * Whether caches not named under tiercache.caches may be created (with tiercache.defaults) when
   * a @Cacheable names them. Unlike the plain builder, on by default: Spring applications name
   * caches in annotations. Off, a cache name missing from tiercache.caches fails start-up.
   */
  private boolean allowUndeclaredCaches = true;

  /** Longest key before its tail is hashed; at least 64. Defaults to 512. */
  private Integer maxKeyLength;

  /** Keys remembered for deletion while Redis is unreachable; positive. Defaults to 100000. */
  private Integer maxPendingDeletes;

  /** The Redis connection. */
  private final Redis redis = new Redis();

  /** How instances keep their L1 coherent. */
  private final Coherence coherence = new Coherence();

  /** The settings every cache starts from. */
  @NestedConfigurationProperty
  private final CacheProperties defaults = new CacheProperties();

  /** Declared caches by name, each one's settings over the defaults. */
  private final Map<String, CacheProperties> caches = new LinkedHashMap<>();

  /** Invalidation events: event name to key patterns (see docs/getting-started.md). */
  private final Map<String, List<String>> events = new LinkedHashMap<>();

  /** The Actuator health indicator. */
  private final Health health = new Health();

  /** Micrometer meters. */
  private final Metrics metrics = new Metrics();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public boolean isAllowUndeclaredCaches() {
    return allowUndeclaredCaches;
  }

  public void setAllowUndeclaredCaches(boolean allowUndeclaredCaches) {
    this.allowUndeclaredCaches = allowUndeclaredCaches;
  }

  public Integer getMaxKeyLength() {
    return maxKeyLength;
  }

  public void setMaxKeyLength(Integer maxKeyLength) {
    this.maxKeyLength = maxKeyLength;
  }

  public Integer getMaxPendingDeletes() {
    return maxPendingDeletes;
  }

  public void setMaxPendingDeletes(Integer maxPendingDeletes) {
    this.maxPendingDeletes = maxPendingDeletes;
  }

  public Redis getRedis() {
    return redis;
  }

  public Coherence getCoherence() {
    return coherence;
  }

  public CacheProperties getDefaults() {
    return defaults;
  }

  public Map<String, CacheProperties> getCaches() {
    return caches;
  }

  public Map<String, List<String>> getEvents() {
    return events;
  }

  public Health getHealth() {
    return health;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  /** {@code tiercache.redis.*}. */
  public static class Redis {

    /**
     * The Redis server: redis://[user:password@]host:port[/db], rediss:// for TLS, or
     * redis-sentinel://host:port[,host:port]#master. When absent, the REDIS_URL environment
     * variable is used, as in seed 003.
     */
    private String uri;

    /** Redis Cluster seed URIs, instead of uri. */
    private List<String> cluster = new ArrayList<>();

    /** ACL user name; with password, overrides the credentials of the URIs. */
    private String username;

    /** ACL password (or requirepass); never logged. */
    private String password;

    /** PEM file of the certificates to trust for rediss://. */
    private Path trustedCertificates;

    /** How long one Redis command may take before the call degrades. Defaults to 250ms. */
    private Duration commandTimeout;

    /** How long connecting to Redis may take. Defaults to 1s. */
    private Duration connectTimeout;

    /** How often an open circuit breaker probes Redis. Defaults to 1s. */
    private Duration probeInterval;

    /** The circuit breaker. */
    private final Breaker breaker = new Breaker();

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    public List<String> getCluster() {
      return cluster;
    }

    public void setCluster(List<String> cluster) {
      this.cluster = cluster;
    }

    public String getUsername() {
      return username;
    }

    public void setUsername(String username) {
      this.username = username;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public Path getTrustedCertificates() {
      return trustedCertificates;
    }

    public void setTrustedCertificates(Path trustedCertificates) {
      this.trustedCertificates = trustedCertificates;
    }

    public Duration getCommandTimeout() {
      return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
    }

    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    public Duration getProbeInterval() {
      return probeInterval;
    }

    public void setProbeInterval(Duration probeInterval) {
      this.probeInterval = probeInterval;
    }

    public Breaker getBreaker() {
      return breaker;
    }
  }

  /** {@code tiercache.redis.breaker.*}. */
  public static class Breaker {

    /** Failure events within the window that open the breaker; 1 to 1000. Defaults to 3. */
    private Integer failures;

    /** The window; 10ms to 1m. Defaults to 1s. */
    private Duration window;

    public Integer getFailures() {
      return failures;
    }

    public void setFailures(Integer failures) {
      this.failures = failures;
    }

    public Duration getWindow() {
      return window;
    }

    public void setWindow(Duration window) {
      this.window = window;
    }
  }

  /** {@code tiercache.coherence.*}. */
  public static class Coherence {

    /** NONE, STREAM, STREAM_AND_TRACKING or TRACKING. Defaults to STREAM. */
    private CoherenceMode mode;

    /** Strict coherence: L1 answers only while the stream was read to its end within this bound; 20ms to 1h. */
    private Duration strictBound;

    /** Messages the invalidation stream keeps; at least 1000. Defaults to 100000. */
    private Long streamLength;

    /** How long a loaded value is remembered to undo it if an invalidation overtakes it. */
    private Duration loadRaceWindow;

    /** Keys per second a pattern invalidation deletes at most; 0 for no limit. Defaults to 50000. */
    private Long massInvalidationRate;

    /** Invalidation streams on a Redis Cluster, 1 to 1024; 0 (the default) for one per master. */
    private Integer shards;

    /** Whether key invalidations published while an append is in flight go out together. Defaults to true. */
    private Boolean batchAppends;

    /** How often, at most, a busy invalidation stream is read; 0 to 100ms. Defaults to 1ms. */
    private Duration readInterval;

    public Duration getReadInterval() {
      return readInterval;
    }

    public void setReadInterval(Duration readInterval) {
      this.readInterval = readInterval;
    }

    public Integer getShards() {
      return shards;
    }

    public void setShards(Integer shards) {
      this.shards = shards;
    }

    public Boolean getBatchAppends() {
      return batchAppends;
    }

    public void setBatchAppends(Boolean batchAppends) {
      this.batchAppends = batchAppends;
    }

    public Long getMassInvalidationRate() {
      return massInvalidationRate;
    }

    public void setMassInvalidationRate(Long massInvalidationRate) {
      this.massInvalidationRate = massInvalidationRate;
    }

    public CoherenceMode getMode() {
      return mode;
    }

    public void setMode(CoherenceMode mode) {
      this.mode = mode;
    }

    public Duration getStrictBound() {
      return strictBound;
    }

    public void setStrictBound(Duration strictBound) {
      this.strictBound = strictBound;
    }

    public Long getStreamLength() {
      return streamLength;
    }

    public void setStreamLength(Long streamLength) {
      this.streamLength = streamLength;
    }

    public Duration getLoadRaceWindow() {
      return loadRaceWindow;
    }

    public void setLoadRaceWindow(Duration loadRaceWindow) {
      this.loadRaceWindow = loadRaceWindow;
    }
  }

  /** {@code tiercache.health.*}. */
  public static class Health {

    /** Whether the 'tiercache' health indicator is registered (with Actuator present). */
    private boolean enabled = true;

    /**
     * The status reported while Redis does not answer (the breaker is open; caches run on L1 and
     * their loaders). DOWN by default, like Boot's Redis indicator; UP or a custom code such as
     * DEGRADED keeps the instance in service.
     */
    private String downStatus = "DOWN";

    /**
     * The status reported while Redis refuses writes (maxmemory) or coherence lags more than
     * max-coherence-lag. UP by default; the details say degraded=true either way.
     */
    private String degradedStatus = "UP";

    /** The p99 coherence lag above which the instance counts as degraded; not checked when absent. */
    private Duration maxCoherenceLag;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getDownStatus() {
      return downStatus;
    }

    public void setDownStatus(String downStatus) {
      this.downStatus = downStatus;
    }

    public String getDegradedStatus() {
      return degradedStatus;
    }

    public void setDegradedStatus(String degradedStatus) {
      this.degradedStatus = degradedStatus;
    }

    public Duration getMaxCoherenceLag() {
      return maxCoherenceLag;
    }

    public void setMaxCoherenceLag(Duration maxCoherenceLag) {
      this.maxCoherenceLag = maxCoherenceLag;
    }
  }

  /** {@code tiercache.metrics.*}. */
  public static class Metrics {

    /** Whether Tiercache's meters are bound to the application's MeterRegistry. */
    private boolean enabled = true;

    /** Tags added to every Tiercache meter. */
    private Map<String, String> tags = new LinkedHashMap<>();

    /** Whether every meter gets tiercache.instance=the coherence instance id. */
    private boolean instanceTag;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Map<String, String> getTags() {
      return tags;
    }

    public void setTags(Map<String, String> tags) {
      this.tags = tags;
    }

    public boolean isInstanceTag() {
      return instanceTag;
    }

    public void setInstanceTag(boolean instanceTag) {
      this.instanceTag = instanceTag;
    }
  }

  /** One cache's settings ({@code tiercache.defaults.*}, {@code tiercache.caches.<name>.*}). */
  public static class CacheProperties {

    /**
     * The value type, a class name. Without it the type is inferred from the return types of the
     * application's @Cacheable and @CachePut methods of this cache.
     */
    private Class<?> valueType;

    /** Time to live in Redis. Defaults to 1h. */
    private Duration ttl;

    /** Each entry's TTL is multiplied by a random factor in [1 - j, 1 + j]; in [0, 1). */
    private Double ttlJitter;

    /** Whether null loader results are cached (through @Cacheable(sync = true)). Defaults to true. */
    private Boolean cacheNulls;

    /** Time to live of a cached null. Defaults to 1m. */
    private Duration nullTtl;

    /** Whether the in-process level (Caffeine) is on. Defaults to true. */
    private Boolean l1;

    /** Maximum L1 entries; positive. Defaults to 10000. */
    private Long l1MaxSize;

    /** L1 lifetime; capped at the TTL. Defaults to min(ttl, 10m). */
    private Duration l1Ttl;

    /** Whether the Redis level is on. Defaults to true. */
    private Boolean l2;

    /** CACHE_ASIDE (the only one without a writer bean), WRITE_THROUGH or WRITE_BACK. */
    private Strategy strategy;

    /** Encoded values larger than this many bytes are compressed; 0 compresses all. */
    private Integer compressionThreshold;

    /** Largest value in encoded bytes; 1024 to 536870912. Defaults to 4 MiB. */
    private Integer maxValueSize;

    /** Refresh-ahead period, shorter than the TTL; off when absent. */
    private Duration refreshAfter;

    /** Periods a key may go unread before it stops being refreshed; at least 1. */
    private Integer refreshIdlePeriods;

    /** The most keys refreshed; positive. */
    private Long refreshMaxKeys;

    /** XFetch early refresh factor; needs refresh-after. */
    private Double earlyRefreshBeta;

    /** Distributed single-flight: the longest wait for another instance's load (also the lease). */
    private Duration distributedLoad;

    /** Whether loaded values are written to Redis in the background. */
    private Boolean writeLoadedAsync;

    /** Whether the keys live in the key space shared by every such cache. Defaults to false. */
    private Boolean sharedKeys;

    /** Sliding window for exact hot-key counts, 1s to 1d; off when absent. */
    private Duration hotKeys;

    /** Entries expire at the next midnight in this zone (UTC, Asia/Shanghai) at the latest. */
    private String expireAtNextMidnight;

    /** The write-back queue (strategy WRITE_BACK). */
    private final WriteBack writeBack = new WriteBack();

    /** The cache's Bloom guard. */
    private final BloomGuard bloomGuard = new BloomGuard();

    /** Writes wait for replica acknowledgements (WAIT). */
    private final ReplicaAcks replicaAcks = new ReplicaAcks();

    /** The persistent third level on local disk (docs/persistent-level.md). */
    private final L3 l3 = new L3();

    public L3 getL3() {
      return l3;
    }

    public String getExpireAtNextMidnight() {
      return expireAtNextMidnight;
    }

    public void setExpireAtNextMidnight(String expireAtNextMidnight) {
      this.expireAtNextMidnight = expireAtNextMidnight;
    }

    public WriteBack getWriteBack() {
      return writeBack;
    }

    public BloomGuard getBloomGuard() {
      return bloomGuard;
    }

    public ReplicaAcks getReplicaAcks() {
      return replicaAcks;
    }

    public Class<?> getValueType() {
      return valueType;
    }

    public void setValueType(Class<?> valueType) {
      this.valueType = valueType;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }

    public Double getTtlJitter() {
      return ttlJitter;
    }

    public void setTtlJitter(Double ttlJitter) {
      this.ttlJitter = ttlJitter;
    }

    public Boolean getCacheNulls() {
      return cacheNulls;
    }

    public void setCacheNulls(Boolean cacheNulls) {
      this.cacheNulls = cacheNulls;
    }

    public Duration getNullTtl() {
      return nullTtl;
    }

    public void setNullTtl(Duration nullTtl) {
      this.nullTtl = nullTtl;
    }

    public Boolean getL1() {
      return l1;
    }

    public void setL1(Boolean l1) {
      this.l1 = l1;
    }

    public Long getL1MaxSize() {
      return l1MaxSize;
    }

    public void setL1MaxSize(Long l1MaxSize) {
      this.l1MaxSize = l1MaxSize;
    }

    public Duration getL1Ttl() {
      return l1Ttl;
    }

    public void setL1Ttl(Duration l1Ttl) {
      this.l1Ttl = l1Ttl;
    }

    public Boolean getL2() {
      return l2;
    }

    public void setL2(Boolean l2) {
      this.l2 = l2;
    }

    public Strategy getStrategy() {
      return strategy;
    }

    public void setStrategy(Strategy strategy) {
      this.strategy = strategy;
    }

    public Integer getCompressionThreshold() {
      return compressionThreshold;
    }

    public void setCompressionThreshold(Integer compressionThreshold) {
      this.compressionThreshold = compressionThreshold;
    }

    public Integer getMaxValueSize() {
      return maxValueSize;
    }

    public void setMaxValueSize(Integer maxValueSize) {
      this.maxValueSize = maxValueSize;
    }

    public Duration getRefreshAfter() {
      return refreshAfter;
    }

    public void setRefreshAfter(Duration refreshAfter) {
      this.refreshAfter = refreshAfter;
    }

    public Integer getRefreshIdlePeriods() {
      return refreshIdlePeriods;
    }

    public void setRefreshIdlePeriods(Integer refreshIdlePeriods) {
      this.refreshIdlePeriods = refreshIdlePeriods;
    }

    public Long getRefreshMaxKeys() {
      return refreshMaxKeys;
    }

    public void setRefreshMaxKeys(Long refreshMaxKeys) {
      this.refreshMaxKeys = refreshMaxKeys;
    }

    public Double getEarlyRefreshBeta() {
      return earlyRefreshBeta;
    }

    public void setEarlyRefreshBeta(Double earlyRefreshBeta) {
      this.earlyRefreshBeta = earlyRefreshBeta;
    }

    public Duration getDistributedLoad() {
      return distributedLoad;
    }

    public void setDistributedLoad(Duration distributedLoad) {
      this.distributedLoad = distributedLoad;
    }

    public Boolean getWriteLoadedAsync() {
      return writeLoadedAsync;
    }

    public void setWriteLoadedAsync(Boolean writeLoadedAsync) {
      this.writeLoadedAsync = writeLoadedAsync;
    }

    public Boolean getSharedKeys() {
      return sharedKeys;
    }

    public void setSharedKeys(Boolean sharedKeys) {
      this.sharedKeys = sharedKeys;
    }

    public Duration getHotKeys() {
      return hotKeys;
    }

    public void setHotKeys(Duration hotKeys) {
      this.hotKeys = hotKeys;
    }
  }

  /** {@code ...write-back.*}. */
  public static class WriteBack {

    /** Distinct keys queued before a put flushes on the caller's thread. Defaults to 10000. */
    private Integer capacity;

    /** Entries per writeAll. Defaults to 500. */
    private Integer batchSize;

    /** Time between background flushes. Defaults to 1s. */
    private Duration interval;

    /** Attempts before an entry is dead-lettered. Defaults to 5. */
    private Integer maxAttempts;

    /** First retry delay, doubled per attempt. Defaults to 100ms. */
    private Duration backoff;

    public Integer getCapacity() {
      return capacity;
    }

    public void setCapacity(Integer capacity) {
      this.capacity = capacity;
    }

    public Integer getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public Duration getBackoff() {
      return backoff;
    }

    public void setBackoff(Duration backoff) {
      this.backoff = backoff;
    }
  }

  /** {@code ...bloom-guard.*}. */
  public static class BloomGuard {

    /** Size the guard for this many keys; off when absent. */
    private Long expectedKeys;

    /** The guard's target false-positive rate. Defaults to 0.01. */
    private Double falsePositiveRate;

    public Long getExpectedKeys() {
      return expectedKeys;
    }

    public void setExpectedKeys(Long expectedKeys) {
      this.expectedKeys = expectedKeys;
    }

    public Double getFalsePositiveRate() {
      return falsePositiveRate;
    }

    public void setFalsePositiveRate(Double falsePositiveRate) {
      this.falsePositiveRate = falsePositiveRate;
    }
  }

  /** {@code ...l3.*}. */
  public static class L3 {

    /** The level's directory on local disk; off when absent. */
    private Path directory;

    /** The level's bound in bytes, 1 MiB to 1 TiB. Defaults to 268435456 (256 MiB). */
    private Long maxBytes;

    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = directory;
    }

    public Long getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(Long maxBytes) {
      this.maxBytes = maxBytes;
    }
  }

  /** {@code ...replica-acks.*}. */
  public static class ReplicaAcks {

    /** Replicas every write waits for; 0 to 16. Defaults to 0. */
    private Integer replicas;

    /** The longest such wait, up to 1m. Defaults to 100ms. */
    private Duration timeout;

    public Integer getReplicas() {
      return replicas;
    }

    public void setReplicas(Integer replicas) {
      this.replicas = replicas;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }
}
