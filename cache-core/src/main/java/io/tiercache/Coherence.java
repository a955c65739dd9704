package io.tiercache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.tiercache.internal.redis.RedisTier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the L1 of every instance coherent through Redis Streams of invalidation messages.
 *
 * <p>Shards: the messages are spread over S streams ({@link #layout}), each with its own sequence
 * counter in its own hash tag, which contains the prefix. Standalone and Sentinel Redis have one
 * shard; a cluster has, by default, one per master that serves slots, each tagged so that its slot
 * lies in the i-th S-th of the slot range and so, on a cluster whose slots are split evenly, on
 * its own master. The number is agreed through Redis ({@link #shardsKey}): every instance of a
 * prefix uses the same layout. A key's invalidations always go to the shard of its slot's part of
 * the range (per-key order holds); a pattern, cache, flush or namespace message goes to every
 * shard, and an instance applies it the first time it reads it.
 *
 * <p>Publishing: after Redis acknowledged a change, one Lua script increments the shard's sequence
 * counter and appends {@code seq, src, op, c, ts, k0, k1, ...} to its stream (trimmed to about
 * {@code maxLen} entries). Key invalidations are batched per shard: while one append of a shard is
 * in flight, the keys published meanwhile wait and then go out in one append. If the append
 * fails, the message is kept and sent when Redis is back.
 *
 * <p>Reading: one daemon thread per shard blocks on {@code XREAD} from the last id it saw, on a
 * connection of its own (a cluster refuses one {@code XREAD} over keys of different slots). Every
 * message's sequence number must be the shard's previous one plus one; otherwise messages may have
 * been lost (trimmed while this instance was disconnected, or the shard's master restarted or
 * failed over) and the instance clears its whole L1. Its own messages advance the sequence but
 * are not applied.
 *
 * <p>Loads racing an invalidation: a loaded value is written to Redis with {@code SET NX} (never
 * over a value another writer stored) and remembered for a short window; if an invalidation of the
 * key arrives during the load or within the window, the loaded value is removed from Redis with a
 * compare-and-delete, so a slow load cannot leave an older value behind a newer invalidation.
 */
final class Coherence implements AutoCloseable, PersistentLevel.Replayer {

  private static final Logger log = LoggerFactory.getLogger(Coherence.class);

  static final String OP_KEYS = "k";
  static final String OP_PATTERN = "p";
  static final String OP_CACHE = "c";
  static final String OP_FLUSH = "f";
  static final String OP_NAMESPACE = "n";

  private static final long BLOCK_MILLIS = 1_000;
  private static final int READ_COUNT = 1_000;
  /**
   * Without strict coherence, how long L1 waits after a recovery for a reader that cannot catch up
   * (it cannot read the stream at all, say) before answering again as it did before: 5 s.
   */
  private static final long MAX_SUSPECT_NANOS = 5_000_000_000L;

  private static final int MAX_KEYS_PER_MESSAGE = 500;
  /** The most shards a layout may have. */
  static final int MAX_SHARDS = 1_024;
  /** How long the readers of a layout replaced by a resharding go on reading it. */
  private static final long RESHARD_GRACE_MILLIS = 10_000;

  private static final String PUBLISH = String.join(
      "\n",
      "local seq = redis.call('INCR', KEYS[2])",
      "local fields = {'seq', seq, 'src', ARGV[2], 'op', ARGV[3], 'c', ARGV[4], 'ts', ARGV[5]}",
      "if ARGV[6] == '1' then fields[#fields + 1] = 'ack'; fields[#fields + 1] = '1' end",
      "if ARGV[7] ~= '' then fields[#fields + 1] = 'b'; fields[#fields + 1] = ARGV[7] end",
      "for i = 8, #ARGV do",
      "  fields[#fields + 1] = 'k' .. (i - 8)",
      "  fields[#fields + 1] = ARGV[i]",
      "end",
      "redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))",
      "return seq");
  private static final String PUBLISH_SHA1 = sha1Hex(PUBLISH);

  /**
   * One key's write ({@code SET KEYS[3] ARGV[9] PX ARGV[10]} when ARGV[8] is "1", else {@code
   * UNLINK KEYS[3]}) and its invalidation appended as {@link #PUBLISH} does (the key in ARGV[11]),
   * in one script: the write and its announcement are one command, so one round trip, and neither
   * happens without the other. A refused first write (maxmemory) leaves both undone.
   */
  private static final String WRITE_AND_PUBLISH = String.join(
      "\n",
      "if ARGV[8] == '1' then redis.call('SET', KEYS[3], ARGV[9], 'PX', ARGV[10])",
      "else redis.call('UNLINK', KEYS[3]) end",
      "local seq = redis.call('INCR', KEYS[2])",
      "redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'seq', seq, 'src', ARGV[2], 'op',",
      "  ARGV[3], 'c', ARGV[4], 'ts', ARGV[5], 'k0', ARGV[11])",
      "return seq");

  private static final String WRITE_AND_PUBLISH_SHA1 = sha1Hex(WRITE_AND_PUBLISH);

  private static String sha1Hex(String script) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /** Whether a script call failed because the server does not know the script (NOSCRIPT). */
  private static boolean isNoScript(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RedisNoScriptException
          || (t.getMessage() != null && t.getMessage().contains("NOSCRIPT"))) {
        return true;
      }
    }
    return false;
  }

  private final CoherenceMode mode;
  /**
   * {@link CoherenceMode#TRACKING}: a change of one key is announced by Redis's client tracking,
   * not by a stream message; the stream carries the rest.
   */
  private final boolean keysByTracking;
  /** Strict tracking: confirms the data connection's pushes every {@link #blockMillis}; or null. */
  private final ScheduledFuture<?> confirmTask;
  /**
   * When the latest {@code PING} answered on the data connection was sent: every push Redis made
   * before then has been applied.
   */
  private volatile long dataConfirmedNanos = System.nanoTime() - Long.MAX_VALUE / 4;

  private final String instanceId = UUID.randomUUID().toString();
  private final RedisTier redis;
  private final String keyPrefix;
  private final String prefixColon;
  private final long maxLen;
  /** The shards published to and read; replaced as a whole when the agreed number changes. */
  private volatile Shard[] shards;
  /** Shards of a replaced layout, read for {@link #RESHARD_GRACE_MILLIS} more. */
  private final List<Shard> retiring = new CopyOnWriteArrayList<>();
  /** The number of shards asked for; 0 for one per serving master. */
  private final int requestedShards;
  /** Whether key invalidations of one shard wait for its append in flight and go out together. */
  private final boolean batching;
  /** How often, at most, a reader reads a busy stream ({@link System#nanoTime} units); -1: by the live instances. */
  private final long fixedReadIntervalNanos;
  /** The read interval in force: the fixed one, or the one for the live instances last counted. */
  private volatile long readIntervalNanos;

  private final ScheduledExecutorService scheduler;
  /** Broadcast messages (sent to every shard) applied already, by id. */
  private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> recentBroadcasts;

  private final AtomicLong broadcasts = new AtomicLong();
  private final LongAdder appends = new LongAdder();
  private final Supplier<Collection<CacheGroup>> groups;
  private final Map<String, CacheGroup> groupsByName;
  private final Consumer<Map.Entry<String, Long>> namespaceUpdate;
  private final Runnable namespaceReset;
  private final com.github.benmanes.caffeine.cache.Cache<String, byte[]> recentLoads;

  private final LongAdder sent = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder tracked = new LongAdder();
  private final LongAdder gapFlushes = new LongAdder();
  private final LongAdder fallbackSent = new LongAdder();
  private final String fallbackChannel;
  private volatile AutoCloseable fallbackSubscription;
  private final long[] lags = new long[4096];
  private final AtomicLong lagCount = new AtomicLong();

  private final Set<String> pendingKeys = ConcurrentHashMap.newKeySet();
  private final Set<String> pendingPatterns = ConcurrentHashMap.newKeySet();
  private final Set<String> pendingCaches = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean pendingFlush = new AtomicBoolean();
  private final ScheduledFuture<?> pendingTask;
  private final ScheduledFuture<?> heartbeatTask;

  private volatile boolean running = true;
  /** Strict coherence: the longest time since the reader last reached the stream's end; 0 when off. */
  private final long strictBoundNanos;

  private final long blockMillis;
  /**
   * When Redis came back after an outage or a partition, until the reader has caught up with what
   * was published meanwhile; 0 otherwise. L1 does not answer while it is set.
   */
  private volatile long suspectSince;

  /**
   * One stream of the layout: its keys (one hash tag, so that the script may touch the stream and
   * its counter together), where its reader stands, and the key invalidations waiting to be sent.
   */
  private final class Shard {
    final int index;
    final StreamKeys keys;
    volatile String lastId;
    volatile long lastSeq = -1;
    volatile RedisTier.DedicatedConnection connection;
    /** When the last read that reached the end of the stream was sent ({@link System#nanoTime}). */
    volatile long caughtUpNanos =
        System.nanoTime() - strictBoundNanos - 1; // untrusted until the first read
    /** When the read in progress was sent, or 0 between reads. */
    volatile long readSentNanos;

    volatile boolean stopped;
    Thread reader;
    /** Key invalidations waiting for the append in flight: {space, key}. */
    final ConcurrentLinkedQueue<String[]> queued = new ConcurrentLinkedQueue<>();

    final AtomicBoolean sending = new AtomicBoolean();

    Shard(int index, StreamKeys keys) {
      this.index = index;
      this.keys = keys;
    }

    String label() {
      return shards.length == 1 && index == 0 ? "" : " (shard " + index + ")";
    }
  }

  /** The keys of one shard: its stream, its sequence counter, and what its acknowledgement sets start with. */
  record StreamKeys(String stream, String seq, String ackPrefix) {}

  /**
   * The read interval for {@code live} instances, when none is set: 0.1 ms per instance, from 1 ms
   * to 20 ms. Each master then serves at most about 10,000 reads per second of its shard whatever
   * the number of instances (up to 200), and the lag under load grows by 0.1 ms per instance.
   */
  static long readIntervalNanosFor(long live) {
    return Math.max(1_000_000L, Math.min(20_000_000L, live * 100_000L));
  }

  /**
   * @param shards how many invalidation streams a cluster spreads messages over, 0 for one per
   *     serving master; standalone and Sentinel Redis always have one. The number agreed through
   *     Redis by the first instance of the prefix wins.
   * @param batching whether the key invalidations published while an append of their shard is in
   *     flight wait for it and go out in one append
   * @param readInterval how often, at most, a reader reads a stream that has messages waiting;
   *     zero reads again at once; null for {@link #readIntervalNanosFor} the live instances
   */
  Coherence(
      CoherenceMode mode,
      RedisTier redis,
      String keyPrefix,
      long maxLen,
      Duration loadRaceWindow,
      Duration retryInterval,
      ScheduledExecutorService scheduler,
      Map<String, CacheGroup> groups,
      Consumer<Map.Entry<String, Long>> namespaceUpdate,
      Runnable namespaceReset,
      Duration strictBound,
      int shards,
      boolean batching,
      Duration readInterval) {
    if (shards < 0 || shards > MAX_SHARDS) {
      throw new IllegalArgumentException(
          "shards must be 0 (one per master) or between 1 and " + MAX_SHARDS + ", was " + shards);
    }
    this.mode = mode;
    this.keysByTracking = mode == CoherenceMode.TRACKING;
    this.strictBoundNanos = strictBound == null ? 0 : strictBound.toNanos();
    // Strict: an idle stream is read to its end at least four times per bound.
    this.blockMillis = strictBound == null ? BLOCK_MILLIS : Math.max(5, strictBound.toMillis() / 4);
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.prefixColon = keyPrefix + ":";
    this.requestedShards = shards;
    this.batching = batching;
    this.fixedReadIntervalNanos = readInterval == null ? -1 : readInterval.toNanos();
    this.readIntervalNanos =
        readInterval == null ? readIntervalNanosFor(1) : readInterval.toNanos();
    this.scheduler = scheduler;
    this.recentBroadcasts = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofMinutes(5))
        .maximumSize(100_000)
        .executor(Runnable::run)
        .build();
    this.fallbackChannel = keyPrefix + ":__tc:inval:fallback";
    this.maxLen = maxLen;
    this.groupsByName = groups;
    this.groups = groups::values;
    this.namespaceUpdate = namespaceUpdate;
    this.namespaceReset = namespaceReset;
    // Maintenance on the writing thread: a put per load must not wake a pool thread each time.
    this.recentLoads = Caffeine.newBuilder()
        .expireAfterWrite(loadRaceWindow)
        .maximumSize(100_000)
        .executor(Runnable::run)
        .build();
    this.shards = newShards(agreeOnShards());
    redis.replayListener(new RedisTier.ReplayListener() {
      @Override
      public void deleted(List<String> redisKeys) {
        Map<String, List<String>> bySpace = new LinkedHashMap<>();
        for (String redisKey : redisKeys) {
          String[] spaceAndKey = spaceAndKey(redisKey);
          if (spaceAndKey != null) {
            bySpace.computeIfAbsent(spaceAndKey[0], space -> new ArrayList<>()).add(spaceAndKey[1]);
          }
        }
        // On the stream in every mode: a replayed delete of a key Redis no longer has (it
        // restarted empty, or the write that failed never landed) changes nothing in Redis, so
        // client tracking pushes nothing, while another instance may hold a value it loaded
        // during the outage
        bySpace.forEach(Coherence.this::publishKeysOnStream);
      }

      @Override
      public void deletedAll() {
        publishFlush();
      }

      @Override
      public void recovering() {
        suspect();
      }
    });
    long retry = retryInterval.toMillis();
    this.pendingTask =
        scheduler.scheduleWithFixedDelay(this::sendPending, retry, retry, TimeUnit.MILLISECONDS);
    this.heartbeatTask = scheduler.scheduleWithFixedDelay(
        this::heartbeat, 0, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
    if (mode == CoherenceMode.STREAM_AND_TRACKING || keysByTracking) {
      redis.enableTracking(
          prefixColon,
          this::onTracked,
          () -> flushAll("client tracking turned on again or on a new master", L3.KEEP));
    }
    if (keysByTracking && strictBoundNanos > 0) {
      // The pushes come on the data connection: a PING answered proves every push before it read.
      this.confirmTask = scheduler.scheduleWithFixedDelay(
          this::confirmDataConnection, 0, blockMillis, TimeUnit.MILLISECONDS);
    } else {
      this.confirmTask = null;
    }
    // Position the readers before any value can enter L1, so no message published from now on
    // can be missed. If Redis cannot be asked now, a reader positions itself later and clears
    // L1 then, since what happened in between is unknown.
    for (Shard shard : this.shards) {
      position(shard);
    }
    // the reader threads subscribe to the fallback channel as they connect: not on build()'s time
    startReaders(this.shards);
  }

  /**
   * The keys of each shard of a layout of {@code count} shards. Standalone and Sentinel: the one
   * stream {@code prefix:__tc:{inval}:stream}. Cluster: the hash tag holds the prefix, so that no
   * two prefixes share a stream, and shard {@code i} of {@code count} is tagged {@code
   * {prefix:inval:count:i:n}} with the smallest {@code n} whose slot lies in the i-th part of the
   * slot range; one shard is tagged {@code {prefix:inval}}.
   */
  static List<StreamKeys> layout(String keyPrefix, boolean cluster, int count) {
    if (!cluster) {
      String base = keyPrefix + ":__tc:{inval}:";
      return List.of(new StreamKeys(base + "stream", base + "seq", base + "ack:"));
    }
    List<StreamKeys> layout = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String tag = keyPrefix + ":inval";
      if (count > 1) {
        long from = (long) i * SLOTS / count;
        long to = (long) (i + 1) * SLOTS / count;
        for (int n = 0; ; n++) {
          tag = keyPrefix + ":inval:" + count + ":" + i + ":" + n;
          int slot = RedisTier.slot(tag);
          if (slot >= from && slot < to) {
            break;
          }
        }
      }
      String base = keyPrefix + ":__tc:{" + tag + "}:";
      layout.add(new StreamKeys(base + "stream", base + "seq", base + "ack:"));
    }
    return layout;
  }

  private static final int SLOTS = 16_384;

  /** The sorted set of live instances of a prefix: beside the stream, or under the prefix's own tag on a cluster. */
  static String liveKey(String keyPrefix, boolean cluster) {
    return keyPrefix + (cluster ? ":__tc:{" + keyPrefix + ":inval}:live" : ":__tc:{inval}:live");
  }

  /**
   * The coherence modes the instances of a prefix run, each with when an instance last said so: a
   * hash beside {@link #liveKey}.
   */
  static String modesKey(String keyPrefix, boolean cluster) {
    return keyPrefix + (cluster ? ":__tc:{" + keyPrefix + ":inval}:modes" : ":__tc:{inval}:modes");
  }

  /** Where the instances of a prefix on a cluster agree on the number of shards. */
  static String shardsKey(String keyPrefix) {
    return keyPrefix + ":__tc:{" + keyPrefix + ":inval}:shards";
  }

  /** The shard that carries the invalidations of a Redis key: the one of its slot's part of the range. */
  static int shardOf(String redisKey, int count) {
    return count == 1 ? 0 : (int) ((long) RedisTier.slot(redisKey) * count / SLOTS);
  }

  private Shard[] newShards(int count) {
    List<StreamKeys> layout = layout(keyPrefix, redis.isCluster(), count);
    Shard[] created = new Shard[layout.size()];
    for (int i = 0; i < created.length; i++) {
      created[i] = new Shard(i, layout.get(i));
    }
    return created;
  }

  /**
   * The number of shards for this instance: on a cluster, the one recorded in Redis by the first
   * instance of the prefix, which records what it was asked for or the serving masters it counts.
   * If Redis cannot be asked now, what this instance would record; the heartbeat corrects it later.
   */
  private int agreeOnShards() {
    if (!redis.isCluster()) {
      return 1;
    }
    try {
      return agreed(redis.call("GET shards", c -> c.get(shardsKey(keyPrefix))));
    } catch (RuntimeException e) {
      // provisional: not recorded, and replaced by the agreed number once Redis answers
      provisionalShards = true;
      return requestedShards == 0 ? 1 : requestedShards;
    }
  }

  /** Whether the number of shards in use was not agreed (Redis could not be asked at start-up). */
  private volatile boolean provisionalShards;

  /**
   * The agreed number of shards, given what Redis holds: that, or else what this instance asks for
   * (or the serving masters it counts), recorded with {@code SET NX} so that the first one wins.
   *
   * @throws RuntimeException when Redis cannot be asked
   */
  private int agreed(byte[] recorded) {
    int agreed = parseShards(recorded);
    if (agreed == 0) {
      int wanted =
          requestedShards != 0 ? requestedShards : Math.min(MAX_SHARDS, redis.servingMasterCount());
      agreed = parseShards(redis.call("SET shards", c -> {
        c.set(shardsKey(keyPrefix), bytes(Integer.toString(wanted)), SetArgs.Builder.nx());
        return c.get(shardsKey(keyPrefix));
      }));
      if (agreed == 0) {
        agreed = wanted;
      }
    }
    if (requestedShards != 0 && agreed != requestedShards) {
      log.warn(
          "{} invalidation shards asked for, but the instances of prefix '{}' use {}: using {} (to change "
              + "it, see docs/coherence.md, 'Resharding')",
          requestedShards,
          keyPrefix,
          agreed,
          agreed);
    }
    provisionalShards = false;
    return agreed;
  }

  /** The recorded number of shards, or 0 when there is none or it is not a valid number. */
  private static int parseShards(byte[] recorded) {
    if (recorded == null) {
      return 0;
    }
    try {
      int n = Integer.parseInt(new String(recorded, StandardCharsets.US_ASCII).trim());
      return n >= 1 && n <= MAX_SHARDS ? n : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Positions a shard's reader after its newest message; leaves it unpositioned if Redis cannot be asked. */
  private void position(Shard shard) {
    try {
      redis.call("XREVRANGE", c -> {
        startPosition(
            shard,
            c.xrevrange(shard.keys.stream(), Range.unbounded(), Limit.create(0, 1)),
            () -> c.get(shard.keys.seq()) == null
                ? null
                : new String(c.get(shard.keys.seq()), StandardCharsets.US_ASCII));
        return null;
      });
    } catch (RuntimeException e) {
      shard.lastId = null;
    }
  }

  private void startReaders(Shard[] layout) {
    for (Shard shard : layout) {
      shard.reader = new Thread(
          () -> readLoop(shard),
          layout.length == 1 ? "tiercache-coherence" : "tiercache-coherence-" + shard.index);
      shard.reader.setDaemon(true);
      shard.reader.start();
    }
  }

  /** How many shards the invalidations are spread over now. */
  int shardCount() {
    return shards.length;
  }

  /** Appends sent to the streams (each carries one message), for measuring what batching saves. */
  long appends() {
    return appends.sum();
  }

  /**
   * The agreed number of shards changed (an operator set {@link #shardsKey}), or Redis lost it (a
   * restart, a failover) and it is recorded again. A new layout is read from its end, L1 is
   * cleared (what was published meanwhile is unknown), and the old layout's readers go on for
   * {@link #RESHARD_GRACE_MILLIS}, so that the messages of instances that switch later still arrive.
   */
  private synchronized void reshard(int count) {
    Shard[] old = shards;
    if (!running || count == old.length) {
      return;
    }
    Shard[] fresh = newShards(count);
    for (Shard shard : fresh) {
      position(shard);
    }
    shards = fresh;
    retiring.addAll(List.of(old));
    startReaders(fresh);
    flushAll(
        "the invalidation messages were resharded from " + old.length + " to " + count + " streams",
        L3.DROP);
    try {
      scheduler.schedule(() -> retire(old), RESHARD_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      retire(old);
    }
  }

  private void retire(Shard[] old) {
    for (Shard shard : old) {
      stop(shard);
      retiring.remove(shard);
    }
  }

  private void stop(Shard shard) {
    shard.stopped = true;
    if (shard.reader != null) {
      shard.reader.interrupt();
    }
    RedisTier.DedicatedConnection connection = shard.connection;
    if (connection != null) {
      connection.closeAsync();
    }
  }

  /** On a cluster, every heartbeat: follows a change of the agreed number of shards, or records it again. */
  private void checkShards() {
    if (!redis.isCluster()) {
      return;
    }
    String key = shardsKey(keyPrefix);
    redis
        .background("GET shards", c -> c.get(key))
        .thenAccept(recorded -> {
          int agreed = parseShards(recorded);
          if (agreed != 0 && agreed == shards.length && !provisionalShards) {
            return;
          }
          scheduler.execute(() -> {
            try {
              // none recorded (Redis lost it): this instance records the number it uses, unless
              // that was provisional
              int count =
                  agreed != 0 || provisionalShards ? agreed(recorded) : agreedAs(shards.length);
              if (count != shards.length) {
                reshard(count);
              }
            } catch (RuntimeException e) {
              log.debug("number of invalidation shards not checked: {}", e.toString());
            }
          });
        })
        .exceptionally(error -> null);
  }

  /** Records {@code count} unless another is recorded already; returns the one recorded. */
  private int agreedAs(int count) {
    int agreed = parseShards(redis.call("SET shards", c -> {
      c.set(shardsKey(keyPrefix), bytes(Integer.toString(count)), SetArgs.Builder.nx());
      return c.get(shardsKey(keyPrefix));
    }));
    return agreed == 0 ? count : agreed;
  }

  String instanceId() {
    return instanceId;
  }

  /** Whether L1 answers only while the stream was read to its end within the strict bound. */
  boolean isStrict() {
    return strictBoundNanos > 0;
  }

  /**
   * Strict coherence: whether this instance read the invalidation stream to its end less than
   * the bound ago, so that what L1 holds is at most that old. Always true when strict is off.
   */
  boolean trusted() {
    if (keysByTracking
        && (!redis.isTracking()
            || (strictBoundNanos > 0
                && System.nanoTime() - dataConfirmedNanos > strictBoundNanos))) {
      return false; // the changes of keys come as pushes, and they may not be coming
    }
    Shard[] current = shards;
    long caughtUpNanos = current[0].caughtUpNanos;
    for (int i = 1; i < current.length; i++) {
      if (current[i].caughtUpNanos - caughtUpNanos < 0) {
        caughtUpNanos = current[i].caughtUpNanos; // the reader furthest behind
      }
    }
    long suspect = suspectSince;
    if (suspect != 0) {
      if (caughtUpNanos - suspect <= 0
          && (isStrict() || System.nanoTime() - suspect < MAX_SUSPECT_NANOS)) {
        return false; // Redis is back, but what was published meanwhile is not read yet
      }
      suspectSince = 0;
    }
    return strictBoundNanos == 0 || System.nanoTime() - caughtUpNanos <= strictBoundNanos;
  }

  /**
   * Redis is back after an outage or a partition: L1 waits for the reader to catch up. A reader
   * whose read has not returned for longer than it blocks is stuck on a connection that stopped
   * moving (TCP may take seconds to retransmit after a partition heals): it is made to reconnect.
   */
  private void suspect() {
    suspectSince = System.nanoTime();
    for (Shard shard : shards) {
      long sent = shard.readSentNanos;
      RedisTier.DedicatedConnection stuck = shard.connection;
      if (sent != 0
          && stuck != null
          && System.nanoTime() - sent > (blockMillis + 250) * 1_000_000L) {
        log.debug(
            "coherence reader{} stuck for {} ms after Redis came back: reconnecting it",
            shard.label(),
            (System.nanoTime() - sent) / 1_000_000);
        stuck.closeAsync();
      }
    }
  }

  /** Subscribes to the fallback channel; if Redis cannot be reached now, the reader tries again. */
  private synchronized void subscribeFallback() {
    if (fallbackSubscription != null) {
      return;
    }
    try {
      fallbackSubscription = redis.subscribe(fallbackChannel, this::onFallback);
    } catch (RuntimeException e) {
      log.debug("fallback invalidation channel not subscribed yet: {}", e.toString());
    }
  }

  /* ---- Publishing ---- */

  /**
   * Tells the other instances that these keys changed in Redis.
   *
   * @param space the name of the cache whose own key space holds the keys, or "" for the shared
   *     one ({@link CacheSpec#sharedKeys}): a message for a cache's own keys evicts them from that
   *     cache alone, a shared one from every cache
   * @param keys the keys as the caches see them, without the prefix or the cache name
   */
  void publishKeys(String space, Collection<String> keys) {
    if (keysByTracking) {
      return; // Redis pushes the change to every instance that tracks the prefix
    }
    publishKeysOnStream(space, keys);
  }

  /** {@link #publishKeys} on the stream, whatever the mode. */
  void publishKeysOnStream(String space, Collection<String> keys) {
    Shard[] layout = shards;
    if (batching) {
      boolean[] touched = new boolean[layout.length];
      for (String key : keys) {
        Shard shard = layout[shardOf(redisKey(space, key), layout.length)];
        shard.queued.add(new String[] {space, key});
        touched[shard.index] = true;
      }
      for (int i = 0; i < layout.length; i++) {
        if (touched[i]) {
          drain(layout[i]);
        }
      }
      return;
    }
    Map<Integer, List<String>> byShard = byShard(layout, space, keys);
    byShard.forEach((index, shardKeys) -> {
      for (int from = 0; from < shardKeys.size(); from += MAX_KEYS_PER_MESSAGE) {
        List<String> sent =
            shardKeys.subList(from, Math.min(shardKeys.size(), from + MAX_KEYS_PER_MESSAGE));
        publish(layout[index], OP_KEYS, space, sent, false, "", pendingKeysOf(space, sent));
      }
    });
  }

  private Map<Integer, List<String>> byShard(
      Shard[] layout, String space, Collection<String> keys) {
    Map<Integer, List<String>> byShard = new TreeMap<>();
    for (String key : keys) {
      byShard
          .computeIfAbsent(shardOf(redisKey(space, key), layout.length), i -> new ArrayList<>())
          .add(key);
    }
    return byShard;
  }

  private Runnable pendingKeysOf(String space, List<String> keys) {
    return () -> keys.forEach(k -> pendingKeys.add(space + '\u0000' + k));
  }

  /**
   * Sends what waits in a shard's queue, unless an append of the shard is in flight: then that
   * append's completion sends it. So the keys published during one append's round trip go out
   * together in the next, one message per key space, at most {@value #MAX_KEYS_PER_MESSAGE} keys
   * each; a key waits at most for the append in flight. The queue is FIFO, so per-key order holds.
   */
  private void drain(Shard shard) {
    while (shard.sending.compareAndSet(false, true)) {
      Map<String, List<String>> bySpace = new LinkedHashMap<>();
      int taken = 0;
      for (String[] entry;
          taken < MAX_KEYS_PER_MESSAGE && (entry = shard.queued.poll()) != null;
          taken++) {
        bySpace.computeIfAbsent(entry[0], space -> new ArrayList<>()).add(entry[1]);
      }
      if (taken == 0) {
        shard.sending.set(false);
        if (shard.queued.isEmpty()) {
          return;
        }
        continue; // a key arrived after the poll and before the flag was cleared
      }
      List<CompletableFuture<Long>> sends = new ArrayList<>(bySpace.size());
      bySpace.forEach((space, keys) ->
          sends.add(publish(shard, OP_KEYS, space, keys, false, "", pendingKeysOf(space, keys))));
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
          .whenComplete((done, error) -> {
            shard.sending.set(false);
            if (!shard.queued.isEmpty()) {
              drain(shard);
            }
          });
      return;
    }
  }

  /* ---- High priority: acknowledged by every live instance ---- */

  /** How long an instance counts as live after its last heartbeat. */
  static final long LIVE_MILLIS = 3_000;

  private static final long HEARTBEAT_MILLIS = 1_000;
  private static final long ACK_TTL_MILLIS = 60_000;

  /** The sorted set of live instances (score: last heartbeat, epoch ms). */
  private String liveKey() {
    return liveKey(keyPrefix, redis.isCluster());
  }

  /** The hash of the modes the live instances run (value: last heartbeat, epoch ms). */
  private String modesKey() {
    return modesKey(keyPrefix, redis.isCluster());
  }

  private void confirmDataConnection() {
    if (!running) {
      return;
    }
    long sent = System.nanoTime();
    redis
        .confirmTracking()
        .thenRun(() -> {
          if (sent - dataConfirmedNanos > 0) {
            dataConfirmedNanos = sent;
          }
        })
        .exceptionally(error -> null);
  }

  private void heartbeat() {
    if (!running || !redis.available()) {
      return;
    }
    checkShards();
    long now = System.currentTimeMillis();
    redis
        .background("ZADD live", c -> c.zadd(liveKey(), (double) now, bytes(instanceId)))
        .thenCompose(added -> redis.background(
            "ZREMRANGEBYSCORE live",
            c ->
                c.zremrangebyscore(liveKey(), Range.create(0d, (double) (now - 10 * LIVE_MILLIS)))))
        .thenCompose(removed -> redis.background(
            "HSET modes", c -> c.hset(modesKey(), mode.name(), bytes(Long.toString(now)))))
        .thenCompose(set -> redis.background("HGETALL modes", c -> c.hgetall(modesKey())))
        .thenAccept(modes -> checkModes(modes, now))
        .thenCompose(checked -> fixedReadIntervalNanos >= 0
            ? CompletableFuture.completedFuture(null)
            : redis
                .background(
                    "ZCOUNT live",
                    c -> c.zcount(
                        liveKey(), Range.create((double) (now - LIVE_MILLIS), Double.MAX_VALUE)))
                .thenAccept(live -> readIntervalNanos = readIntervalNanosFor(live)))
        .exceptionally(error -> null);
    if (keysByTracking || (mode == CoherenceMode.STREAM_AND_TRACKING && redis.isCluster())) {
      // After the live entry is sent, since it may block for round trips: refused at start or
      // after a reconnect, L1 answers once it is on; on a cluster, it also finds a new master,
      // to hear the writes made there
      redis.retryTracking();
    }
  }

  /** The other modes this instance already warned of. */
  private final Set<String> warnedModes = ConcurrentHashMap.newKeySet();
  /** The other instances' mode that cannot be mixed with this one's, once seen; or null. */
  private volatile String modeConflict;

  /** The mode of other live instances of this prefix that this one's cannot be mixed with, or null. */
  String modeConflict() {
    return modeConflict;
  }

  /**
   * Warns, once per mode, when an instance of this prefix runs {@link CoherenceMode#TRACKING} and
   * another {@link CoherenceMode#STREAM}: the second hears nothing of the first's key writes,
   * which are announced by client tracking only. Every other mix hears every write.
   */
  private void checkModes(Map<String, byte[]> modes, long now) {
    for (Map.Entry<String, byte[]> e : modes.entrySet()) {
      String other = e.getKey();
      long seen;
      try {
        seen = Long.parseLong(new String(e.getValue(), StandardCharsets.US_ASCII));
      } catch (NumberFormatException notOurs) {
        continue;
      }
      boolean deaf = (mode == CoherenceMode.STREAM && other.equals(CoherenceMode.TRACKING.name()))
          || (mode == CoherenceMode.TRACKING && other.equals(CoherenceMode.STREAM.name()));
      if (deaf && now - seen < 10 * LIVE_MILLIS && warnedModes.add(other)) {
        modeConflict = other;
        log.warn(
            "instances of prefix '{}' run coherence STREAM and TRACKING at once (this one {}): "
                + "the STREAM instances do not hear of the key writes of the TRACKING ones and "
                + "keep old values in L1 until l1Ttl; run every instance of a prefix in one mode, "
                + "or STREAM_AND_TRACKING",
            keyPrefix,
            mode);
      }
    }
  }

  /**
   * Publishes an eviction of {@code keys} of {@code space} that every instance acknowledges once
   * it has applied it, and waits (at most {@code timeout}) until every live instance has.
   */
  InvalidationAck publishKeysAndWait(String space, List<String> keys, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Shard[] layout = shards;
    List<String> ackKeys = new ArrayList<>();
    try {
      Map<Shard, CompletableFuture<Long>> sent = new LinkedHashMap<>();
      byShard(layout, space, keys)
          .forEach((index, shardKeys) -> sent.put(
              layout[index],
              publish(
                  layout[index],
                  OP_KEYS,
                  space,
                  shardKeys,
                  true,
                  "",
                  pendingKeysOf(space, shardKeys))));
      for (Map.Entry<Shard, CompletableFuture<Long>> each : sent.entrySet()) {
        long seq =
            each.getValue().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        ackKeys.add(each.getKey().keys.ackPrefix() + seq);
      }
    } catch (ExecutionException | TimeoutException e) {
      return new InvalidationAck(false, Set.of(), Set.of(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new InvalidationAck(false, Set.of(), Set.of(), timeout);
    }
    long started = System.nanoTime();
    long pause = 200_000; // 0.2 ms, doubling to 5 ms
    while (true) {
      Set<String> live = new TreeSet<>();
      Set<String> acked = new TreeSet<>();
      try {
        long now = System.currentTimeMillis();
        redis.call("ZRANGEBYSCORE live", c -> {
          for (byte[] id : c.zrangebyscore(
              liveKey(), Range.create((double) (now - LIVE_MILLIS), Double.MAX_VALUE))) {
            live.add(new String(id, StandardCharsets.UTF_8));
          }
          // acknowledged: by every shard's message (one key is one shard's)
          for (int i = 0; i < ackKeys.size(); i++) {
            Set<String> ofShard = new TreeSet<>();
            for (byte[] id : c.smembers(ackKeys.get(i))) {
              ofShard.add(new String(id, StandardCharsets.UTF_8));
            }
            if (i == 0) {
              acked.addAll(ofShard);
            } else {
              acked.retainAll(ofShard);
            }
          }
          return null;
        });
      } catch (RedisUnavailableException e) {
        return new InvalidationAck(
            false, Set.of(), acked, Duration.ofNanos(System.nanoTime() - started));
      }
      live.remove(instanceId);
      Set<String> missing = new TreeSet<>(live);
      missing.removeAll(acked);
      if (missing.isEmpty() || System.nanoTime() - deadline >= 0) {
        return new InvalidationAck(
            missing.isEmpty(), missing, acked, Duration.ofNanos(System.nanoTime() - started));
      }
      LockSupport.parkNanos(Math.min(pause, Math.max(0, deadline - System.nanoTime())));
      pause = Math.min(pause * 2, 5_000_000);
    }
  }

  /** Tells the publisher of an acknowledged message that this instance applied it. */
  private void acknowledge(Shard shard, long seq) {
    String key = shard.keys.ackPrefix() + seq;
    redis
        .background("SADD ack", c -> c.sadd(key, bytes(instanceId)))
        .thenCompose(added -> redis.background("PEXPIRE ack", c -> c.pexpire(key, ACK_TTL_MILLIS)))
        .exceptionally(error -> null);
  }

  /** The Redis key of {@code key} in {@code space} (a cache's name, or "" for the shared space). */
  private String redisKey(String space, String key) {
    return space.isEmpty() ? prefixColon + key : prefixColon + space + ':' + key;
  }

  /**
   * The key space and key of a Redis key under the prefix, or null for a key of Tiercache's own:
   * {@code prefix:name:key} belongs to cache {@code name} when that cache keeps its own keys here;
   * anything else is a key of the shared space.
   */
  private String[] spaceAndKey(String redisKey) {
    if (!redisKey.startsWith(prefixColon) || redisKey.startsWith("__", prefixColon.length())) {
      return null;
    }
    String tail = redisKey.substring(prefixColon.length());
    int colon = tail.indexOf(':');
    if (colon > 0) {
      CacheGroup group = groupsByName.get(tail.substring(0, colon));
      if (group != null && group.ownKeys) {
        return new String[] {group.name, tail.substring(colon + 1)};
      }
    }
    return new String[] {"", tail};
  }

  void publishPattern(String pattern) {
    broadcast(OP_PATTERN, "", List.of(pattern), () -> pendingPatterns.add(pattern));
  }

  void publishCache(String cacheName) {
    broadcast(OP_CACHE, cacheName, List.of(), () -> pendingCaches.add(cacheName));
  }

  void publishFlush() {
    broadcast(OP_FLUSH, "", List.of(), () -> pendingFlush.set(true));
  }

  void publishNamespace(String name, long version) {
    // A lost namespace message is replayed as a flush: every instance re-reads its versions.
    broadcast(OP_NAMESPACE, name, List.of(Long.toString(version)), () -> pendingFlush.set(true));
  }

  /**
   * Sends a message that concerns keys of every shard to every shard, with one id, so that a
   * reader applies it once, from whichever shard it reads it first. These messages commute with
   * key evictions and with each other (namespace versions only move forward), so the order in
   * which the shards deliver them does not matter. If any append fails, the message is sent again
   * to every shard later.
   */
  private void broadcast(String op, String cache, List<String> keys, Runnable onFailure) {
    Shard[] layout = shards;
    String id = layout.length == 1 ? "" : instanceId + "/" + broadcasts.incrementAndGet();
    AtomicBoolean failed = new AtomicBoolean();
    for (Shard shard : layout) {
      publish(shard, op, cache, keys, false, id, () -> {
        if (failed.compareAndSet(false, true)) {
          onFailure.run();
        }
      });
    }
  }

  /* ---- Fallback channel ---- */

  private static final ObjectMapper FALLBACK_JSON = new ObjectMapper();

  /**
   * A full Redis ({@code maxmemory}, {@code noeviction}) refuses the stream append but accepts a
   * {@code PUBLISH}: the message goes out there too, so that the other instances evict now rather
   * than at their L1 TTL. It stays pending for the stream as well, so that an instance that missed
   * the fire-and-forget copy still gets it once Redis takes writes again.
   */
  private void publishFallback(String op, String cache, List<String> keys) {
    List<String> fields = new ArrayList<>(keys.size() + 3);
    fields.add(instanceId);
    fields.add(op);
    fields.add(cache);
    fields.addAll(keys);
    try {
      redis
          .publishAsync(fallbackChannel, FALLBACK_JSON.writeValueAsString(fields))
          .whenComplete((n, error) -> {
            if (error == null) {
              fallbackSent.increment();
            }
          });
    } catch (JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private void onFallback(String message) {
    List<String> fields;
    try {
      fields = Arrays.asList(FALLBACK_JSON.readValue(message, String[].class));
    } catch (IOException | RuntimeException malformed) {
      log.debug("malformed fallback invalidation ignored");
      return;
    }
    if (fields.size() < 3 || instanceId.equals(fields.get(0))) {
      return;
    }
    received.increment();
    apply(fields.get(1), fields.get(2), fields.subList(3, fields.size()));
  }

  /** Whether a change of one key is announced by Redis's client tracking ({@link CoherenceMode#TRACKING}). */
  boolean keysByTracking() {
    return keysByTracking;
  }

  /**
   * Whether a write of one key can carry its own announcement ({@link #writeAndPublishKey}): on one
   * Redis server (standalone or Sentinel), where the stream and every key are on the one master. On
   * a cluster the stream shard is in another slot than the key, so the write and the append stay
   * two commands.
   */
  boolean foldsWrites() {
    return !keysByTracking && !redis.isCluster() && shards.length == 1;
  }

  /**
   * Writes ({@code frame} not null: {@code SET PX ttlMillis}) or deletes one key and announces it
   * to the other instances in one script ({@link #WRITE_AND_PUBLISH}), when {@link #foldsWrites}.
   * With batching, only when no append of the stream is in flight: otherwise it returns false
   * having done nothing, and the caller writes alone and publishes the key, which then waits for
   * the append in flight and goes out with the others. The folded write counts as the append in
   * flight while it runs, so the keys published meanwhile go out together after it.
   *
   * <p>A delete that Redis refuses for {@code maxmemory} (the append needs memory even when the
   * delete frees none) is made alone and announced as {@link #publishKeys} does, which falls back
   * to {@code PUBLISH}.
   *
   * @param space and {@code key} as in {@link #publishKeys}
   * @param redisKey the key in Redis
   * @return whether the write was made here (false: only when an append is in flight)
   * @throws RedisUnavailableException if Redis could not be reached or refused the write: then
   *     neither the write nor the announcement may have happened
   */
  boolean writeAndPublishKey(
      String space, String key, String redisKey, byte[] frame, long ttlMillis) {
    Shard shard = shards[0];
    if (batching && !shard.sending.compareAndSet(false, true)) {
      return false;
    }
    try {
      byte[][] args = messageArgs(11, OP_KEYS, space, false, "");
      args[7] = bytes(frame == null ? "0" : "1");
      args[8] = frame == null ? EMPTY : frame;
      args[9] = bytes(Long.toString(ttlMillis));
      args[10] = bytes(key);
      String[] scriptKeys = {shard.keys.stream(), shard.keys.seq(), redisKey};
      String what = frame == null ? "UNLINK + XADD invalidation" : "SET + XADD invalidation";
      try {
        redis.call(what, c -> {
          try {
            return c.<Long>evalsha(
                WRITE_AND_PUBLISH_SHA1, ScriptOutputType.INTEGER, scriptKeys, args);
          } catch (RuntimeException e) {
            if (!isNoScript(e)) {
              throw e;
            }
            // a server that does not know the script yet (new, restarted) is sent its text once
            return c.<Long>eval(WRITE_AND_PUBLISH, ScriptOutputType.INTEGER, scriptKeys, args);
          }
        });
      } catch (RedisUnavailableException e) {
        if (frame != null || !RedisTier.isOutOfMemory(e)) {
          throw e;
        }
        redis.delete(List.of(redisKey));
        publishKeys(space, List.of(key)); // queued until this append is over, with batching
        return true;
      }
      appends.increment();
      sent.increment();
      return true;
    } finally {
      if (batching) {
        shard.sending.set(false);
        if (!shard.queued.isEmpty()) {
          drain(shard);
        }
      }
    }
  }

  /**
   * The arguments {@link #PUBLISH} and {@link #WRITE_AND_PUBLISH} share, ARGV[1] to ARGV[7]: the
   * stream's length, this instance, the message's op, cache, time, acknowledgement flag and
   * broadcast id; the rest of the {@code size} are left for the caller.
   */
  private byte[][] messageArgs(int size, String op, String cache, boolean ack, String broadcastId) {
    byte[][] args = new byte[size][];
    args[0] = bytes(Long.toString(maxLen));
    args[1] = bytes(instanceId);
    args[2] = bytes(op);
    args[3] = bytes(cache);
    args[4] = bytes(Long.toString(nowMicros()));
    args[5] = bytes(ack ? "1" : "0");
    args[6] = bytes(broadcastId);
    return args;
  }

  private CompletableFuture<Long> publish(
      Shard shard,
      String op,
      String cache,
      List<String> keys,
      boolean ack,
      String broadcastId,
      Runnable onFailure) {
    byte[][] args = messageArgs(7 + keys.size(), op, cache, ack, broadcastId);
    for (int i = 0; i < keys.size(); i++) {
      args[7 + i] = bytes(keys.get(i));
    }
    appends.increment();
    String[] scriptKeys = {shard.keys.stream(), shard.keys.seq()};
    // by its digest: Redis neither receives nor hashes the script's text on every append; a
    // server that does not know it yet (new, restarted, another master) is sent the text once
    return redis
        .async(
            "XADD invalidation",
            c -> c.<Long>evalsha(PUBLISH_SHA1, ScriptOutputType.INTEGER, scriptKeys, args))
        .exceptionallyCompose(error -> isNoScript(error)
            ? redis.async(
                "XADD invalidation",
                c -> c.<Long>eval(PUBLISH, ScriptOutputType.INTEGER, scriptKeys, args))
            : CompletableFuture.failedFuture(error))
        .whenComplete((seq, error) -> {
          if (error == null) {
            sent.increment();
          } else {
            onFailure.run();
            if (RedisTier.isOutOfMemory(error)) {
              publishFallback(op, cache, keys);
            }
          }
        });
  }

  private void sendPending() {
    if (!redis.available()) {
      return;
    }
    try {
      if (pendingFlush.compareAndSet(true, false)) {
        publishFlush();
        pendingKeys.clear();
        pendingPatterns.clear();
        pendingCaches.clear();
        return;
      }
      if (!pendingKeys.isEmpty()) {
        List<String> entries = new ArrayList<>(pendingKeys);
        pendingKeys.removeAll(entries);
        Map<String, List<String>> bySpace = new LinkedHashMap<>();
        for (String entry : entries) {
          int split = entry.indexOf('\u0000');
          bySpace
              .computeIfAbsent(entry.substring(0, split), space -> new ArrayList<>())
              .add(entry.substring(split + 1));
        }
        // only keys that went to the stream wait here: a replayed delete in tracking mode too
        bySpace.forEach(this::publishKeysOnStream);
      }
      for (String pattern : new ArrayList<>(pendingPatterns)) {
        pendingPatterns.remove(pattern);
        publishPattern(pattern);
      }
      for (String cache : new ArrayList<>(pendingCaches)) {
        pendingCaches.remove(cache);
        publishCache(cache);
      }
    } catch (RuntimeException e) {
      log.debug("pending invalidations not sent yet: {}", e.toString());
    }
  }

  /* ---- Loads racing invalidations ---- */

  /** Remembers a loaded value about to be written to Redis under {@code key} of {@code space}. */
  void loading(String space, String key, byte[] frame) {
    recentLoads.put(redisKey(space, key), frame);
  }

  /**
   * Whether {@code frame} is still this instance's most recent load of {@code key}: false once an
   * invalidation of the key (or a flush) arrived after {@link #loading}.
   */
  boolean isRecentLoad(String space, String key, byte[] frame) {
    return recentLoads.getIfPresent(redisKey(space, key)) == frame;
  }

  /**
   * Removes a loaded value from Redis if it is still the one this instance wrote. If it was
   * there, other instances may have read it meanwhile, so they are told to evict the key too.
   */
  void compareAndDelete(String space, String key, byte[] frame) {
    redis.compareAndDeleteAsync(redisKey(space, key), frame).thenAccept(deleted -> {
      if (deleted) {
        publishKeys(space, List.of(key));
      }
    });
  }

  /* ---- Reading ---- */

  private void readLoop(Shard shard) {
    long backoff = 50;
    String streamKey = shard.keys.stream();
    while (running && !shard.stopped) {
      try {
        RedisTier.DedicatedConnection connection = shard.connection;
        if (connection == null || !connection.isOpen()) {
          if (!redis.available()) {
            sleep(backoff);
            continue;
          }
          // strict: a link that stopped moving is given up soon, so that catching up starts soon
          subscribeFallback();
          connection =
              redis.connectDedicated(Duration.ofMillis(blockMillis + (isStrict() ? 500 : 2_000)));
          shard.connection = connection;
          if (shard.stopped) {
            connection.closeAsync();
            break;
          }
          if (shard.lastId == null) {
            RedisClusterCommands<String, String> commands = connection.sync();
            startPosition(
                shard,
                commands.xrevrange(streamKey, Range.unbounded(), Limit.create(0, 1)),
                () -> commands.get(shard.keys.seq()));
            // a persistent level that verified itself meanwhile replays from its own position again
            flushAll(
                "the invalidation stream" + shard.label() + " could not be read since start-up",
                L3.REVERIFY);
          }
        }
        long sent = System.nanoTime();
        shard.readSentNanos = sent;
        // After a recovery, read without blocking: the read that returns at once tells that the
        // reader has caught up, where a blocking one would return only after its block time.
        XReadArgs args = suspectSince != 0
            ? XReadArgs.Builder.count(READ_COUNT)
            : XReadArgs.Builder.block(blockMillis).count(READ_COUNT);
        List<StreamMessage<String, String>> messages =
            connection.sync().xread(args, XReadArgs.StreamOffset.from(streamKey, shard.lastId));
        shard.readSentNanos = 0;
        // High priority first: an acknowledged eviction in this batch is applied (and acknowledged)
        // before the batch's other messages, which may be mass invalidations. Evictions commute,
        // so applying it again in order below changes nothing.
        for (StreamMessage<String, String> message : messages) {
          Map<String, String> body = message.getBody();
          if ("1".equals(body.get("ack")) && !instanceId.equals(body.get("src"))) {
            apply(body.get("op"), body.get("c"), keysOf(message));
            try {
              acknowledge(shard, Long.parseLong(body.get("seq")));
            } catch (RuntimeException malformed) {
              // handle() below deals with it
            }
          }
        }
        for (StreamMessage<String, String> message : messages) {
          handle(shard, message);
        }
        if (!messages.isEmpty() && !shard.stopped) {
          PersistentLevel.Position position = currentPosition();
          if (position != null) {
            appliedL3(position);
          }
        }
        if (messages.size() < READ_COUNT) {
          shard.caughtUpNanos = sent; // every message appended before the read was sent is applied
          // A busy stream is read at most once per interval: each read then carries the messages
          // of the interval, instead of every append waking every reader. An idle stream's read
          // blocks until the next message and returns it at once.
          long pause = readIntervalNanos - (System.nanoTime() - sent);
          if (!messages.isEmpty() && pause > 0 && suspectSince == 0) {
            LockSupport.parkNanos(pause);
          }
        }
        backoff = 50;
      } catch (RuntimeException e) {
        if (!running || shard.stopped) {
          break;
        }
        log.debug("coherence reader{}: {}", shard.label(), e.toString());
        RedisTier.DedicatedConnection broken = shard.connection;
        shard.connection = null;
        if (broken != null) {
          broken.closeAsync();
        }
        sleep(backoff);
        backoff = Math.min(backoff * 2, 1_000);
      }
    }
  }

  /** Starts after the newest message: what came before concerns values this instance never had. */
  private <V> void startPosition(
      Shard shard, List<StreamMessage<String, V>> newest, Supplier<String> seq) {
    if (!newest.isEmpty()) {
      V value = newest.get(0).getBody().get("seq");
      shard.lastSeq = Long.parseLong(
          value instanceof byte[] bytes
              ? new String(bytes, StandardCharsets.US_ASCII)
              : String.valueOf(value));
      shard.lastId = newest.get(0).getId();
    } else {
      String current = seq.get();
      shard.lastSeq = current == null ? 0 : Long.parseLong(current);
      shard.lastId = "0-0";
    }
  }

  private void handle(Shard shard, StreamMessage<String, String> message) {
    shard.lastId = message.getId();
    long lastSeq = shard.lastSeq;
    Map<String, String> body = message.getBody();
    long seq;
    try {
      seq = Long.parseLong(body.get("seq"));
    } catch (RuntimeException malformed) {
      flushAll("a malformed invalidation message " + message.getId(), L3.DROP);
      return;
    }
    if (seq != lastSeq + 1) {
      // Restarted: Redis lost its data while this reader followed it live, so what it had not read
      // yet is at most its lag; the persistent level keeps its values (docs/persistent-level.md).
      // Jumped: messages this reader needed were trimmed; the persistent level is emptied too.
      // One shard's gap clears all of L1: the keys of that shard are spread over every cache.
      flushAll(
          seq <= lastSeq
              ? "the invalidation sequence" + shard.label() + " restarted at " + seq + " after "
                  + lastSeq + " (Redis restarted or failed over)"
              : "invalidation messages" + shard.label() + " " + (lastSeq + 1) + ".." + (seq - 1)
                  + " may be lost",
          seq <= lastSeq ? L3.KEEP : L3.DROP);
    }
    shard.lastSeq = seq;
    if (instanceId.equals(body.get("src"))) {
      return;
    }
    String broadcastId = body.get("b");
    if (broadcastId != null
        && recentBroadcasts.asMap().putIfAbsent(broadcastId, Boolean.TRUE) != null) {
      return; // applied already, from another shard
    }
    received.increment();
    apply(body.get("op"), body.get("c"), keysOf(message));
    try {
      recordLag(nowMicros() - Long.parseLong(body.get("ts")));
    } catch (RuntimeException ignored) {
      // a message without a timestamp still evicts; it just has no lag
    }
  }

  private static List<String> keysOf(StreamMessage<String, String> message) {
    Map<String, String> body = message.getBody();
    List<String> keys = new ArrayList<>();
    for (int i = 0; ; i++) {
      String key = body.get("k" + i);
      if (key == null) {
        return keys;
      }
      keys.add(key);
    }
  }

  private void apply(String op, String cache, List<String> keys) {
    if (op == null) {
      flushAll("an invalidation message without an operation", L3.DROP);
      return;
    }
    switch (op) {
      case OP_KEYS -> {
        for (String key : keys) {
          evict(cache == null ? "" : cache, key);
        }
      }
      case OP_PATTERN -> {
        for (String pattern : keys) {
          for (CacheGroup group : groups.get()) {
            group.evictIf(key -> Glob.matches(pattern, key));
          }
          recentLoads.asMap().keySet().removeIf(redisKey -> {
            String[] spaceAndKey = spaceAndKey(redisKey);
            return spaceAndKey != null && Glob.matches(pattern, spaceAndKey[1]);
          });
        }
      }
      case OP_CACHE -> {
        for (CacheGroup group : groups.get()) {
          if (group.name.equals(cache)) {
            group.local.invalidateAll();
            if (group.l3 != null) {
              group.l3.clear();
            }
          }
        }
      }
      case OP_FLUSH -> flushAll(null, L3.CLEAR);
      case OP_NAMESPACE -> {
        try {
          namespaceUpdate.accept(Map.entry(cache, Long.parseLong(keys.get(0))));
        } catch (RuntimeException malformed) {
          namespaceReset.run();
        }
      }
      default ->
        flushAll("an invalidation message with an unknown operation '" + op + "'", L3.DROP);
    }
  }

  /** Evicts {@code key} from the cache that owns {@code space}, or from every cache for the shared space. */
  private void evict(String space, String key) {
    if (space.isEmpty()) {
      for (CacheGroup group : groups.get()) {
        group.evict(key);
      }
    } else {
      CacheGroup group = groupsByName.get(space);
      if (group != null) {
        group.evict(key);
      }
    }
    byte[] loaded = recentLoads.asMap().remove(redisKey(space, key));
    if (loaded != null) {
      compareAndDelete(space, key, loaded);
    }
  }

  private void onTracked(List<String> redisKeys) {
    if (redisKeys == null) {
      flushAll(null, L3.KEEP); // Redis flushed: the persistent level is what still answers
      return;
    }
    for (String redisKey : redisKeys) {
      String[] spaceAndKey = spaceAndKey(redisKey);
      if (spaceAndKey != null) {
        tracked.increment();
        evict(spaceAndKey[0], spaceAndKey[1]); // a load of this instance racing it is undone too
      }
    }
  }

  /** What an L1 clear does to the persistent levels. */
  private enum L3 {
    /** Nothing: the clear is about what L1 may hold, not about invalidations lost. */
    KEEP,
    /** Emptied, with the reason at WARN: invalidations they needed may be lost. */
    DROP,
    /** Emptied: a flush was announced. */
    CLEAR,
    /** Replayed from their own recorded position before they serve again. */
    REVERIFY
  }

  private void flushAll(String gapReason, L3 l3) {
    for (CacheGroup group : groups.get()) {
      group.local.invalidateAll();
      if (group.l3 != null) {
        switch (l3) {
          case DROP -> group.l3.drop(gapReason);
          case CLEAR -> group.l3.clear();
          case REVERIFY -> group.l3.reverify();
          default -> {}
        }
      }
    }
    recentLoads.invalidateAll();
    namespaceReset.run();
    if (gapReason != null) {
      gapFlushes.increment();
      log.warn("L1 cleared on this instance: {}", gapReason);
    }
  }

  /* ---- The persistent level ---- */

  private void appliedL3(PersistentLevel.Position position) {
    for (CacheGroup group : groups.get()) {
      if (group.l3 != null) {
        group.l3.applied(position);
      }
    }
  }

  /**
   * Where every shard's reader stands, or null while one is not positioned or has read no message
   * yet. One shard: its last id and sequence. Several: {@code id/seq} of each shard, joined with
   * commas, and the sum of their sequences.
   *
   * <p>A reader that started on an empty shard stands at sequence 0 until it reads the shard's
   * first message, and a level positioned at 0 is emptied at its next start (as after a Redis
   * restart). The level's own verification marks every shard with a message first, so reporting
   * such a position in the meantime would overwrite the level's good one and lose it at the
   * restart: it keeps the position it has until every reader has read a message.
   */
  private PersistentLevel.Position currentPosition() {
    Shard[] layout = shards;
    PersistentLevel.Position[] each = new PersistentLevel.Position[layout.length];
    for (int i = 0; i < layout.length; i++) {
      long seq = layout[i].lastSeq;
      String id = layout[i].lastId;
      if (id == null || seq <= 0) {
        return null;
      }
      each[i] = new PersistentLevel.Position(id, seq);
    }
    return joined(each);
  }

  private static PersistentLevel.Position joined(PersistentLevel.Position[] each) {
    if (each.length == 1) {
      return each[0];
    }
    StringBuilder id = new StringBuilder();
    long sum = 0;
    for (PersistentLevel.Position position : each) {
      if (id.length() > 0) {
        id.append(',');
      }
      id.append(position.id()).append('/').append(position.seq());
      sum += position.seq();
    }
    return new PersistentLevel.Position(id.toString(), sum);
  }

  /** The per-shard positions of a joined one, or null when it was written for another number of shards. */
  private static PersistentLevel.Position[] split(PersistentLevel.Position joined, int count) {
    if (count == 1) {
      return joined.id().contains("/") ? null : new PersistentLevel.Position[] {joined};
    }
    String[] parts = joined.id().split(",");
    if (parts.length != count) {
      return null;
    }
    PersistentLevel.Position[] each = new PersistentLevel.Position[count];
    for (int i = 0; i < count; i++) {
      int slash = parts[i].lastIndexOf('/');
      try {
        each[i] = new PersistentLevel.Position(
            parts[i].substring(0, slash), Long.parseLong(parts[i].substring(slash + 1)));
      } catch (RuntimeException malformed) {
        return null;
      }
    }
    return each;
  }

  /** The first shard's stream, and the number of shards when there are several: a level of another layout is emptied. */
  @Override
  public String streamIdentity() {
    Shard[] layout = shards;
    return layout.length == 1
        ? layout[0].keys.stream()
        : layout[0].keys.stream() + "+" + layout.length;
  }

  /** Entries read per XRANGE of a replay. */
  private static final int REPLAY_PAGE = 1_000;

  /**
   * Replays into a persistent level every message after {@code from}, on every shard, checking
   * that each shard's sequence numbers follow on from its position: the first that does not means
   * messages the level needed are gone (trimmed, or Redis lost its data while this instance was
   * down), and the level must be emptied. Bounded: each stream holds at most about {@code
   * invalidationStreamLength} messages. The messages published after the level's cache was
   * registered reach it through the readers as well, so reading to the end seen here is enough.
   */
  @Override
  public PersistentLevel.Replay replay(PersistentLevel.Position from, PersistentLevel into) {
    Shard[] layout = shards;
    return redis.call("XRANGE (l3 replay)", c -> {
      if (from == null) {
        return new PersistentLevel.Replay(marked(c, layout), null);
      }
      PersistentLevel.Position[] starts = split(from, layout.length);
      if (starts == null) {
        return new PersistentLevel.Replay(
            marked(c, layout), "it followed another number of invalidation shards");
      }
      PersistentLevel.Position[] ends = new PersistentLevel.Position[layout.length];
      for (int i = 0; i < layout.length; i++) {
        PersistentLevel.Replay shard = replay(c, layout[i], starts[i], into);
        if (shard.gap() != null) {
          return new PersistentLevel.Replay(marked(c, layout), shard.gap());
        }
        ends[i] = shard.end();
      }
      return new PersistentLevel.Replay(joined(ends), null);
    });
  }

  private PersistentLevel.Replay replay(
      RedisClusterCommands<String, byte[]> c,
      Shard shard,
      PersistentLevel.Position from,
      PersistentLevel into) {
    if (from.seq() <= 0) {
      // positioned before any message: a Redis restarted meanwhile would look the same
      return new PersistentLevel.Replay(
          null, "it was positioned before the first invalidation message");
    }
    String id = from.id();
    long seq = from.seq();
    for (int round = 0; round < 10; round++) {
      while (true) {
        Range<String> after = Range.from(Range.Boundary.excluding(id), Range.Boundary.unbounded());
        List<StreamMessage<String, byte[]>> page =
            c.xrange(shard.keys.stream(), after, Limit.create(0, REPLAY_PAGE));
        for (StreamMessage<String, byte[]> message : page) {
          Map<String, byte[]> body = message.getBody();
          long next;
          try {
            next = Long.parseLong(text(body.get("seq")));
          } catch (RuntimeException malformed) {
            return new PersistentLevel.Replay(
                null, "a malformed invalidation message " + message.getId());
          }
          if (next != seq + 1) {
            return new PersistentLevel.Replay(
                null,
                next <= seq
                    ? "the invalidation sequence" + shard.label()
                        + " restarted (Redis restarted or was flushed while this instance was down)"
                    : "the invalidations" + shard.label() + " after " + seq
                        + " it needed are no longer in the stream (trimmed)");
          }
          List<String> keys = new ArrayList<>();
          for (int i = 0; body.containsKey("k" + i); i++) {
            keys.add(text(body.get("k" + i)));
          }
          into.apply(text(body.get("op")), text(body.get("c")), keys);
          id = message.getId();
          seq = next;
        }
        if (page.size() < REPLAY_PAGE) {
          break;
        }
      }
      byte[] counter = c.get(shard.keys.seq());
      long current = counter == null ? 0 : Long.parseLong(text(counter));
      if (current == seq) {
        return new PersistentLevel.Replay(new PersistentLevel.Position(id, seq), null);
      }
      if (current < seq) {
        return new PersistentLevel.Replay(
            null,
            "the invalidation sequence" + shard.label()
                + " restarted (Redis restarted or was flushed while this instance was down)");
      }
      // published after the last page was read, or the stream lost entries the counter counted:
      // read again
    }
    return new PersistentLevel.Replay(
        null, "the invalidation stream" + shard.label() + " and its sequence disagree");
  }

  /**
   * {@link #end} of every shard, after publishing an empty message to each that has none yet: a
   * level is never positioned at sequence 0, which a Redis restarted (or flushed) while its
   * instance was down would reproduce, so that a restart is always told from "nothing happened".
   * The other readers see one more message without keys.
   */
  private PersistentLevel.Position marked(RedisClusterCommands<String, byte[]> c, Shard[] layout) {
    PersistentLevel.Position[] each = new PersistentLevel.Position[layout.length];
    for (int i = 0; i < layout.length; i++) {
      Shard shard = layout[i];
      PersistentLevel.Position end = end(c, shard);
      if (end.seq() <= 0) {
        c.eval(
            PUBLISH,
            ScriptOutputType.INTEGER,
            new String[] {shard.keys.stream(), shard.keys.seq()},
            bytes(Long.toString(maxLen)),
            bytes(instanceId),
            bytes(OP_KEYS),
            bytes(""),
            bytes(Long.toString(nowMicros())),
            bytes("0"),
            bytes(""));
        end = end(c, shard);
      }
      each[i] = end;
    }
    return joined(each);
  }

  /** Where a shard's stream ends now: its newest entry, or the sequence counter of an empty stream. */
  private PersistentLevel.Position end(RedisClusterCommands<String, byte[]> c, Shard shard) {
    List<StreamMessage<String, byte[]>> newest =
        c.xrevrange(shard.keys.stream(), Range.unbounded(), Limit.create(0, 1));
    if (!newest.isEmpty()) {
      return new PersistentLevel.Position(
          newest.get(0).getId(), Long.parseLong(text(newest.get(0).getBody().get("seq"))));
    }
    byte[] counter = c.get(shard.keys.seq());
    return new PersistentLevel.Position("0-0", counter == null ? 0 : Long.parseLong(text(counter)));
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /* ---- Stats ---- */

  private void recordLag(long micros) {
    long i = lagCount.getAndIncrement();
    lags[(int) (i % lags.length)] = Math.max(0, micros);
  }

  CoherenceStats stats() {
    int n = (int) Math.min(lagCount.get(), lags.length);
    long[] sample = Arrays.copyOf(lags, n);
    Arrays.sort(sample);
    long p50 = n == 0 ? 0 : sample[(int) Math.min(n - 1, Math.round(0.50 * (n - 1)))];
    long p99 = n == 0 ? 0 : sample[(int) Math.min(n - 1, Math.round(0.99 * (n - 1)))];
    long p999 = n == 0 ? 0 : sample[(int) Math.min(n - 1, Math.round(0.999 * (n - 1)))];
    long max = n == 0 ? 0 : sample[n - 1];
    long pending = pendingKeys.size()
        + pendingPatterns.size()
        + pendingCaches.size()
        + (pendingFlush.get() ? 1 : 0);
    return new CoherenceStats(
        mode,
        instanceId,
        sent.sum(),
        received.sum(),
        tracked.sum(),
        gapFlushes.sum(),
        pending,
        p50,
        p99,
        p999,
        max,
        n,
        trusted());
  }

  private static long nowMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  private static final byte[] EMPTY = new byte[0];

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    pendingTask.cancel(false);
    heartbeatTask.cancel(false);
    if (confirmTask != null) {
      confirmTask.cancel(false);
    }
    try {
      // bookkeeping: a Redis that is down at close is no news worth a warning
      redis
          .background("ZREM live", c -> c.zrem(liveKey(), bytes(instanceId)))
          .get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("not removed from the live instances: {}", e.toString());
    }
    AutoCloseable subscription = fallbackSubscription;
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        log.debug("fallback subscription not closed: {}", e.toString());
      }
    }
    List<Shard> all = new ArrayList<>(List.of(shards));
    all.addAll(retiring);
    for (Shard shard : all) {
      shard.stopped = true;
      if (shard.reader != null) {
        shard.reader.interrupt();
      }
      RedisTier.DedicatedConnection connection = shard.connection;
      if (connection != null) {
        connection.close();
      }
    }
    long deadline = System.nanoTime() + 2_000_000_000L;
    for (Shard shard : all) {
      try {
        if (shard.reader != null) {
          shard.reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
