package io.tiercache.toolkit;

import io.lettuce.core.ScriptOutputType;
import io.tiercache.RedisUnavailableException;
import io.tiercache.internal.redis.RedisTier;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Locks} on Redis strings. The lock key holds a random owner id; the fence key holds the
 * last fencing token and never expires, so tokens keep increasing across the lock's lifetimes. If
 * the fence key is lost all the same (evicted, a restart without persistence), the next token
 * comes from the server's clock and is still larger than every earlier one.
 */
final class RedisLocks implements Locks {

  private static final Logger log = LoggerFactory.getLogger(RedisLocks.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  // KEYS: lock, fence; ARGV: owner, lease ms. Returns the fencing token, 0 if the lock is taken,
  // or -1 if the fence holds the largest long (the lock is then not taken either).
  //
  // While the fence key holds an integer, the token is that integer + 1 (INCR). Without one
  // (never acquired, evicted under allkeys-*, lost in a restart without persistence, or replaced
  // by something that is not an integer) the token is the server's clock in microseconds. That is
  // larger than every earlier token: those were a clock reading plus one per acquisition since,
  // and every acquisition takes the server more than a microsecond (a SET NX, and a release or an
  // expiry before the next one). This holds as long as the server's clock does not go back and
  // nothing else wrote a larger number into the fence. A microsecond count is exact in a Lua
  // number until the year 2255. TIME is non-deterministic, so the script must replicate its
  // effects: the default since Redis 5 and the only mode since 7 (where replicate_commands() is a
  // no-op); the call keeps servers with lua-replicate-commands off working.
  private static final Script ACQUIRE = new Script("""
      if redis.replicate_commands then redis.replicate_commands() end
      if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
        return 0
      end
      if redis.call('EXISTS', KEYS[2]) == 1 then
        local token = redis.pcall('INCR', KEYS[2])
        if type(token) == 'number' then return token end
        if string.find(token.err, 'overflow') then
          redis.call('DEL', KEYS[1])
          return -1
        end
      end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      redis.call('SET', KEYS[2], string.format('%.0f', now))
      return now
      """);

  // KEYS: lock; ARGV: owner. Deletes only the caller's own lock.
  private static final Script RELEASE = new Script("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0
      """);

  // KEYS: lock; ARGV: owner, lease ms. Extends only the caller's own lock.
  private static final Script RENEW = new Script("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return 0
      """);

  private final RedisTier redis;
  private final String prefix;
  private final ScheduledExecutorService scheduler;
  private final Set<HeldLock> held = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  RedisLocks(RedisTier redis, String prefix, ScheduledExecutorService scheduler) {
    this.redis = redis;
    this.prefix = prefix;
    this.scheduler = scheduler;
  }

  @Override
  public Lock acquire(String name, LockSpec spec) {
    Names.requireName(name, "name");
    Names.requireNonNull(spec, "spec");
    return attempt(name, spec)
        .orElseThrow(() -> new LockNotAcquiredException(
            Thread.currentThread().isInterrupted()
                ? "interrupted while waiting for lock '" + name + "'"
                : "lock '" + name + "' was still held by another owner after waiting "
                    + spec.maxWait()));
  }

  @Override
  public Optional<Lock> tryAcquire(String name, LockSpec spec) {
    Names.requireName(name, "name");
    Names.requireNonNull(spec, "spec");
    return attempt(name, spec);
  }

  private Optional<Lock> attempt(String name, LockSpec spec) {
    if (closed) {
      throw new IllegalStateException("the toolkit is closed: locks can no longer be acquired");
    }
    String key = Names.taggedKey(prefix, "lock", name);
    String fence = Names.taggedKey(prefix, "lock_fence", name); // same slot as the lock
    byte[] owner = ownerId();
    long leaseMillis = spec.lease().toMillis();
    long deadline = System.nanoTime() + spec.maxWait().toNanos();
    long retryNanos = spec.retryInterval().toNanos();
    while (true) {
      long start = System.nanoTime();
      long token = redis.call(
          "lock acquire",
          r -> ACQUIRE.<Long>run(
              r,
              ScriptOutputType.INTEGER,
              new String[] {key, fence},
              owner,
              Names.utf8(leaseMillis)));
      if (token > 0) {
        return Optional.of(hold(name, key, owner, token, spec, start));
      }
      if (token < 0) {
        throw new IllegalStateException("lock '" + name + "' cannot be acquired: its fence key "
            + fence + " holds " + Long.MAX_VALUE
            + ", the largest fencing token, so no later holder could get a larger one");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || Thread.currentThread().isInterrupted()) {
        return Optional.empty();
      }
      long pause = ThreadLocalRandom.current().nextLong(retryNanos / 2, retryNanos + 1);
      LockSupport.parkNanos(Math.min(left, Math.max(1, pause)));
      if (Thread.currentThread().isInterrupted()) {
        return Optional.empty();
      }
    }
  }

  private static byte[] ownerId() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return Base64.getUrlEncoder().withoutPadding().encode(id);
  }

  private HeldLock hold(
      String name, String key, byte[] owner, long token, LockSpec spec, long start) {
    HeldLock lock = new HeldLock(name, key, owner, token, spec, start);
    if (spec.renew()) {
      long period = Math.max(1, spec.lease().toMillis() / 3);
      held.add(lock);
      try {
        lock.renewal =
            scheduler.scheduleWithFixedDelay(lock::renew, period, period, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        held.remove(lock);
        log.warn("lock '{}' cannot be renewed (scheduler stopped); it ends after its lease", name);
      }
    }
    return lock;
  }

  @Override
  public boolean isLocked(String name) {
    String key = Names.taggedKey(prefix, "lock", Names.requireName(name, "name"));
    return redis.call("lock EXISTS", r -> r.exists(key)) > 0;
  }

  /** Stops every renewal; the locks end with their leases. */
  void close() {
    closed = true;
    for (HeldLock lock : held) {
      lock.stopRenewal();
    }
    held.clear();
  }

  private final class HeldLock implements Lock {
    private final String name;
    private final String key;
    private final byte[] owner;
    private final long token;
    private final long leaseMillis;
    private final long leaseNanos;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean lost;
    private volatile long validUntil;
    private volatile ScheduledFuture<?> renewal;

    HeldLock(String name, String key, byte[] owner, long token, LockSpec spec, long start) {
      this.name = name;
      this.key = key;
      this.owner = owner;
      this.token = token;
      this.leaseMillis = spec.lease().toMillis();
      this.leaseNanos = spec.lease().toNanos();
      this.validUntil = start + leaseNanos;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long fencingToken() {
      return token;
    }

    @Override
    public boolean isHeld() {
      return !released.get() && !lost && System.nanoTime() - validUntil < 0;
    }

    void renew() {
      if (released.get() || lost) {
        return;
      }
      long start = System.nanoTime();
      try {
        long renewed = redis.call(
            "lock renew",
            r -> RENEW.<Long>run(
                r, ScriptOutputType.INTEGER, new String[] {key}, owner, Names.utf8(leaseMillis)));
        if (renewed == 1) {
          validUntil = start + leaseNanos;
        } else if (!released.get()) {
          lose("its lease ended before it was renewed (another owner may have it now)");
        }
      } catch (RedisUnavailableException e) {
        if (System.nanoTime() - validUntil >= 0) {
          lose("Redis was unreachable for longer than the lease");
        } else {
          log.debug("lock '{}' not renewed yet: {}", name, e.getMessage());
        }
      } catch (RuntimeException e) {
        log.error("lock '{}' renewal failed", name, e);
      }
    }

    private void lose(String why) {
      lost = true;
      stopRenewal();
      log.warn("lock '{}' (fencing token {}) is lost: {}", name, token, why);
    }

    void stopRenewal() {
      ScheduledFuture<?> task = renewal;
      if (task != null) {
        task.cancel(false);
      }
      held.remove(this);
    }

    @Override
    public boolean release() {
      if (!released.compareAndSet(false, true)) {
        return false;
      }
      stopRenewal();
      long deleted = redis.call(
          "lock release",
          r -> RELEASE.<Long>run(r, ScriptOutputType.INTEGER, new String[] {key}, owner));
      return deleted == 1;
    }

    @Override
    public void close() {
      try {
        release();
      } catch (RedisUnavailableException e) {
        log.warn(
            "lock '{}' not released ({}); it ends after its lease of {} ms",
            name,
            e.getMessage(),
            leaseMillis);
      }
    }

    @Override
    public String toString() {
      return "Lock[" + name + ", fencing token " + token + (isHeld() ? ", held]" : ", not held]");
    }
  }
}
