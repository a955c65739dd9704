package io.tiercache;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.tiercache.internal.redis.RedisTier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the L1 of every instance coherent through a Redis Stream of invalidation messages.
 *
 * <p>Publishing: after Redis acknowledged a change, one Lua script increments a sequence counter
 * and appends {@code seq, src, op, c, ts, k0, k1, ...} to the stream (trimmed to about {@code maxLen}
 * entries). If the append fails, the message is kept and sent when Redis is back.
 *
 * <p>Reading: a daemon thread blocks on {@code XREAD} from the last id it saw, on a connection of
 * its own. Every message's sequence number must be the previous one plus one; otherwise messages
 * may have been lost (trimmed while this instance was disconnected, or Redis restarted with an
 * empty stream) and the instance clears its whole L1. Its own messages advance the sequence but
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
  private static final String PUBLISH = String.join("\n",
      "local seq = redis.call('INCR', KEYS[2])",
      "local fields = {'seq', seq, 'src', ARGV[2], 'op', ARGV[3], 'c', ARGV[4], 'ts', ARGV[5]}",
      "if ARGV[6] == '1' then fields[#fields + 1] = 'ack'; fields[#fields + 1] = '1' end",
      "for i = 7, #ARGV do",
      "  fields[#fields + 1] = 'k' .. (i - 7)",
      "  fields[#fields + 1] = ARGV[i]",
      "end",
      "redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))",
      "return seq");

  private final CoherenceMode mode;
  private final String instanceId = UUID.randomUUID().toString();
  private final RedisTier redis;
  private final String prefixColon;
  private final String streamKey;
  private final String seqKey;
  private final long maxLen;
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

  private final Thread reader;
  private volatile boolean running = true;
  private volatile RedisTier.DedicatedConnection readerConnection;
  private volatile String lastId;
  private volatile long lastSeq = -1;
  /** Strict coherence: the longest time since the reader last reached the stream's end; 0 when off. */
  private final long strictBoundNanos;
  private final long blockMillis;
  /** When the last read that reached the end of the stream was sent ({@link System#nanoTime}). */
  private volatile long caughtUpNanos;
  /**
   * When Redis came back after an outage or a partition, until the reader has caught up with what
   * was published meanwhile; 0 otherwise. L1 does not answer while it is set.
   */
  private volatile long suspectSince;
  /** When the read in progress was sent, or 0 between reads. */
  private volatile long readSentNanos;

  Coherence(CoherenceMode mode, RedisTier redis, String keyPrefix, long maxLen, Duration loadRaceWindow,
      Duration retryInterval, ScheduledExecutorService scheduler, Map<String, CacheGroup> groups,
      Consumer<Map.Entry<String, Long>> namespaceUpdate, Runnable namespaceReset, Duration strictBound) {
    this.mode = mode;
    this.strictBoundNanos = strictBound == null ? 0 : strictBound.toNanos();
    // Strict: an idle stream is read to its end at least four times per bound.
    this.blockMillis = strictBound == null ? BLOCK_MILLIS : Math.max(5, strictBound.toMillis() / 4);
    this.caughtUpNanos = System.nanoTime() - strictBoundNanos - 1; // untrusted until the first read
    this.redis = redis;
    this.prefixColon = keyPrefix + ":";
    // One hash tag, so that both keys share a cluster slot and the script may touch both.
    this.streamKey = keyPrefix + ":__tc:{inval}:stream";
    this.seqKey = keyPrefix + ":__tc:{inval}:seq";
    this.fallbackChannel = keyPrefix + ":__tc:inval:fallback";
    this.maxLen = maxLen;
    this.groupsByName = groups;
    this.groups = groups::values;
    this.namespaceUpdate = namespaceUpdate;
    this.namespaceReset = namespaceReset;
    // Maintenance on the writing thread: a put per load must not wake a pool thread each time.
    this.recentLoads = Caffeine.newBuilder().expireAfterWrite(loadRaceWindow).maximumSize(100_000)
        .executor(Runnable::run).build();
    redis.replayListener(new RedisTier.ReplayListener() {
      @Override
      public void deleted(List<String> redisKeys) {
        Map<String, List<String>> bySpace = new java.util.LinkedHashMap<>();
        for (String redisKey : redisKeys) {
          String[] spaceAndKey = spaceAndKey(redisKey);
          if (spaceAndKey != null) {
            bySpace.computeIfAbsent(spaceAndKey[0], space -> new ArrayList<>()).add(spaceAndKey[1]);
          }
        }
        bySpace.forEach(Coherence.this::publishKeys);
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
    this.pendingTask = scheduler.scheduleWithFixedDelay(this::sendPending, retry, retry, TimeUnit.MILLISECONDS);
    this.heartbeatTask = scheduler.scheduleWithFixedDelay(this::heartbeat, 0, HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
    if (mode == CoherenceMode.STREAM_AND_TRACKING) {
      redis.enableTracking(prefixColon, this::onTracked, () -> flushAll("client tracking reconnected", L3.KEEP));
    }
    // Position the reader before any value can enter L1, so no message published from now on
    // can be missed. If Redis cannot be asked now, the reader positions itself later and clears
    // L1 then, since what happened in between is unknown.
    try {
      redis.call("XREVRANGE", c -> {
        startPosition(c.xrevrange(streamKey, Range.unbounded(), io.lettuce.core.Limit.create(0, 1)),
            () -> c.get(seqKey) == null ? null : new String(c.get(seqKey), StandardCharsets.US_ASCII));
        return null;
      });
    } catch (RuntimeException e) {
      lastId = null;
    }
    // the reader thread subscribes to the fallback channel as it connects: not on build()'s time
    this.reader = new Thread(this::readLoop, "tiercache-coherence");
    reader.setDaemon(true);
    reader.start();
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
    long suspect = suspectSince;
    if (suspect != 0) {
      if (caughtUpNanos - suspect <= 0 && (isStrict() || System.nanoTime() - suspect < MAX_SUSPECT_NANOS)) {
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
    long sent = readSentNanos;
    RedisTier.DedicatedConnection stuck = readerConnection;
    if (sent != 0 && stuck != null && System.nanoTime() - sent > (blockMillis + 250) * 1_000_000L) {
      log.debug("coherence reader stuck for {} ms after Redis came back: reconnecting it",
          (System.nanoTime() - sent) / 1_000_000);
      stuck.closeAsync();
    }
  }

  /** Subscribes to the fallback channel; if Redis cannot be reached now, the reader tries again. */
  private void subscribeFallback() {
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
    List<String> batch = new ArrayList<>(Math.min(keys.size(), MAX_KEYS_PER_MESSAGE));
    for (String key : keys) {
      batch.add(key);
      if (batch.size() == MAX_KEYS_PER_MESSAGE) {
        List<String> sent = batch;
        publish(OP_KEYS, space, sent, () -> sent.forEach(k -> pendingKeys.add(space + '\u0000' + k)));
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      List<String> last = batch;
      publish(OP_KEYS, space, last, () -> last.forEach(k -> pendingKeys.add(space + '\u0000' + k)));
    }
  }

  /* ---- High priority: acknowledged by every live instance ---- */

  /** How long an instance counts as live after its last heartbeat. */
  static final long LIVE_MILLIS = 3_000;
  private static final long HEARTBEAT_MILLIS = 1_000;
  private static final long ACK_TTL_MILLIS = 60_000;

  /** The sorted set of live instances (score: last heartbeat, epoch ms). */
  private String liveKey() {
    return prefixColon + "__tc:{inval}:live";
  }

  private String ackKey(long seq) {
    return prefixColon + "__tc:{inval}:ack:" + seq;
  }

  private void heartbeat() {
    if (!running || !redis.available()) {
      return;
    }
    long now = System.currentTimeMillis();
    redis.background("ZADD live", c -> c.zadd(liveKey(), (double) now, bytes(instanceId)))
        .thenCompose(added -> redis.background("ZREMRANGEBYSCORE live",
            c -> c.zremrangebyscore(liveKey(), Range.create(0d, (double) (now - 10 * LIVE_MILLIS)))))
        .exceptionally(error -> null);
  }

  /**
   * Publishes an eviction of {@code keys} of {@code space} that every instance acknowledges once
   * it has applied it, and waits (at most {@code timeout}) until every live instance has.
   */
  InvalidationAck publishKeysAndWait(String space, List<String> keys, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long seq;
    try {
      seq = publish(OP_KEYS, space, keys, true,
          () -> keys.forEach(k -> pendingKeys.add(space + '\u0000' + k)))
          .get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return new InvalidationAck(false, Set.of(), Set.of(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new InvalidationAck(false, Set.of(), Set.of(), timeout);
    }
    long started = System.nanoTime();
    long pause = 200_000; // 0.2 ms, doubling to 5 ms
    while (true) {
      Set<String> live = new java.util.TreeSet<>();
      Set<String> acked = new java.util.TreeSet<>();
      try {
        long now = System.currentTimeMillis();
        redis.call("ZRANGEBYSCORE live", c -> {
          for (byte[] id : c.zrangebyscore(liveKey(), Range.create((double) (now - LIVE_MILLIS), Double.MAX_VALUE))) {
            live.add(new String(id, StandardCharsets.UTF_8));
          }
          for (byte[] id : c.smembers(ackKey(seq))) {
            acked.add(new String(id, StandardCharsets.UTF_8));
          }
          return null;
        });
      } catch (RedisUnavailableException e) {
        return new InvalidationAck(false, Set.of(), acked, Duration.ofNanos(System.nanoTime() - started));
      }
      live.remove(instanceId);
      Set<String> missing = new java.util.TreeSet<>(live);
      missing.removeAll(acked);
      if (missing.isEmpty() || System.nanoTime() - deadline >= 0) {
        return new InvalidationAck(missing.isEmpty(), missing, acked, Duration.ofNanos(System.nanoTime() - started));
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Math.min(pause, Math.max(0, deadline - System.nanoTime())));
      pause = Math.min(pause * 2, 5_000_000);
    }
  }

  /** Tells the publisher of an acknowledged message that this instance applied it. */
  private void acknowledge(long seq) {
    String key = ackKey(seq);
    redis.background("SADD ack", c -> c.sadd(key, bytes(instanceId)))
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
    publish(OP_PATTERN, "", List.of(pattern), () -> pendingPatterns.add(pattern));
  }

  void publishCache(String cacheName) {
    publish(OP_CACHE, cacheName, List.of(), () -> pendingCaches.add(cacheName));
  }

  void publishFlush() {
    publish(OP_FLUSH, "", List.of(), () -> pendingFlush.set(true));
  }

  void publishNamespace(String name, long version) {
    // A lost namespace message is replayed as a flush: every instance re-reads its versions.
    publish(OP_NAMESPACE, name, List.of(Long.toString(version)), () -> pendingFlush.set(true));
  }

  /* ---- Fallback channel ---- */

  private static final com.fasterxml.jackson.databind.ObjectMapper FALLBACK_JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

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
      redis.publishAsync(fallbackChannel, FALLBACK_JSON.writeValueAsString(fields)).whenComplete((n, error) -> {
        if (error == null) {
          fallbackSent.increment();
        }
      });
    } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private void onFallback(String message) {
    List<String> fields;
    try {
      fields = java.util.Arrays.asList(FALLBACK_JSON.readValue(message, String[].class));
    } catch (java.io.IOException | RuntimeException malformed) {
      log.debug("malformed fallback invalidation ignored");
      return;
    }
    if (fields.size() < 3 || instanceId.equals(fields.get(0))) {
      return;
    }
    received.increment();
    apply(fields.get(1), fields.get(2), fields.subList(3, fields.size()));
  }

  private void publish(String op, String cache, List<String> keys, Runnable onFailure) {
    publish(op, cache, keys, false, onFailure);
  }

  private CompletableFuture<Long> publish(String op, String cache, List<String> keys, boolean ack,
      Runnable onFailure) {
    byte[][] args = new byte[6 + keys.size()][];
    args[0] = bytes(Long.toString(maxLen));
    args[1] = bytes(instanceId);
    args[2] = bytes(op);
    args[3] = bytes(cache);
    args[4] = bytes(Long.toString(nowMicros()));
    args[5] = bytes(ack ? "1" : "0");
    for (int i = 0; i < keys.size(); i++) {
      args[6 + i] = bytes(keys.get(i));
    }
    return redis.async("XADD invalidation", c -> c.<Long>eval(PUBLISH, ScriptOutputType.INTEGER,
        new String[] {streamKey, seqKey}, args)).whenComplete((seq, error) -> {
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
        Map<String, List<String>> bySpace = new java.util.LinkedHashMap<>();
        for (String entry : entries) {
          int split = entry.indexOf('\u0000');
          bySpace.computeIfAbsent(entry.substring(0, split), space -> new ArrayList<>()).add(entry.substring(split + 1));
        }
        bySpace.forEach(this::publishKeys);
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

  private void readLoop() {
    long backoff = 50;
    while (running) {
      try {
        RedisTier.DedicatedConnection connection = readerConnection;
        if (connection == null || !connection.isOpen()) {
          if (!redis.available()) {
            sleep(backoff);
            continue;
          }
          // strict: a link that stopped moving is given up soon, so that catching up starts soon
          subscribeFallback();
          connection = redis.connectDedicated(Duration.ofMillis(blockMillis + (isStrict() ? 500 : 2_000)));
          readerConnection = connection;
          if (lastId == null) {
            RedisClusterCommands<String, String> commands = connection.sync();
            startPosition(commands.xrevrange(streamKey, Range.unbounded(), io.lettuce.core.Limit.create(0, 1)),
                () -> commands.get(seqKey));
            // a persistent level that verified itself meanwhile replays from its own position again
            flushAll("the invalidation stream could not be read since start-up", L3.REVERIFY);
          }
        }
        long sent = System.nanoTime();
        readSentNanos = sent;
        // After a recovery, read without blocking: the read that returns at once tells that the
        // reader has caught up, where a blocking one would return only after its block time.
        XReadArgs args = suspectSince != 0 ? XReadArgs.Builder.count(READ_COUNT)
            : XReadArgs.Builder.block(blockMillis).count(READ_COUNT);
        List<StreamMessage<String, String>> messages = connection.sync().xread(
            args, XReadArgs.StreamOffset.from(streamKey, lastId));
        readSentNanos = 0;
        // High priority first: an acknowledged eviction in this batch is applied (and acknowledged)
        // before the batch's other messages, which may be mass invalidations. Evictions commute,
        // so applying it again in order below changes nothing.
        for (StreamMessage<String, String> message : messages) {
          Map<String, String> body = message.getBody();
          if ("1".equals(body.get("ack")) && !instanceId.equals(body.get("src"))) {
            apply(body.get("op"), body.get("c"), keysOf(message));
            try {
              acknowledge(Long.parseLong(body.get("seq")));
            } catch (RuntimeException malformed) {
              // handle() below deals with it
            }
          }
        }
        for (StreamMessage<String, String> message : messages) {
          handle(message);
        }
        if (!messages.isEmpty()) {
          appliedL3(new PersistentLevel.Position(lastId, lastSeq));
        }
        if (messages.size() < READ_COUNT) {
          caughtUpNanos = sent; // every message appended before the read was sent is applied
        }
        backoff = 50;
      } catch (RuntimeException e) {
        if (!running) {
          break;
        }
        log.debug("coherence reader: {}", e.toString());
        RedisTier.DedicatedConnection broken = readerConnection;
        readerConnection = null;
        if (broken != null) {
          broken.closeAsync();
        }
        sleep(backoff);
        backoff = Math.min(backoff * 2, 1_000);
      }
    }
  }

  /** Starts after the newest message: what came before concerns values this instance never had. */
  private <V> void startPosition(List<StreamMessage<String, V>> newest, Supplier<String> seq) {
    if (!newest.isEmpty()) {
      lastId = newest.get(0).getId();
      V value = newest.get(0).getBody().get("seq");
      lastSeq = Long.parseLong(value instanceof byte[] bytes ? new String(bytes, StandardCharsets.US_ASCII)
          : String.valueOf(value));
    } else {
      lastId = "0-0";
      String current = seq.get();
      lastSeq = current == null ? 0 : Long.parseLong(current);
    }
  }

  private void handle(StreamMessage<String, String> message) {
    lastId = message.getId();
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
      flushAll(seq <= lastSeq
          ? "the invalidation sequence restarted at " + seq + " after " + lastSeq + " (Redis restarted or failed over)"
          : "invalidation messages " + (lastSeq + 1) + ".." + (seq - 1) + " may be lost", seq <= lastSeq ? L3.KEEP : L3.DROP);
    }
    lastSeq = seq;
    if (instanceId.equals(body.get("src"))) {
      return;
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
      default -> flushAll("an invalidation message with an unknown operation '" + op + "'", L3.DROP);
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
        if (spaceAndKey[0].isEmpty()) {
          for (CacheGroup group : groups.get()) {
            group.evict(spaceAndKey[1]);
          }
        } else {
          groupsByName.get(spaceAndKey[0]).evict(spaceAndKey[1]);
        }
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
          default -> { }
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

  @Override
  public String streamIdentity() {
    return streamKey;
  }

  /** Entries read per XRANGE of a replay. */
  private static final int REPLAY_PAGE = 1_000;

  /**
   * Replays into a persistent level every message after {@code from}, checking that their
   * sequence numbers follow on from {@code from}'s: the first that does not means messages the
   * level needed are gone (trimmed, or Redis lost its data while this instance was down), and the
   * level must be emptied. Bounded: the stream holds at most about {@code invalidationStreamLength}
   * messages. The messages published after the level's cache was registered reach it through the
   * reader as well, so reading to the end seen here is enough.
   */
  @Override
  public PersistentLevel.Replay replay(PersistentLevel.Position from, PersistentLevel into) {
    return redis.call("XRANGE (l3 replay)", c -> {
      if (from == null) {
        return new PersistentLevel.Replay(marked(c), null);
      }
      if (from.seq() <= 0) {
        // positioned before any message: a Redis restarted meanwhile would look the same
        return new PersistentLevel.Replay(marked(c), "it was positioned before the first invalidation message");
      }
      String id = from.id();
      long seq = from.seq();
      for (int round = 0; round < 10; round++) {
        while (true) {
          io.lettuce.core.Range<String> after = io.lettuce.core.Range.from(
              io.lettuce.core.Range.Boundary.excluding(id), io.lettuce.core.Range.Boundary.unbounded());
          List<StreamMessage<String, byte[]>> page = c.xrange(streamKey, after,
              io.lettuce.core.Limit.create(0, REPLAY_PAGE));
          for (StreamMessage<String, byte[]> message : page) {
            Map<String, byte[]> body = message.getBody();
            long next;
            try {
              next = Long.parseLong(text(body.get("seq")));
            } catch (RuntimeException malformed) {
              return new PersistentLevel.Replay(marked(c), "a malformed invalidation message " + message.getId());
            }
            if (next != seq + 1) {
              return new PersistentLevel.Replay(marked(c), next <= seq
                  ? "the invalidation sequence restarted (Redis restarted or was flushed while this instance was down)"
                  : "the invalidations after " + seq + " it needed are no longer in the stream (trimmed)");
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
        byte[] counter = c.get(seqKey);
        long current = counter == null ? 0 : Long.parseLong(text(counter));
        if (current == seq) {
          return new PersistentLevel.Replay(new PersistentLevel.Position(id, seq), null);
        }
        if (current < seq) {
          return new PersistentLevel.Replay(marked(c),
              "the invalidation sequence restarted (Redis restarted or was flushed while this instance was down)");
        }
        // published after the last page was read, or the stream lost entries the counter counted: read again
      }
      return new PersistentLevel.Replay(marked(c), "the invalidation stream and its sequence disagree");
    });
  }

  /**
   * {@link #end}, after publishing an empty message if the stream has none yet: a level is never
   * positioned at sequence 0, which a Redis restarted (or flushed) while its instance was down
   * would reproduce, so that a restart is always told from "nothing happened". The other readers
   * see one more message without keys.
   */
  private PersistentLevel.Position marked(RedisClusterCommands<String, byte[]> c) {
    PersistentLevel.Position end = end(c);
    if (end.seq() > 0) {
      return end;
    }
    c.eval(PUBLISH, ScriptOutputType.INTEGER, new String[] {streamKey, seqKey}, bytes(Long.toString(maxLen)),
        bytes(instanceId), bytes(OP_KEYS), bytes(""), bytes(Long.toString(nowMicros())));
    return end(c);
  }

  /** Where the stream ends now: its newest entry, or the sequence counter of an empty stream. */
  private PersistentLevel.Position end(RedisClusterCommands<String, byte[]> c) {
    List<StreamMessage<String, byte[]>> newest = c.xrevrange(streamKey, Range.unbounded(),
        io.lettuce.core.Limit.create(0, 1));
    if (!newest.isEmpty()) {
      return new PersistentLevel.Position(newest.get(0).getId(), Long.parseLong(text(newest.get(0).getBody().get("seq"))));
    }
    byte[] counter = c.get(seqKey);
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
    long pending = pendingKeys.size() + pendingPatterns.size() + pendingCaches.size() + (pendingFlush.get() ? 1 : 0);
    return new CoherenceStats(mode, instanceId, sent.sum(), received.sum(), tracked.sum(), gapFlushes.sum(),
        pending, p50, p99, p999, max, n);
  }

  private static long nowMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

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
    try {
      // bookkeeping: a Redis that is down at close is no news worth a warning
      redis.background("ZREM live", c -> c.zrem(liveKey(), bytes(instanceId))).get(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
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
    reader.interrupt();
    RedisTier.DedicatedConnection connection = readerConnection;
    if (connection != null) {
      connection.close();
    }
    try {
      reader.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
