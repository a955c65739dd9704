package io.tiercache;

import io.tiercache.redis.RedisTier;
import java.util.ArrayList;
import java.util.HashMap;
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
 */
final class WriteBackQueue {

  private static final Logger log = LoggerFactory.getLogger(WriteBackQueue.class);

  /** Creates the queue of a group; supplied by the owning {@link DefaultTierCache}. */
  interface Factory {
    WriteBackQueue create(CacheGroup group);
  }

  /** One acknowledged write. */
  record Pending(Object key, Object value, String redisKey, byte[] frame, long ttlMillis) {}

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
  WriteBackQueue(CacheGroup group, RedisTier redis, ScheduledExecutorService scheduler, ExecutorService flusher) {
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
    if (dirty.size() >= group.spec.writeBackBatchSize() && flushRequested.compareAndSet(false, true)) {
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
          log.error("write-back of cache '{}' key '{}' failed after {} attempts and was dropped "
              + "(set a deadLetterListener to keep it)", group.name, e.getKey(),
              group.spec.writeBackMaxAttempts(), failure);
        }
        dirty.remove(e.getKey(), p);
      }
      return;
    }
    writeRedis(batch);
    for (Map.Entry<String, Pending> e : batch) {
      dirty.remove(e.getKey(), e.getValue());
    }
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
        log.warn("write-back of {} entries of cache '{}' failed (attempt {} of {}): {}", values.size(),
            group.name, attempt, group.spec.writeBackMaxAttempts(), e.toString());
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

  private void writeRedis(List<Map.Entry<String, Pending>> batch) {
    if (redis == null) {
      return;
    }
    Map<String, byte[]> frames = new HashMap<>();
    Map<String, Long> ttls = new HashMap<>();
    for (Map.Entry<String, Pending> e : batch) {
      frames.put(e.getValue().redisKey(), e.getValue().frame());
      ttls.put(e.getValue().redisKey(), e.getValue().ttlMillis());
    }
    try {
      redis.setAll(frames, ttls, false);
      if (group.coherence != null) {
        List<String> keys = new ArrayList<>(batch.size());
        batch.forEach(e -> keys.add(e.getKey()));
        group.coherence.publishKeys(group.space, keys);
      }
    } catch (RedisUnavailableException e) {
      group.stats.degraded.increment();
      frames.keySet().forEach(redis::rememberDelete);
    }
  }
}
