package io.tiercache.toolkit;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.tiercache.RedisUnavailableException;
import io.tiercache.internal.redis.RedisTier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Counters} on Redis strings. A single increment is one command's worth of work: a plain
 * {@code INCRBY} when the counter has no TTL, else a two-command script that creates the key with its
 * TTL ({@code SET NX PX}) before {@code INCRBY}, so the TTL is set on creation only unless asked; an
 * overflow or a non-integer value becomes our own exception. A batched flush runs a script per key
 * that notes whether the key existed and runs {@code INCRBY} under {@code redis.pcall}, so that one
 * bad key does not fail the pipeline (any other error, such as out of memory, is raised again).
 *
 * <p>Batched deltas live in a {@link ConcurrentHashMap} updated with {@code merge}; a flush takes
 * each entry out with {@code remove}, so an {@link #add} racing with a flush lands either in the
 * flushed sum or in a new entry, never nowhere. Deltas whose write fails are merged back.
 */
final class RedisCounters implements Counters {

  private static final Logger log = LoggerFactory.getLogger(RedisCounters.class);

  // KEYS[1] counter; ARGV: delta, ttl ms (0 = none), refresh (1/0). Returns {status, value}:
  // status 0 ok, 1 overflow, 2 not an integer. Any other error (out of memory under noeviction)
  // is raised again: it says nothing about the counter, and a batched delta must be kept for it.
  private static final Script INCREMENT = new Script("""
      local existed = redis.call('EXISTS', KEYS[1])
      local v = redis.pcall('INCRBY', KEYS[1], ARGV[1])
      if type(v) == 'table' and v.err then
        if string.find(v.err, 'overflow') then return {1, 0} end
        if string.find(v.err, 'not an integer') or string.find(v.err, 'WRONGTYPE') then return {2, 0} end
        return redis.error_reply(v.err)
      end
      local ttl = tonumber(ARGV[2])
      if ttl > 0 and (existed == 0 or ARGV[3] == '1') then
        redis.call('PEXPIRE', KEYS[1], ttl)
      end
      return {0, v}
      """);

  // The single increment with a TTL set on creation: one EVALSHA, an integer reply (no list to
  // build or read), SET NX PX creating the key with its TTL and INCRBY in one atomic step, so that
  // a
  // counter that expires between them cannot come back without a TTL. Errors are Redis's own
  // (overflow, not an integer, WRONGTYPE), read from the message.
  private static final Script INCREMENT_CREATING = new Script("""
      redis.call('SET', KEYS[1], '0', 'NX', 'PX', ARGV[2])
      return redis.call('INCRBY', KEYS[1], ARGV[1])
      """);

  // The single increment that refreshes the TTL each time.
  private static final Script INCREMENT_REFRESHING = new Script("""
      local v = redis.call('INCRBY', KEYS[1], ARGV[1])
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return v
      """);

  private static final byte[] ONE = Names.utf8(1);
  private static final byte[] MINUS_ONE = Names.utf8(-1);

  private final RedisTier redis;
  private final String prefix;
  private final CounterSpec spec;
  private final byte[] ttlBytes;
  private final Map<String, Long> pending = new ConcurrentHashMap<>();
  private final AtomicReference<ScheduledFuture<?>> flusher = new AtomicReference<>();

  RedisCounters(
      RedisTier redis, String prefix, CounterSpec spec, ScheduledExecutorService scheduler) {
    this.redis = redis;
    this.prefix = prefix;
    this.spec = spec;
    this.ttlBytes = Names.utf8(spec.ttl().toMillis());
    if (spec.batched()) {
      long period = spec.batchInterval().toMillis();
      flusher.set(scheduler.scheduleWithFixedDelay(
          this::flushQuietly, period, period, TimeUnit.MILLISECONDS));
    }
  }

  /** Keys of the counters used most, so that an increment builds no string; bounded. */
  private final Map<String, String> keys = new ConcurrentHashMap<>();

  private static final int MAX_CACHED_KEYS = 4_096;

  private String key(String name) {
    String key = keys.get(Names.requireName(name, "name"));
    if (key == null) {
      key = Names.key(prefix, "counter", name);
      if (keys.size() < MAX_CACHED_KEYS) {
        keys.put(name, key);
      }
    }
    return key;
  }

  /**
   * One round trip at the cost of the raw command: a plain {@code INCRBY} without a TTL; with one, a
   * two-command script ({@code SET NX PX} then {@code INCRBY}, or {@code INCRBY} then
   * {@code PEXPIRE} when the TTL is refreshed) with an integer reply.
   */
  @Override
  public long incrementBy(String name, long delta) {
    String key = key(name);
    long ttl = spec.ttl().toMillis();
    try {
      if (ttl == 0) {
        return redis.call("counter INCRBY", r -> r.incrby(key, delta));
      }
      Script script = spec.refreshTtl() ? INCREMENT_REFRESHING : INCREMENT_CREATING;
      byte[] by = delta == 1 ? ONE : delta == -1 ? MINUS_ONE : Names.utf8(delta);
      Long value = redis.call(
          "counter INCRBY",
          r -> script.run(r, ScriptOutputType.INTEGER, new String[] {key}, by, ttlBytes));
      return value;
    } catch (RedisUnavailableException e) {
      String reply = e.getCause() instanceof RedisCommandExecutionException cause
          ? String.valueOf(cause.getMessage())
          : "";
      if (reply.contains("overflow")) {
        throw new ArithmeticException(
            "counter '" + name + "' would overflow a signed 64-bit integer");
      }
      if (reply.contains("not an integer") || reply.contains("WRONGTYPE")) {
        throw notAnInteger(name);
      }
      throw e;
    }
  }

  private byte[] refreshFlag() {
    return Names.utf8(spec.refreshTtl() ? 1 : 0);
  }

  @Override
  public void add(String name, long delta) {
    String key = key(name);
    if (!spec.batched()) {
      incrementBy(name, delta);
      return;
    }
    if (delta != 0) {
      pending.merge(key, delta, RedisCounters::sumOrFlag);
    }
  }

  private static Long sumOrFlag(Long a, Long b) {
    return Math.addExact(a, b);
  }

  @Override
  public long get(String name) {
    String key = key(name);
    byte[] value;
    try {
      value = redis.call("counter GET", r -> r.get(key));
    } catch (RedisUnavailableException e) {
      if (e.getCause() != null
          && String.valueOf(e.getCause().getMessage()).startsWith("WRONGTYPE")) {
        throw notAnInteger(name); // another client stored a list, a hash... under the counter's key
      }
      throw e;
    }
    long local = pending.getOrDefault(key, 0L);
    if (value == null) {
      return local;
    }
    try {
      return Math.addExact(Long.parseLong(new String(value, StandardCharsets.US_ASCII)), local);
    } catch (NumberFormatException e) {
      throw notAnInteger(name);
    }
  }

  private static IllegalStateException notAnInteger(String name) {
    return new IllegalStateException("counter '" + name + "' holds a value that is not an integer; "
        + "set(name, value) or delete(name) replaces it");
  }

  @Override
  public void set(String name, long value) {
    String key = key(name);
    pending.remove(key);
    long ttl = spec.ttl().toMillis();
    redis.call(
        "counter SET",
        r -> ttl > 0
            ? r.set(key, Names.utf8(value), SetArgs.Builder.px(ttl))
            : r.set(key, Names.utf8(value)));
  }

  @Override
  public boolean delete(String name) {
    String key = key(name);
    pending.remove(key);
    return redis.call("counter DEL", r -> r.del(key)) > 0;
  }

  @Override
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<String, Long> batch = new ConcurrentHashMap<>();
    for (String key : pending.keySet()) {
      Long delta = pending.remove(key);
      if (delta != null && delta != 0) {
        batch.put(key, delta);
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>(batch.keySet());
    List<RedisFuture<?>> sent = new ArrayList<>(keys.size());
    byte[] ttl = Names.utf8(spec.ttl().toMillis());
    byte[] refresh = refreshFlag();
    RedisUnavailableException failure = null;
    try {
      redis.pipeline(
          "counter flush",
          r -> {
            for (String key : keys) {
              // EVAL, not EVALSHA: a pipelined NOSCRIPT could not fall back.
              sent.add(r.eval(
                  INCREMENT.source(),
                  ScriptOutputType.MULTI,
                  new String[] {key},
                  Names.utf8(batch.get(key)),
                  ttl,
                  refresh));
            }
            return sent;
          },
          futures -> null);
    } catch (RedisUnavailableException e) {
      failure = e;
    }
    int requeued = 0;
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      if (!applied(i < sent.size() ? sent.get(i) : null, key)) {
        pending.merge(key, batch.get(key), RedisCounters::sumOrFlag);
        requeued++;
      }
    }
    if (failure != null) {
      throw new RedisUnavailableException(
          "counter flush: " + requeued + " of " + keys.size()
              + " counters kept in memory for the next flush (" + failure.getMessage() + ")",
          failure);
    }
  }

  /** Whether one pipelined increment is known to have run; a lost reply counts as not run. */
  private boolean applied(RedisFuture<?> future, String key) {
    if (future == null || !future.isDone()) {
      return false;
    }
    try {
      Object reply = future.get();
      long status = (Long) ((List<?>) reply).get(0);
      if (status != 0) {
        // Cannot become right by retrying: drop the delta, loudly.
        log.error(
            "counter key '{}' rejected a batched delta ({}); the delta is dropped",
            key,
            status == 1 ? "overflow" : "not an integer");
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RedisUnavailableException e) {
      log.debug("counter deltas not written yet: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.error("counter flush failed", e);
    }
  }

  @Override
  public int pendingCount() {
    return pending.size();
  }

  @Override
  public CounterSpec spec() {
    return spec;
  }

  /** Stops the periodic flush and writes what is left; logs what could not be written. */
  void close() {
    ScheduledFuture<?> task = flusher.getAndSet(null);
    if (task != null) {
      task.cancel(false);
    }
    try {
      flush();
    } catch (RedisUnavailableException e) {
      long lost = pending.values().stream().mapToLong(Math::abs).sum();
      log.error(
          "counters closed while Redis is unavailable: {} counters (total |delta| {}) were not "
              + "written",
          pending.size(),
          lost);
    } catch (RejectedExecutionException e) {
      log.error("counter flush rejected at close", e);
    }
  }
}
