package io.tiercache;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.tiercache.internal.redis.RedisTier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-back queue of one cache: a map of dirty keys (so writes to one key coalesce into the
 * latest), flushed in batches to the writer and then to Redis.
 *
 * <p>Guarantees: an entry leaves the map only after the writer accepted it (or it was handed to
 * the dead-letter listener after the last attempt), and only if no newer value replaced it in the
 * meantime, so the writer always ends up with the last value of every key. When the map holds
 * {@code capacity} keys, a {@code put} of a new key first runs a flush on the caller's thread.
 *
 * <p>Several instances writing one key: every put carries a version (the wall clock in
 * microseconds, made strictly increasing per process). Before a batch goes to the writer, one
 * script per key claims its version in Redis ({@code prefix:__tc:wbv:{redis key}}) and fails if a
 * newer one was claimed already: such an entry was overtaken by a later write of another
 * instance, and is dropped instead of being written over it, here and in L1. The L2 write then
 * replaces the value only while its version is still the claimed one. So the writer and Redis are
 * never given an older value of a key after a newer one, as long as the instances' clocks agree to
 * better than the time between two writes of one key (writers serialised by a row lock are) and
 * Redis is reachable; while it is not, entries are written as before, in flush order.
 */
final class WriteBackQueue {

  private static final Logger log = LoggerFactory.getLogger(WriteBackQueue.class);

  /** Creates the queue of a group; supplied by the owning {@link DefaultTierCache}. */
  interface Factory {
    WriteBackQueue create(CacheGroup group);
  }

  /** One acknowledged write. */
  record Pending(
      Object key, Object value, String redisKey, byte[] frame, long ttlMillis, long version) {}

  private static final AtomicLong LAST_VERSION = new AtomicLong();

  /** A version later than every earlier one of this process, near the wall clock in microseconds. */
  static long nextVersion() {
    Instant now = Instant.now();
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    return LAST_VERSION.updateAndGet(last -> Math.max(micros, last + 1));
  }

  /** Claims a version: 1 if no newer one was claimed for the key, else 0. */
  private static final String CLAIM = String.join(
      "\n",
      "local v = redis.call('GET', KEYS[1])",
      "if v and tonumber(v) >= tonumber(ARGV[1]) then return 0 end",
      "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
      "return 1");
  /** Writes the value while the claimed version is still the key's. */
  private static final String WRITE_IF_CLAIMED = String.join(
      "\n",
      "if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end",
      "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
      "return 1");
  /** Versions are kept at least this long, past which an older write could no longer be queued. */
  private static final long MIN_VERSION_TTL_MILLIS = 3_600_000L;

  private final CacheGroup group;
  private final CacheWriter<Object, Object> writer;
  private final DeadLetterListener<Object, Object> deadLetters;
  private final RedisTier redis;
  private final ExecutorService flusher;
  private final ConcurrentHashMap<String, Pending> dirty = new ConcurrentHashMap<>();
  private final ReentrantLock flushLock = new ReentrantLock();
  private final AtomicBoolean flushRequested = new AtomicBoolean();
  private final ScheduledFuture<?> periodic;

  @SuppressWarnings("unchecked")
  WriteBackQueue(
      CacheGroup group,
      RedisTier redis,
      ScheduledExecutorService scheduler,
      ExecutorService flusher) {
    this.group = group;
    this.writer = (CacheWriter<Object, Object>) group.spec.writer();
    this.deadLetters = (DeadLetterListener<Object, Object>) group.spec.deadLetterListener();
    this.redis = group.spec.l2Enabled() ? redis : null;
    this.flusher = flusher;
    long period = group.spec.writeBackInterval().toMillis();
    this.periodic = scheduler.scheduleWithFixedDelay(
        () -> flusher.execute(this::flushQuietly), period, period, TimeUnit.MILLISECONDS);
  }

  /** Queues a write; runs a flush on the caller's thread first when the queue is full. */
  void put(String key, Pending pending) {
    if (dirty.size() >= group.spec.writeBackCapacity() && !dirty.containsKey(key)) {
      flush();
    }
    dirty.put(key, pending);
    if (dirty.size() >= group.spec.writeBackBatchSize()
        && flushRequested.compareAndSet(false, true)) {
      flusher.execute(() -> {
        flushRequested.set(false);
        flushQuietly();
      });
    }
  }

  /** The pending write of {@code key}, or null. */
  Pending pending(String key) {
    return dirty.isEmpty() ? null : dirty.get(key);
  }

  /** Keys waiting. */
  int depth() {
    return dirty.size();
  }

  /** Writes every entry queued before the call (and any that arrive meanwhile, up to as many). */
  void flush() {
    flushLock.lock();
    try {
      int batch = group.spec.writeBackBatchSize();
      int rounds = (dirty.size() + batch - 1) / batch;
      for (int i = 0; i < rounds && !dirty.isEmpty(); i++) {
        flushBatch(batch);
      }
    } finally {
      flushLock.unlock();
    }
  }

  /** Stops the periodic flush and drains the queue. */
  void close() {
    periodic.cancel(false);
    flush();
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      log.error("write-back flush of cache '{}' failed: {}", group.name, e.toString(), e);
    }
  }

  private void flushBatch(int size) {
    List<Map.Entry<String, Pending>> batch = new ArrayList<>(Math.min(size, dirty.size()));
    Iterator<Map.Entry<String, Pending>> it = dirty.entrySet().iterator();
    while (it.hasNext() && batch.size() < size) {
      Map.Entry<String, Pending> e = it.next();
      batch.add(Map.entry(e.getKey(), e.getValue()));
    }
    if (batch.isEmpty()) {
      return;
    }
    List<Map.Entry<String, Pending>> claimed = claimed(batch);
    boolean versioned = claimed != batch;
    batch = claimed;
    if (batch.isEmpty()) {
      return;
    }
    Map<Object, Object> values = new LinkedHashMap<>();
    for (Map.Entry<String, Pending> e : batch) {
      values.put(e.getValue().key(), e.getValue().value());
    }
    RuntimeException failure = writeWithRetries(values);
    if (failure != null) {
      for (Map.Entry<String, Pending> e : batch) {
        Pending p = e.getValue();
        group.stats.deadLetters.increment();
        if (deadLetters != null) {
          try {
            deadLetters.onDeadLetter(group.name, p.key(), p.value(), failure);
          } catch (RuntimeException listenerFailure) {
            log.error("dead-letter listener of cache '{}' threw", group.name, listenerFailure);
          }
        } else {
          log.error(
              "write-back of cache '{}' key '{}' failed after {} attempts and was dropped "
                  + "(set a deadLetterListener to keep it)",
              group.name,
              e.getKey(),
              group.spec.writeBackMaxAttempts(),
              failure);
        }
        dirty.remove(e.getKey(), p);
      }
      return;
    }
    writeRedis(batch, versioned);
    // the writer has the values: the persistent level may keep them (not before: an entry the
    // writer never took must not outlive this process)
    for (Map.Entry<String, Pending> e : batch) {
      if (dirty.get(e.getKey()) == e.getValue()) {
        group.l3.put(e.getKey(), e.getValue().frame(), e.getValue().ttlMillis());
      }
    }
    for (Map.Entry<String, Pending> e : batch) {
      dirty.remove(e.getKey(), e.getValue());
    }
  }

  /** The version key of a Redis key: under Tiercache's own keys, in the same cluster slot when it can be. */
  private String versionKey(String redisKey) {
    return ReservedKeys.writeBackVersion(group.keyPrefix, redisKey);
  }

  private boolean sameSlot(String redisKey) {
    return !redis.isCluster() || RedisTier.slot(redisKey) == RedisTier.slot(versionKey(redisKey));
  }

  /**
   * The entries of the batch whose version no other instance overtook; the overtaken ones leave
   * the queue and L1 (another instance wrote a later value of the key). With Redis unreachable
   * or refusing the claims (full), the batch itself, unclaimed.
   */
  private List<Map.Entry<String, Pending>> claimed(List<Map.Entry<String, Pending>> batch) {
    if (redis == null || !redis.available()) {
      return batch;
    }
    List<Object> answers;
    try {
      answers = redis.pipeline(
          "claim write-back versions",
          async -> {
            List<RedisFuture<?>> futures = new ArrayList<>(batch.size());
            for (Map.Entry<String, Pending> e : batch) {
              Pending p = e.getValue();
              futures.add(async.eval(
                  CLAIM,
                  ScriptOutputType.INTEGER,
                  new String[] {versionKey(p.redisKey())},
                  bytes(Long.toString(p.version())),
                  bytes(Long.toString(Math.max(p.ttlMillis(), MIN_VERSION_TTL_MILLIS)))));
            }
            return futures;
          },
          futures -> {
            List<Object> results = new ArrayList<>(futures.size());
            for (RedisFuture<?> future : futures) {
              results.add(future.toCompletableFuture().join());
            }
            return results;
          });
    } catch (RedisUnavailableException e) {
      return batch; // written in flush order, as without Redis
    }
    List<Map.Entry<String, Pending>> kept = new ArrayList<>(batch.size()); // a new list: claimed
    for (int i = 0; i < batch.size(); i++) {
      Map.Entry<String, Pending> e = batch.get(i);
      if (Long.valueOf(1).equals(answers.get(i))) {
        kept.add(e);
      } else if (dirty.remove(e.getKey(), e.getValue())) {
        group.evict(e.getKey());
        log.debug(
            "write-back of cache '{}' key '{}' was overtaken by a later write of another instance",
            group.name,
            e.getKey());
      }
    }
    return kept;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private RuntimeException writeWithRetries(Map<Object, Object> values) {
    long backoff = group.spec.writeBackBackoff().toMillis();
    RuntimeException last = null;
    for (int attempt = 1; attempt <= group.spec.writeBackMaxAttempts(); attempt++) {
      try {
        writer.writeAll(values);
        return null;
      } catch (RuntimeException e) {
        last = e;
        log.warn(
            "write-back of {} entries of cache '{}' failed (attempt {} of {}): {}",
            values.size(),
            group.name,
            attempt,
            group.spec.writeBackMaxAttempts(),
            e.toString());
        if (attempt < group.spec.writeBackMaxAttempts()) {
          try {
            Thread.sleep(backoff);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return e;
          }
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    }
    return last;
  }

  /**
   * SET of each entry; with {@code versioned}, only while its claimed version is still the key's
   * (a plain SET where the keys' slots differ). Unclaimed entries take a plain SET, which a full
   * Redis refuses, so that the key is deleted instead.
   */
  private void writeIfClaimed(List<Map.Entry<String, Pending>> batch, boolean versioned) {
    redis.pipeline(
        "SET (write-back)",
        async -> {
          List<RedisFuture<?>> futures = new ArrayList<>(batch.size());
          for (Map.Entry<String, Pending> e : batch) {
            Pending p = e.getValue();
            if (versioned && sameSlot(p.redisKey())) {
              futures.add(async.eval(
                  WRITE_IF_CLAIMED,
                  ScriptOutputType.INTEGER,
                  new String[] {p.redisKey(), versionKey(p.redisKey())},
                  p.frame(),
                  bytes(Long.toString(p.ttlMillis())),
                  bytes(Long.toString(p.version()))));
            } else {
              futures.add(async.set(p.redisKey(), p.frame(), SetArgs.Builder.px(p.ttlMillis())));
            }
          }
          return futures;
        },
        futures -> {
          for (RedisFuture<?> future : futures) {
            future.toCompletableFuture().join(); // surfaces an error reply
          }
          return null;
        });
  }

  private void writeRedis(List<Map.Entry<String, Pending>> batch, boolean versioned) {
    List<String> keys = new ArrayList<>(batch.size());
    batch.forEach(e -> keys.add(e.getKey()));
    group.l2.changed(keys, () -> writeIfClaimed(batch, versioned));
  }
}
