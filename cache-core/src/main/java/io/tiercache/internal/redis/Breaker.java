package io.tiercache.internal.redis;

import io.lettuce.core.RedisCommandExecutionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker of a {@link RedisTier}: whether it is open, when a failure opens it, and
 * what Redis refusing writes for being full looks like. It owns no connection; {@link RedisTier}
 * asks it before each command, reports failures to it, and its probe closes it.
 */
final class Breaker {

  private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
  /** Failures closer together than this are one event: one stall that timed out many calls at once. */
  static final long FAILURE_EVENT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private static final long OUT_OF_MEMORY_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long OUT_OF_MEMORY_LOG_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final String safeUri;
  private final AtomicBoolean open = new AtomicBoolean();
  private final LongAdder trips = new LongAdder();
  /** When recent failure events happened ({@link System#nanoTime}), oldest first; guarded by itself. */
  private final ArrayDeque<Long> failureEvents = new ArrayDeque<>();

  private long lastFailure;
  private volatile int failures = 3;
  private volatile long windowNanos = Duration.ofSeconds(1).toNanos();
  /** When Redis last refused a write for being full ({@link System#nanoTime}), or 0. */
  private volatile long lastOutOfMemory;
  /** When the full-Redis warning was last logged, for rate limiting. */
  private volatile long lastOutOfMemoryLog;

  Breaker(String safeUri) {
    this.safeUri = safeUri;
  }

  boolean isOpen() {
    return open.get();
  }

  /** How many times the breaker opened. */
  long trips() {
    return trips.sum();
  }

  /** See {@link RedisTier#breakerPolicy}. */
  void policy(int failures, Duration window) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures must be positive, was " + failures);
    }
    this.failures = failures;
    this.windowNanos = Objects.requireNonNull(window, "window must not be null").toNanos();
  }

  /** Opens the breaker (unless open already); whether this call opened it. */
  boolean open() {
    if (open.compareAndSet(false, true)) {
      trips.increment();
      return true;
    }
    return false;
  }

  /** Closes the breaker after a successful probe: past failure events no longer count. */
  void close() {
    synchronized (failureEvents) {
      failureEvents.clear();
    }
    open.set(false);
  }

  /**
   * Whether this timeout or connection failure opens the breaker: at once when the connection is
   * gone or the cluster is down; otherwise when it makes {@code failures} failure events within
   * the window. Failures less than {@link #FAILURE_EVENT_NANOS} apart are one event, so that one
   * stall of Redis (or of this JVM) that times out every call in flight at once counts once, while
   * an outage, whose calls keep failing as they are made, soon counts enough.
   */
  boolean shouldOpen(boolean connectionLost, RuntimeException e) {
    if (connectionLost || isClusterDown(e)) {
      return true;
    }
    long now = System.nanoTime();
    synchronized (failureEvents) {
      if (!failureEvents.isEmpty() && now - lastFailure < FAILURE_EVENT_NANOS) {
        lastFailure = now;
        return false; // the same event
      }
      lastFailure = now;
      failureEvents.addLast(now);
      while (now - failureEvents.peekFirst() > windowNanos) {
        failureEvents.removeFirst();
      }
      return failureEvents.size() >= failures;
    }
  }

  /** Whether {@code error} (or its cause) is Redis refusing a write because it reached {@code maxmemory}. */
  static boolean isOutOfMemory(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // "OOM command not allowed ...", alone or inside a script's "ERR Error running script" reply
      if (t instanceof RedisCommandExecutionException
          && t.getMessage() != null
          && (t.getMessage().startsWith("OOM")
              || t.getMessage().contains("OOM command not allowed"))) {
        return true;
      }
    }
    return false;
  }

  /** A {@code CLUSTERDOWN} error reply: a slot has no master and the cluster serves no key. */
  static boolean isClusterDown(RuntimeException e) {
    return e instanceof RedisCommandExecutionException
        && e.getMessage() != null
        && e.getMessage().startsWith("CLUSTERDOWN");
  }

  /** Redis refused {@code what} for being full: remembered for 10 s, logged at most once a minute. */
  void outOfMemory(String what) {
    long now = System.nanoTime();
    lastOutOfMemory = now;
    if (now - lastOutOfMemoryLog > OUT_OF_MEMORY_LOG_NANOS || lastOutOfMemoryLog == 0) {
      lastOutOfMemoryLog = now;
      log.warn(
          "Redis at {} refuses writes ({}): used memory is above maxmemory and maxmemory-policy evicts "
              + "nothing (noeviction). Keys written meanwhile are deleted instead of updated, and invalidations go "
              + "out on the fallback channel; raise maxmemory or choose an eviction policy. (Logged at most once a "
              + "minute.)",
          safeUri,
          what);
    }
  }

  /** See {@link RedisTier#writesRefused}. */
  String writesRefused() {
    long last = lastOutOfMemory;
    if (last == 0 || System.nanoTime() - last > OUT_OF_MEMORY_MEMORY_NANOS) {
      return null;
    }
    return "Redis at " + safeUri
        + " refuses writes: used memory is above maxmemory (maxmemory-policy noeviction)";
  }
}
