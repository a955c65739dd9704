package io.tiercache.internal.redis;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.tiercache.Keys;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What must be deleted from Redis once it answers again, because a write or a delete failed
 * while it was away: keys, patterns (an {@code invalidateAll} or a pattern invalidation), or, past
 * the bound, every key under the prefix. {@link RedisTier} replays them before its breaker closes.
 */
final class PendingDeletes {

  private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
  private static final int BATCH = 500;

  /** A pattern delete that could not run: replayed when Redis is back, then announced. */
  record Pattern(String pattern, Predicate<String> filter, Runnable announce) {}

  /** How a replay deletes the keys matching a pattern ({@code SCAN} + {@code UNLINK}). */
  interface ScanDelete {
    long delete(
        RedisClusterCommands<String, byte[]> redis, String pattern, Predicate<String> filter);
  }

  private final String prefix;
  private final int max;
  private final Set<String> keys = ConcurrentHashMap.newKeySet();
  private final Set<Pattern> patterns = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean overflow = new AtomicBoolean();

  PendingDeletes(String prefix, int max) {
    this.prefix = prefix;
    this.max = max;
  }

  int size() {
    return keys.size();
  }

  boolean isEmpty() {
    return keys.isEmpty() && patterns.isEmpty();
  }

  /** Remembers a key; past the bound, remembers instead that every key under the prefix must go. */
  void remember(String key) {
    if (keys.size() >= max) {
      if (overflow.compareAndSet(false, true)) {
        log.warn(
            "more than {} keys changed while Redis was unavailable; every key under '{}:' "
                + "will be deleted when it is back",
            max,
            prefix);
      }
    } else {
      keys.add(key);
    }
  }

  void rememberPattern(String pattern, Predicate<String> filter, Runnable announce) {
    patterns.add(new Pattern(pattern, filter, announce));
  }

  /**
   * Deletes everything remembered, on {@code redis}: every key under the prefix after an
   * overflow; else the patterns (each announced once deleted), then the keys in batches.
   *
   * @throws RuntimeException as the commands do; what was not deleted stays remembered
   */
  void replay(
      RedisClusterCommands<String, byte[]> redis,
      ScanDelete scanDelete,
      RedisTier.ReplayListener listener) {
    if (overflow.get()) {
      long deleted = scanDelete.delete(redis, Keys.escapeGlob(prefix) + ":*", null);
      overflow.set(false);
      keys.clear();
      patterns.clear();
      log.warn(
          "deleted {} keys under '{}:' after an outage with too many changes to track",
          deleted,
          prefix);
      if (listener != null) {
        listener.deletedAll();
      }
      return;
    }
    for (Pattern pending : patterns) {
      scanDelete.delete(redis, pending.pattern(), pending.filter());
      patterns.remove(pending);
      if (pending.announce() != null) {
        pending.announce().run();
      }
    }
    while (!keys.isEmpty()) {
      List<String> batch = new ArrayList<>(BATCH);
      Iterator<String> it = keys.iterator();
      while (it.hasNext() && batch.size() < BATCH) {
        batch.add(it.next());
      }
      redis.unlink(batch.toArray(new String[0]));
      batch.forEach(keys::remove);
      if (listener != null) {
        listener.deleted(batch);
      }
    }
  }
}
