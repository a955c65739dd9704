package io.tiercache;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The immutable policy of one named cache: value type, expiry, levels, strategy and write-back
 * tuning. Build one with {@link #builder()}, or derive one with {@link #toBuilder()}; the builder
 * of {@link TierCache} applies per-cache settings on top of its defaults.
 *
 * <pre>{@code
 * CacheSpec info = CacheSpec.builder()
 *     .valueType(ProjectInfo.class)
 *     .ttl(Duration.ofHours(2))
 *     .ttlJitter(0.1)                 // each entry lives 2h ± 10%
 *     .nullTtl(Duration.ofMinutes(1)) // "no such project" is remembered for a minute
 *     .build();
 * }</pre>
 *
 * <p>Defaults are the {@code DEFAULT_*} constants. A setting that is out of range throws {@link
 * IllegalArgumentException} naming the setting and the rule; an inconsistent combination throws
 * {@link IllegalStateException} from {@link Builder#build()}.
 */
public final class CacheSpec {

  /** Time to live in Redis: one hour. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(1);
  /** TTL of a cached null (an absent result): one minute. */
  public static final Duration DEFAULT_NULL_TTL = Duration.ofMinutes(1);
  /** Longest time an entry stays in L1: ten minutes (and never longer than the TTL). */
  public static final Duration DEFAULT_L1_MAX_TTL = Duration.ofMinutes(10);
  /** Entries kept in L1: 10,000. */
  public static final long DEFAULT_L1_MAX_SIZE = 10_000;
  /** Values whose JSON is larger than this many bytes are compressed: 1 KiB. */
  public static final int DEFAULT_COMPRESSION_THRESHOLD = 1024;
  /** The false-positive rate of {@link Builder#bloomGuard(long)}: 1 %. */
  public static final double DEFAULT_BLOOM_GUARD_RATE = 0.01;
  /**
   * Largest value, in encoded bytes before compression (JSON, or a {@code byte[]}'s own bytes):
   * 4 MiB. It bounds what one read may allocate, whatever a stored frame declares.
   */
  public static final int DEFAULT_MAX_VALUE_SIZE = 4 * 1024 * 1024;
  /** Distinct keys waiting in the write-back queue before callers flush themselves: 10,000. */
  public static final int DEFAULT_WRITE_BACK_CAPACITY = 10_000;
  /** Entries per write-back batch: 500. */
  public static final int DEFAULT_WRITE_BACK_BATCH_SIZE = 500;
  /** Time between write-back flushes: one second. */
  public static final Duration DEFAULT_WRITE_BACK_INTERVAL = Duration.ofSeconds(1);
  /** Attempts per write-back batch before its entries go to the dead-letter listener: 5. */
  public static final int DEFAULT_WRITE_BACK_MAX_ATTEMPTS = 5;
  /** Wait before the first write-back retry, doubled at each attempt: 100 ms. */
  public static final Duration DEFAULT_WRITE_BACK_BACKOFF = Duration.ofMillis(100);
  /** Refresh periods a key may go unread before it leaves the refresh registry: 2. */
  public static final int DEFAULT_REFRESH_IDLE_PERIODS = 2;
  /** Keys the refresh registry holds at most: 10,000. */
  public static final long DEFAULT_REFRESH_MAX_KEYS = 10_000;

  private final TypeRef<?> valueType;
  private final Duration ttl;
  private final double ttlJitter;
  private final boolean cacheNulls;
  private final Duration nullTtl;
  private final boolean l1Enabled;
  private final long l1MaxSize;
  private final Duration l1Ttl;
  private final boolean l2Enabled;
  private final Strategy strategy;
  private final CacheWriter<?, ?> writer;
  private final DeadLetterListener<?, ?> deadLetterListener;
  private final int compressionThreshold;
  private final int maxValueSize;
  private final int writeBackCapacity;
  private final int writeBackBatchSize;
  private final Duration writeBackInterval;
  private final int writeBackMaxAttempts;
  private final Duration writeBackBackoff;
  private final Duration refreshAfter;
  private final int refreshIdlePeriods;
  private final long refreshMaxKeys;
  private final double earlyRefreshBeta;
  private final Duration expiryBoundary;
  private final ZoneId expiryZone;
  private final Duration distributedLoadWait;
  private final boolean writeLoadedAsync;
  private final boolean sharedKeys;
  private final long bloomGuardInsertions;
  private final double bloomGuardRate;
  private final Duration hotKeysWindow;
  private final int replicaAcks;
  private final Duration replicaAckTimeout;
  private final Path l3Directory;
  private final long l3MaxBytes;

  private CacheSpec(Builder b) {
    this.valueType = b.valueType;
    this.ttl = b.ttl;
    this.ttlJitter = b.ttlJitter;
    this.cacheNulls = b.cacheNulls;
    this.nullTtl = b.nullTtl;
    this.l1Enabled = b.l1Enabled;
    this.l1MaxSize = b.l1MaxSize;
    this.l1Ttl = b.l1Ttl;
    this.l2Enabled = b.l2Enabled;
    this.strategy = b.strategy;
    this.writer = b.writer;
    this.deadLetterListener = b.deadLetterListener;
    this.compressionThreshold = b.compressionThreshold;
    this.maxValueSize = b.maxValueSize;
    this.writeBackCapacity = b.writeBackCapacity;
    this.writeBackBatchSize = b.writeBackBatchSize;
    this.writeBackInterval = b.writeBackInterval;
    this.writeBackMaxAttempts = b.writeBackMaxAttempts;
    this.writeBackBackoff = b.writeBackBackoff;
    this.refreshAfter = b.refreshAfter;
    this.refreshIdlePeriods = b.refreshIdlePeriods;
    this.refreshMaxKeys = b.refreshMaxKeys;
    this.earlyRefreshBeta = b.earlyRefreshBeta;
    this.expiryBoundary = b.expiryBoundary;
    this.expiryZone = b.expiryZone;
    this.distributedLoadWait = b.distributedLoadWait;
    this.writeLoadedAsync = b.writeLoadedAsync;
    this.sharedKeys = b.sharedKeys;
    this.bloomGuardInsertions = b.bloomGuardInsertions;
    this.bloomGuardRate = b.bloomGuardRate;
    this.hotKeysWindow = b.hotKeysWindow;
    this.replicaAcks = b.replicaAcks;
    this.replicaAckTimeout = b.replicaAckTimeout;
    this.l3Directory = b.l3Directory;
    this.l3MaxBytes = b.l3MaxBytes;
  }

  /** A builder with every default. */
  public static Builder builder() {
    return new Builder();
  }

  /** A spec with every default. */
  public static CacheSpec defaults() {
    return builder().build();
  }

  /** A builder holding this spec's settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The value type, or null when it is given by {@link TierCache#cache(String, TypeRef)}. */
  public TypeRef<?> valueType() {
    return valueType;
  }

  /** Time to live of an entry in Redis, before jitter. */
  public Duration ttl() {
    return ttl;
  }

  /** The fraction in [0, 1) by which each entry's TTL is randomly lengthened or shortened. */
  public double ttlJitter() {
    return ttlJitter;
  }

  /** Whether a null loader result is cached (for {@link #nullTtl()}). */
  public boolean cacheNulls() {
    return cacheNulls;
  }

  /** Time to live of a cached null. */
  public Duration nullTtl() {
    return nullTtl;
  }

  /** Whether the in-process level (Caffeine) is on. */
  public boolean l1Enabled() {
    return l1Enabled;
  }

  /** Maximum number of L1 entries. */
  public long l1MaxSize() {
    return l1MaxSize;
  }

  /**
   * Time to live in L1: the configured value, or else the smaller of {@link #ttl()} and {@link
   * #DEFAULT_L1_MAX_TTL}. Never longer than {@link #ttl()}.
   */
  public Duration l1Ttl() {
    Duration configured = l1Ttl != null ? l1Ttl : DEFAULT_L1_MAX_TTL;
    return configured.compareTo(ttl) < 0 ? configured : ttl;
  }

  /** Whether the Redis level is on. */
  public boolean l2Enabled() {
    return l2Enabled;
  }

  /** The write strategy. */
  public Strategy strategy() {
    return strategy;
  }

  /** The system of record for write-through and write-back, or null. */
  public CacheWriter<?, ?> writer() {
    return writer;
  }

  /** Receives write-back entries that failed every attempt, or null (they are logged at ERROR). */
  public DeadLetterListener<?, ?> deadLetterListener() {
    return deadLetterListener;
  }

  /** Encoded values larger than this many bytes are compressed. */
  public int compressionThreshold() {
    return compressionThreshold;
  }

  /**
   * Largest value in encoded bytes (before compression). A {@code put} of a larger value is
   * refused; a larger loaded value is returned but not written to Redis; a stored frame that is,
   * or would inflate to, more than this is a miss, read without allocating more than it.
   */
  public int maxValueSize() {
    return maxValueSize;
  }

  /** Distinct keys the write-back queue holds before a caller of {@code put} flushes it. */
  public int writeBackCapacity() {
    return writeBackCapacity;
  }

  /** Entries per write-back batch. */
  public int writeBackBatchSize() {
    return writeBackBatchSize;
  }

  /** Time between background write-back flushes. */
  public Duration writeBackInterval() {
    return writeBackInterval;
  }

  /** Attempts per write-back batch. */
  public int writeBackMaxAttempts() {
    return writeBackMaxAttempts;
  }

  /** Wait before the first write-back retry; doubled at each further attempt. */
  public Duration writeBackBackoff() {
    return writeBackBackoff;
  }

  /** The refresh-ahead period, or null when the cache does not refresh. */
  public Duration refreshAfter() {
    return refreshAfter;
  }

  /** Refresh periods a key may go unread before it stops being refreshed. */
  public int refreshIdlePeriods() {
    return refreshIdlePeriods;
  }

  /** The most keys refreshed per cache (least recently read ones drop out first). */
  public long refreshMaxKeys() {
    return refreshMaxKeys;
  }

  /** The XFetch beta for probabilistic early refresh on read; 0 when off. */
  public double earlyRefreshBeta() {
    return earlyRefreshBeta;
  }

  /** The period whose next boundary ends every entry's life (1 day: midnight), or null. */
  public Duration expiryBoundary() {
    return expiryBoundary;
  }

  /** The zone of {@link #expiryBoundary()}, or null. */
  public ZoneId expiryZone() {
    return expiryZone;
  }

  /**
   * How long an instance waits for another instance's load of the same key before it loads
   * itself, or null when loads are not coordinated across instances.
   */
  public Duration distributedLoadWait() {
    return distributedLoadWait;
  }

  /** Whether a value loaded after a miss is written to L2 without the caller waiting for it. */
  public boolean writeLoadedAsync() {
    return writeLoadedAsync;
  }

  /**
   * Whether this cache's keys live in the key space every such cache shares, {@code
   * {prefix}:{key}}, rather than in its own, {@code {prefix}:{cacheName}:{key}} (the default).
   * See {@link Builder#sharedKeys}.
   */
  public boolean sharedKeys() {
    return sharedKeys;
  }

  /**
   * The number of keys this cache's Bloom guard is sized for, 0 when it has none. See {@link
   * Builder#bloomGuard}.
   */
  public long bloomGuardInsertions() {
    return bloomGuardInsertions;
  }

  /** The false-positive rate of this cache's Bloom guard, 0 when it has none. */
  public double bloomGuardRate() {
    return bloomGuardRate;
  }

  /**
   * The window over which {@link Cache#hottestKeys} counts reads, null when it reads L1's
   * frequency sketch instead. See {@link Builder#hotKeys}.
   */
  public Duration hotKeysWindow() {
    return hotKeysWindow;
  }

  /** Replicas that must acknowledge a write before it is reported done; 0 (the default) waits for none. */
  public int replicaAcks() {
    return replicaAcks;
  }

  /** How long a write waits for {@link #replicaAcks()} replicas; null when it waits for none. */
  public Duration replicaAckTimeout() {
    return replicaAckTimeout;
  }

  /** Whether the persistent level on local disk is on ({@link Builder#l3}); off by default. */
  public boolean l3Enabled() {
    return l3Directory != null;
  }

  /** The directory of the persistent level's file, or null when the level is off. */
  public Path l3Directory() {
    return l3Directory;
  }

  /** The most bytes the persistent level keeps (records: key, expiry, check, frame), 0 when off. */
  public long l3MaxBytes() {
    return l3MaxBytes;
  }

  @Override
  public String toString() {
    return "CacheSpec{valueType=" + valueType + ", ttl=" + ttl + ", ttlJitter=" + ttlJitter
        + ", cacheNulls=" + cacheNulls + ", nullTtl=" + nullTtl + ", l1=" + l1Enabled
        + (l1Enabled ? "(maxSize=" + l1MaxSize + ", ttl=" + l1Ttl() + ")" : "")
        + ", l2=" + l2Enabled + ", strategy=" + strategy + ", compressionThreshold="
        + compressionThreshold + ", maxValueSize=" + maxValueSize
        + (refreshAfter != null ? ", refreshAfter=" + refreshAfter : "")
        + (expiryBoundary != null ? ", expiryBoundary=" + expiryBoundary + "@" + expiryZone : "")
        + (distributedLoadWait != null ? ", distributedLoad=" + distributedLoadWait : "")
        + (writeLoadedAsync ? ", writeLoadedAsync=true" : "")
        + (sharedKeys ? ", sharedKeys=true" : "")
        + (replicaAcks > 0 ? ", replicaAcks=" + replicaAcks + "/" + replicaAckTimeout : "")
        + (bloomGuardInsertions > 0
            ? ", bloomGuard=" + bloomGuardInsertions + "@" + bloomGuardRate
            : "")
        + (hotKeysWindow != null ? ", hotKeys=" + hotKeysWindow : "")
        + (l3Directory != null ? ", l3=" + l3Directory + "(maxBytes=" + l3MaxBytes + ")" : "")
        + "}";
  }

  /** Builds a {@link CacheSpec}. Each setter checks its argument at once. */
  public static final class Builder {
    private TypeRef<?> valueType;
    private Duration ttl = DEFAULT_TTL;
    private double ttlJitter;
    private boolean cacheNulls = true;
    private Duration nullTtl = DEFAULT_NULL_TTL;
    private boolean l1Enabled = true;
    private long l1MaxSize = DEFAULT_L1_MAX_SIZE;
    private Duration l1Ttl;
    private boolean l2Enabled = true;
    private Strategy strategy = Strategy.CACHE_ASIDE;
    private CacheWriter<?, ?> writer;
    private DeadLetterListener<?, ?> deadLetterListener;
    private int compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD;
    private int maxValueSize = DEFAULT_MAX_VALUE_SIZE;
    private int writeBackCapacity = DEFAULT_WRITE_BACK_CAPACITY;
    private int writeBackBatchSize = DEFAULT_WRITE_BACK_BATCH_SIZE;
    private Duration writeBackInterval = DEFAULT_WRITE_BACK_INTERVAL;
    private int writeBackMaxAttempts = DEFAULT_WRITE_BACK_MAX_ATTEMPTS;
    private Duration writeBackBackoff = DEFAULT_WRITE_BACK_BACKOFF;
    private Duration refreshAfter;
    private int refreshIdlePeriods = DEFAULT_REFRESH_IDLE_PERIODS;
    private long refreshMaxKeys = DEFAULT_REFRESH_MAX_KEYS;
    private double earlyRefreshBeta;
    private Duration expiryBoundary;
    private ZoneId expiryZone;
    private Duration distributedLoadWait;
    private boolean writeLoadedAsync;
    private boolean sharedKeys;
    private long bloomGuardInsertions;
    private double bloomGuardRate;
    private Duration hotKeysWindow;
    private int replicaAcks;
    private Duration replicaAckTimeout;
    private Path l3Directory;
    private long l3MaxBytes;

    private Builder() {}

    private Builder(CacheSpec s) {
      valueType = s.valueType;
      ttl = s.ttl;
      ttlJitter = s.ttlJitter;
      cacheNulls = s.cacheNulls;
      nullTtl = s.nullTtl;
      l1Enabled = s.l1Enabled;
      l1MaxSize = s.l1MaxSize;
      l1Ttl = s.l1Ttl;
      l2Enabled = s.l2Enabled;
      strategy = s.strategy;
      writer = s.writer;
      deadLetterListener = s.deadLetterListener;
      compressionThreshold = s.compressionThreshold;
      maxValueSize = s.maxValueSize;
      writeBackCapacity = s.writeBackCapacity;
      writeBackBatchSize = s.writeBackBatchSize;
      writeBackInterval = s.writeBackInterval;
      writeBackMaxAttempts = s.writeBackMaxAttempts;
      writeBackBackoff = s.writeBackBackoff;
      refreshAfter = s.refreshAfter;
      refreshIdlePeriods = s.refreshIdlePeriods;
      refreshMaxKeys = s.refreshMaxKeys;
      earlyRefreshBeta = s.earlyRefreshBeta;
      expiryBoundary = s.expiryBoundary;
      expiryZone = s.expiryZone;
      distributedLoadWait = s.distributedLoadWait;
      writeLoadedAsync = s.writeLoadedAsync;
      sharedKeys = s.sharedKeys;
      bloomGuardInsertions = s.bloomGuardInsertions;
      bloomGuardRate = s.bloomGuardRate;
      hotKeysWindow = s.hotKeysWindow;
      replicaAcks = s.replicaAcks;
      replicaAckTimeout = s.replicaAckTimeout;
      l3Directory = s.l3Directory;
      l3MaxBytes = s.l3MaxBytes;
    }

    /** The value type, for a non-generic class. */
    public Builder valueType(Class<?> type) {
      return valueType(TypeRef.of(Objects.requireNonNull(type, "valueType must not be null")));
    }

    /** The value type, possibly generic: {@code new TypeRef<List<Project>>() {}}. */
    public Builder valueType(TypeRef<?> type) {
      this.valueType = Objects.requireNonNull(type, "valueType must not be null");
      return this;
    }

    /** Time to live in Redis; positive. */
    public Builder ttl(Duration ttl) {
      this.ttl = positive("ttl", ttl);
      return this;
    }

    /**
     * Spreads expiry so that entries written together do not expire together: each entry's TTL
     * is multiplied by a random factor in {@code [1 - jitter, 1 + jitter]}.
     *
     * @param jitter in [0, 1)
     */
    public Builder ttlJitter(double jitter) {
      if (!(jitter >= 0 && jitter < 1)) {
        throw new IllegalArgumentException("ttlJitter must be in [0, 1), was " + jitter);
      }
      this.ttlJitter = jitter;
      return this;
    }

    /** Whether null loader results are cached; true by default. */
    public Builder cacheNulls(boolean cacheNulls) {
      this.cacheNulls = cacheNulls;
      return this;
    }

    /** Time to live of a cached null; positive. */
    public Builder nullTtl(Duration nullTtl) {
      this.nullTtl = positive("nullTtl", nullTtl);
      return this;
    }

    /** Turns the in-process level on or off. */
    public Builder l1(boolean enabled) {
      this.l1Enabled = enabled;
      return this;
    }

    /** Maximum L1 entries; positive. */
    public Builder l1MaxSize(long maxSize) {
      if (maxSize <= 0) {
        throw new IllegalArgumentException("l1MaxSize must be positive, was " + maxSize);
      }
      this.l1MaxSize = maxSize;
      return this;
    }

    /** Time to live in L1; positive; capped at the TTL. */
    public Builder l1Ttl(Duration l1Ttl) {
      this.l1Ttl = positive("l1Ttl", l1Ttl);
      return this;
    }

    /** Turns the Redis level on or off. */
    public Builder l2(boolean enabled) {
      this.l2Enabled = enabled;
      return this;
    }

    /** The write strategy; write-through and write-back need a {@link #writer}. */
    public Builder strategy(Strategy strategy) {
      this.strategy = Objects.requireNonNull(strategy, "strategy must not be null");
      return this;
    }

    /** The system of record for write-through and write-back. */
    public Builder writer(CacheWriter<?, ?> writer) {
      this.writer = Objects.requireNonNull(writer, "writer must not be null");
      return this;
    }

    /** Receives write-back entries that failed every attempt. */
    public Builder deadLetterListener(DeadLetterListener<?, ?> listener) {
      this.deadLetterListener =
          Objects.requireNonNull(listener, "deadLetterListener must not be null");
      return this;
    }

    /** Compress encoded values larger than this many bytes; 0 compresses every value. */
    public Builder compressionThreshold(int bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "compressionThreshold must not be negative, was " + bytes);
      }
      this.compressionThreshold = bytes;
      return this;
    }

    /**
     * Largest value in encoded bytes, before compression; 1 KiB to 512 MiB (Redis's own limit on
     * one value). See {@link CacheSpec#maxValueSize()}.
     */
    public Builder maxValueSize(int bytes) {
      if (bytes < 1024 || bytes > 512 * 1024 * 1024) {
        throw new IllegalArgumentException(
            "maxValueSize must be between 1024 and 536870912 bytes, was " + bytes);
      }
      this.maxValueSize = bytes;
      return this;
    }

    /** Distinct keys held by the write-back queue; positive. */
    public Builder writeBackCapacity(int capacity) {
      if (capacity <= 0) {
        throw new IllegalArgumentException("writeBackCapacity must be positive, was " + capacity);
      }
      this.writeBackCapacity = capacity;
      return this;
    }

    /** Entries per write-back batch; positive. */
    public Builder writeBackBatchSize(int batchSize) {
      if (batchSize <= 0) {
        throw new IllegalArgumentException("writeBackBatchSize must be positive, was " + batchSize);
      }
      this.writeBackBatchSize = batchSize;
      return this;
    }

    /** Time between background write-back flushes; positive. */
    public Builder writeBackInterval(Duration interval) {
      this.writeBackInterval = positive("writeBackInterval", interval);
      return this;
    }

    /** Attempts per write-back batch; at least 1. */
    public Builder writeBackMaxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException(
            "writeBackMaxAttempts must be at least 1, was " + attempts);
      }
      this.writeBackMaxAttempts = attempts;
      return this;
    }

    /** Wait before the first write-back retry; positive. */
    public Builder writeBackBackoff(Duration backoff) {
      this.writeBackBackoff = positive("writeBackBackoff", backoff);
      return this;
    }

    /**
     * Reloads recently read keys in the background every {@code period}, before they expire, so
     * that readers of a hot key never wait for the loader (seed 000's scheduled refresh). Across
     * instances one instance reloads a key per period (a lease in Redis); the others read the new
     * value from Redis. Must be shorter than the TTL.
     */
    public Builder refreshAfter(Duration period) {
      this.refreshAfter = positive("refreshAfter", period);
      return this;
    }

    /** Periods a key may go unread before it is no longer refreshed; at least 1. */
    public Builder refreshIdlePeriods(int periods) {
      if (periods < 1) {
        throw new IllegalArgumentException("refreshIdlePeriods must be at least 1, was " + periods);
      }
      this.refreshIdlePeriods = periods;
      return this;
    }

    /** The most keys refreshed; positive. */
    public Builder refreshMaxKeys(long maxKeys) {
      if (maxKeys <= 0) {
        throw new IllegalArgumentException("refreshMaxKeys must be positive, was " + maxKeys);
      }
      this.refreshMaxKeys = maxKeys;
      return this;
    }

    /**
     * Probabilistic early refresh (XFetch): a read refreshes the key in the background when
     * {@code now - loadTime * beta * ln(random) >= expiry}. 1.0 is the usual value; larger
     * refreshes earlier; 0 turns it off. Needs {@link #refreshAfter}.
     */
    public Builder earlyRefreshBeta(double beta) {
      if (!(beta >= 0) || Double.isInfinite(beta)) {
        throw new IllegalArgumentException(
            "earlyRefreshBeta must be zero or positive, was " + beta);
      }
      this.earlyRefreshBeta = beta;
      return this;
    }

    /**
     * Distributed single-flight for expensive loads: when several instances miss one key at
     * once, the one that takes a lease in Redis ({@code SET NX PX}) calls the loader and the
     * others wait for its value in Redis, at most {@code maxWait}, then load themselves. Costs one
     * more round trip per miss; worth it when the loader is slow or fragile (seed 002's "mutex
     * rebuild"). Needs L2.
     *
     * @param maxWait positive; also the lease, so a crashed loader holds no one up for longer
     */
    public Builder distributedLoad(Duration maxWait) {
      positive("distributedLoad", maxWait);
      if (maxWait.toMillis() < 1) {
        throw new IllegalArgumentException(
            "distributedLoad must be at least 1 ms (the lease's lifetime in Redis), was "
                + maxWait);
      }
      this.distributedLoadWait = maxWait;
      return this;
    }

    /**
     * After a miss, returns the loaded value as soon as the loader does and writes it to L2 in
     * the background ({@code SET NX PX}), instead of waiting for that write: a miss then costs the
     * caller one round trip (the {@code GET} that found nothing) instead of two. The value is in
     * L1 at once; other instances find it in L2 a round trip later, and a write that fails only
     * counts as degraded. Invalidations that overtake the background write are handled as for a
     * synchronous one: the written value is removed again if the key was invalidated meanwhile.
     * Off by default. Needs L2. Applies to {@code get} and {@code getAsync}; {@code getAll}
     * writes its loaded values in one pipeline and waits for it.
     *
     * @param enabled whether loaded values are written in the background
     */
    public Builder writeLoadedAsync(boolean enabled) {
      this.writeLoadedAsync = enabled;
      return this;
    }

    /**
     * Puts this cache's keys in the key space shared by every cache that sets this: Redis key
     * {@code {prefix}:{key}}, so that a value put by one such cache is read by another under the
     * same key (seed 000's {@code {prefix}:{resource}:{id}:{sub}} layout). Off by default: each
     * cache has its own key space, {@code {prefix}:{cacheName}:{key}}, and a value written by one
     * cache is never returned by another. A shared key must not start with the name of a cache
     * that keeps its own keys, followed by {@code ':'}: such a key is refused.
     */
    public Builder sharedKeys(boolean shared) {
      this.sharedKeys = shared;
      return this;
    }

    /**
     * Counts this instance's reads of each key over the last {@code window} (sliding, in twelve
     * steps), so that {@link Cache#hottestKeys} answers "the keys read most in the last hour" from
     * the first minute, whatever L1 holds: every read counts ({@code get}, {@code getAsync}, {@code
     * getIfPresent}, each key of {@code getAll}), L1 hit or not. Memory is bounded (about 6,000
     * counters, a heavy-hitters summary). Off by default: {@code hottestKeys} then reads L1's
     * frequency sketch, which favours recent reads and only knows keys while L1 holds them.
     *
     * @param window 1 second to 1 day
     */
    public Builder hotKeys(Duration window) {
      positive("hotKeys", window);
      if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "hotKeys window must be between 1 second and 1 day, was " + window);
      }
      this.hotKeysWindow = window;
      return this;
    }

    /**
     * Guards this cache with a Bloom filter in Redis, shared by every instance, sized for {@code
     * expectedKeys} keys at {@code falsePositiveRate}: after an L1 miss, a key the guard has never
     * seen is answered absent (null, or left out of {@code getAll}) without reading L2 or calling
     * the loader, which stops a stream of ids that never exist from reaching the database (cache
     * penetration). {@code put} adds its key. Fill it with {@link Cache#bloomGuard()}'s {@code
     * rebuild} from the keys that exist, and add a key wherever one is created outside the cache.
     * While Redis is down the guard fails open (reads go on as if there were no guard). Off by
     * default; needs L2. See docs/toolkit.md.
     *
     * @param expectedKeys positive
     */
    public Builder bloomGuard(long expectedKeys) {
      return bloomGuard(expectedKeys, DEFAULT_BLOOM_GUARD_RATE);
    }

    /**
     * {@link #bloomGuard(long)} with a false-positive rate of its own.
     *
     * @param expectedKeys positive
     * @param falsePositiveRate strictly between 0 and 1
     */
    public Builder bloomGuard(long expectedKeys, double falsePositiveRate) {
      if (expectedKeys <= 0) {
        throw new IllegalArgumentException(
            "bloomGuard's expectedKeys must be positive, was " + expectedKeys);
      }
      if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
        throw new IllegalArgumentException(
            "bloomGuard's falsePositiveRate must be strictly between 0 and 1, was "
                + falsePositiveRate);
      }
      this.bloomGuardInsertions = expectedKeys;
      this.bloomGuardRate = falsePositiveRate;
      return this;
    }

    /**
     * Makes every write of this cache to Redis ({@code put}, {@code invalidate}, a refresh, a
     * write-back flush) wait until {@code replicas} replicas acknowledged it ({@code WAIT}), at most
     * {@code timeout}, so that a failover to one of them does not lose it. A write that is not
     * acknowledged in time is counted as degraded and logged; it is done on the master. 0 replicas
     * turns it off (the default). Replicas 0 to 16; timeout 1 ms to 1 minute.
     */
    public Builder replicaAcks(int replicas, Duration timeout) {
      if (replicas < 0 || replicas > 16) {
        throw new IllegalArgumentException(
            "replicaAcks replicas must be between 0 and 16, was " + replicas);
      }
      positive("replicaAcks timeout", timeout);
      if (timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "replicaAcks timeout must be at most 1 minute, was " + timeout);
      }
      this.replicaAcks = replicas;
      this.replicaAckTimeout = replicas == 0 ? null : timeout;
      return this;
    }

    /**
     * Turns on the persistent third level: a file on this instance's local disk, read after an
     * L2 miss (or with Redis down) and before the loader, so that a Redis flush or restart does not
     * send every read to the loader. It holds the frames this instance loaded or wrote (the bytes
     * L2 stores), each with its absolute expiry; expired, invalidated (here or, through the
     * invalidation stream, on another instance) and undecodable entries are misses. A key
     * invalidated while this instance was down is never served: at start-up the level replays the
     * invalidations it missed from the stream, or is emptied when the stream no longer holds them.
     * The file is {@code directory/{keyPrefix}@{cacheName}.l3}, used by one process at a time.
     * Needs {@code com.h2database:h2} (its MVStore) on the class path. Off by default. See
     * docs/persistent-level.md.
     *
     * @param directory where the file lives; created if missing
     * @param maxBytes the most bytes of records kept, 1 MiB to 1 TiB; the entries nearest to
     *     expiry go first
     */
    public Builder l3(Path directory, long maxBytes) {
      Objects.requireNonNull(directory, "l3 directory must not be null");
      if (maxBytes < MIN_L3_BYTES || maxBytes > MAX_L3_BYTES) {
        throw new IllegalArgumentException("l3 maxBytes must be between " + MIN_L3_BYTES + " and "
            + MAX_L3_BYTES + " (1 MiB to 1 TiB), was " + maxBytes);
      }
      this.l3Directory = directory.toAbsolutePath().normalize();
      this.l3MaxBytes = maxBytes;
      return this;
    }

    /** Turns the persistent third level off again (for a cache whose defaults turn it on). */
    public Builder l3Off() {
      this.l3Directory = null;
      this.l3MaxBytes = 0;
      return this;
    }

    /**
     * Entries expire at the next midnight in {@code zone} at the latest (seed 000's daily stats).
     *
     * @param zone a zone id such as {@code Asia/Shanghai}
     * @throws IllegalArgumentException if the zone is unknown
     */
    public Builder expireAtNextMidnight(String zone) {
      return expireAtBoundary(Duration.ofDays(1), zone);
    }

    /**
     * Entries expire at the next boundary of {@code period} in {@code zone} at the latest:
     * boundaries are the zone's midnight plus whole periods ({@code 1h}: the top of each hour).
     *
     * @param period positive, dividing a day evenly
     * @param zone a zone id
     * @throws IllegalArgumentException if the period does not divide a day or the zone is unknown
     */
    public Builder expireAtBoundary(Duration period, String zone) {
      positive("expiryBoundary", period);
      if (Duration.ofDays(1).toNanos() % period.toNanos() != 0) {
        throw new IllegalArgumentException(
            "expiryBoundary must divide a day evenly, was " + period);
      }
      Objects.requireNonNull(zone, "zone must not be null");
      try {
        this.expiryZone = ZoneId.of(zone);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException(
            "zone '" + zone + "' is unknown: use an id such as 'UTC' or " + "'Asia/Shanghai'", e);
      }
      this.expiryBoundary = period;
      return this;
    }

    /**
     * Builds the spec.
     *
     * @throws IllegalStateException if both levels are off, or write-through or write-back has no
     *     writer
     */
    public CacheSpec build() {
      if (!l1Enabled && !l2Enabled) {
        throw new IllegalStateException("a cache needs at least one level: l1 and l2 are both off");
      }
      if (strategy.needsWriter() && writer == null) {
        throw new IllegalStateException(
            "strategy " + strategy + " requires a writer: call writer(...) on the spec");
      }
      if (refreshAfter != null && refreshAfter.compareTo(ttl) >= 0) {
        throw new IllegalStateException(
            "refreshAfter (" + refreshAfter + ") must be shorter than ttl (" + ttl
                + "): a key must be refreshed before it expires");
      }
      if (writeLoadedAsync && !l2Enabled) {
        throw new IllegalStateException(
            "writeLoadedAsync needs L2: it is about the write of loaded values to Redis");
      }
      if (bloomGuardInsertions > 0 && !l2Enabled) {
        throw new IllegalStateException("bloomGuard needs L2: the guard is a bitmap in Redis");
      }
      if (distributedLoadWait != null && !l2Enabled) {
        throw new IllegalStateException(
            "distributedLoad needs L2: the waiting instances read the value from Redis");
      }
      if (earlyRefreshBeta > 0 && refreshAfter == null) {
        throw new IllegalStateException(
            "earlyRefreshBeta needs refreshAfter(...): early refresh reuses its registry");
      }
      if (strategy == Strategy.WRITE_BACK && writeBackBatchSize > writeBackCapacity) {
        throw new IllegalStateException("writeBackBatchSize (" + writeBackBatchSize
            + ") must not exceed writeBackCapacity (" + writeBackCapacity + ")");
      }
      return new CacheSpec(this);
    }
  }

  /** The smallest {@link Builder#l3} bound: 1 MiB. */
  static final long MIN_L3_BYTES = 1L << 20;
  /** The largest {@link Builder#l3} bound: 1 TiB. */
  static final long MAX_L3_BYTES = 1L << 40;

  /** The longest duration any setting accepts: 100 years, so that milliseconds and nanoseconds never overflow. */
  static final Duration MAX_DURATION = Duration.ofDays(36_500);

  /**
   * Checks a duration setting: not null, positive, whole milliseconds at least 1 (Redis and the
   * schedulers count in milliseconds), at most {@link #MAX_DURATION}. Shared with {@link TierCacheBuilder}.
   */
  static Duration positive(String name, Duration value) {
    if (value == null) {
      throw new NullPointerException(name + " must not be null");
    }
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    if (value.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException(
          name + " must be at most 36500 days (100 years), was " + value);
    }
    if (value.toMillis() < 1) {
      throw new IllegalArgumentException(name + " must be at least 1 ms, was " + value);
    }
    return value;
  }
}
