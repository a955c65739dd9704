package io.tiercache.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.tiercache.RedisUnavailableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis connection guarded by a circuit breaker.
 *
 * <p>Every operation either returns Redis's answer or throws {@link RedisUnavailableException}
 * within the command timeout. A timeout or a connection failure opens the breaker: later calls
 * fail at once, without touching the network, until a background probe (a {@code PING} every
 * probe interval) succeeds. Before the breaker closes, the probe deletes every key whose write
 * failed while Redis was away ({@link #rememberDelete}), so that Redis never serves a value older
 * than one the application already replaced; if more keys failed than the bound allows, it
 * deletes every key under the prefix instead. The transition to down is logged once at WARN, the
 * recovery once at INFO.
 *
 * <p>An error reply from Redis (for example out of memory) fails that call but does not open the
 * breaker.
 */
public final class RedisTier implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final int BATCH = 500;

  private final RedisURI uri;
  private final String safeUri;
  private final ClientResources resources;
  private final RedisClient client;
  private final Duration commandTimeout;
  private final String prefix;
  private final int maxPendingDeletes;
  private final ScheduledExecutorService scheduler;
  private final Duration probeInterval;

  private final Set<String> pendingDeletes = ConcurrentHashMap.newKeySet();
  private final Set<String> pendingPatterns = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean pendingOverflow = new AtomicBoolean();
  private final AtomicBoolean open = new AtomicBoolean();
  private final LongAdder trips = new LongAdder();
  private final Object probeLock = new Object();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile ReplayListener replayListener;
  private volatile Tracking tracking;
  private volatile boolean closed;
  private ScheduledFuture<?> probe;

  /**
   * Creates the tier and tries to connect once; if Redis is unreachable it starts with the
   * breaker open and keeps probing.
   *
   * @param uri {@code redis://} or {@code rediss://}
   * @param prefix the key prefix, for the overflow flush
   */
  public RedisTier(String uri, Duration commandTimeout, Duration connectTimeout, Duration probeInterval,
      String prefix, int maxPendingDeletes, ScheduledExecutorService scheduler) {
    this.uri = RedisURI.create(uri);
    this.uri.setTimeout(commandTimeout);
    this.safeUri = this.uri.getHost() + ":" + this.uri.getPort();
    this.commandTimeout = commandTimeout;
    this.prefix = prefix;
    this.maxPendingDeletes = maxPendingDeletes;
    this.scheduler = scheduler;
    this.probeInterval = probeInterval;
    long upper = Math.max(20, probeInterval.toMillis());
    this.resources = ClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofMillis(upper), 2, TimeUnit.MILLISECONDS))
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
        .build());
    try {
      connection = configure(client.connect(CODEC, this.uri));
    } catch (RuntimeException e) {
      log.warn("Redis at {} is unavailable at start-up ({}); caches answer from L1 and loaders "
          + "until it is back", safeUri, rootMessage(e));
      openBreaker();
    }
  }

  /** Told about the deletes the probe replayed, so that other instances can be told too. */
  public interface ReplayListener {
    /** Keys (with the prefix) deleted after an outage. */
    void deleted(List<String> redisKeys);

    /** A pattern (with the prefix) whose keys were deleted after an outage. */
    void deletedPattern(String redisPattern);

    /** Every key under the prefix was deleted after an outage with too many changes to track. */
    void deletedAll();
  }

  /** Sets the listener of replayed deletes; null removes it. */
  public void replayListener(ReplayListener listener) {
    this.replayListener = listener;
  }

  /**
   * Opens another connection to the same server with its own command timeout, for blocking
   * reads such as {@code XREAD BLOCK}. The caller closes it.
   */
  public StatefulRedisConnection<String, String> connectDedicated(Duration timeout) {
    RedisURI copy = RedisURI.builder(uri).withTimeout(timeout).build();
    return client.connect(StringCodec.UTF8, copy);
  }

  /**
   * Turns on RESP3 client-side caching in broadcast mode for every key under {@code prefix}, on
   * the data connection and again after every reconnect ({@code CLIENT TRACKING ON BCAST PREFIX
   * prefix NOLOOP}: writes of this connection are not reported back to it).
   *
   * @param onInvalidate receives the invalidated keys; null means "everything" (FLUSHALL)
   * @param onReconnect runs after tracking was turned on again on a new connection: whatever was
   *     invalidated while disconnected is unknown, so the caller flushes what it cached
   */
  public void enableTracking(String prefix, Consumer<List<String>> onInvalidate, Runnable onReconnect) {
    Tracking t = new Tracking(prefix, onInvalidate, onReconnect);
    this.tracking = t;
    StatefulRedisConnection<String, byte[]> current = connection;
    if (current != null) {
      startTracking(current, t);
    }
  }

  private record Tracking(String prefix, Consumer<List<String>> onInvalidate, Runnable onReconnect) {}

  private StatefulRedisConnection<String, byte[]> configure(StatefulRedisConnection<String, byte[]> created) {
    created.addListener((PushMessage message) -> {
      Tracking t = tracking;
      if (t == null || !"invalidate".equals(message.getType())) {
        return;
      }
      List<Object> content = message.getContent(buffer -> StandardCharsets.UTF_8.decode(buffer).toString());
      Object keys = content.size() > 1 ? content.get(1) : null;
      if (keys instanceof List<?> list) {
        List<String> names = new ArrayList<>(list.size());
        for (Object key : list) {
          names.add(key instanceof ByteBuffer b ? StandardCharsets.UTF_8.decode(b).toString() : String.valueOf(key));
        }
        t.onInvalidate().accept(names);
      } else {
        t.onInvalidate().accept(null);
      }
    });
    created.addListener(new RedisConnectionStateListener() {
      private volatile boolean seen;

      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        Tracking t = tracking;
        if (t != null && seen) {
          // Never block the event loop: turn tracking on again from the scheduler.
          scheduler.execute(() -> {
            try {
              startTracking(created, t);
              t.onReconnect().run();
            } catch (RuntimeException e) {
              log.warn("client tracking not re-enabled after a reconnect: {}", rootMessage(e));
            }
          });
        }
        seen = true;
      }
    });
    return created;
  }

  private void startTracking(StatefulRedisConnection<String, byte[]> current, Tracking t) {
    try {
      current.sync().clientTracking(TrackingArgs.Builder.enabled().bcast().prefixes(t.prefix()).noloop());
    } catch (RuntimeException e) {
      log.warn("client tracking not enabled ({}); L1 relies on the invalidation stream only", rootMessage(e));
    }
  }

  /** Whether the breaker is closed and a connection exists. */
  public boolean available() {
    return !open.get() && connection != null && !closed;
  }

  /** How many times the breaker opened. */
  public long breakerTrips() {
    return trips.sum();
  }

  /** Keys waiting to be deleted once Redis is back. */
  public int pendingDeletes() {
    return pendingDeletes.size();
  }

  /** The command timeout. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * Runs a blocking command. Fails fast while the breaker is open.
   *
   * @throws RedisUnavailableException if Redis is down, slow, or answered with an error
   */
  public <T> T call(String what, Function<RedisCommands<String, byte[]>, T> command) {
    StatefulRedisConnection<String, byte[]> current = checkAvailable(what);
    try {
      return command.apply(current.sync());
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
  }

  /**
   * Runs commands through the asynchronous API (pipelined on one connection) and waits for all
   * of them within the command timeout.
   */
  public <T> T pipeline(String what, Function<RedisAsyncCommands<String, byte[]>, List<RedisFuture<?>>> commands,
      Function<List<RedisFuture<?>>, T> result) {
    StatefulRedisConnection<String, byte[]> current = checkAvailable(what);
    try {
      List<RedisFuture<?>> futures = commands.apply(current.async());
      boolean done = LettuceFutures.awaitAll(commandTimeout.toNanos(), TimeUnit.NANOSECONDS,
          futures.toArray(new RedisFuture<?>[0]));
      if (!done) {
        throw new io.lettuce.core.RedisCommandTimeoutException(
            "pipeline of " + futures.size() + " commands timed out after " + commandTimeout);
      }
      return result.apply(futures);
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
  }

  /**
   * Starts a command without blocking. The future fails with {@link RedisUnavailableException}
   * (and the breaker opens) like {@link #call}.
   */
  public <T> CompletableFuture<T> async(String what, Function<RedisAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
    StatefulRedisConnection<String, byte[]> current;
    try {
      current = checkAvailable(what);
    } catch (RedisUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      command.apply(current.async()).whenComplete((value, error) -> {
        if (error == null) {
          result.complete(value);
        } else {
          result.completeExceptionally(failure(what, unwrapRuntime(error)));
        }
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(failure(what, e));
    }
    return result;
  }

  /* ---- Cache operations ---- */

  /** {@code GET key}; null if absent. */
  public byte[] get(String key) {
    return call("GET", redis -> redis.get(key));
  }

  /** {@code GET key} without blocking. */
  public CompletableFuture<byte[]> getAsync(String key) {
    return async("GET", redis -> redis.get(key));
  }

  /** {@code MGET keys}: one round trip; the list holds null for absent keys, in key order. */
  public List<byte[]> mget(List<String> keys) {
    return call("MGET", redis -> {
      List<byte[]> values = new ArrayList<>(keys.size());
      redis.mget(keys.toArray(new String[0])).forEach(kv -> values.add(kv.hasValue() ? kv.getValue() : null));
      return values;
    });
  }

  /** {@code SET key value PX ttl}. */
  public void set(String key, byte[] value, long ttlMillis) {
    call("SET", redis -> redis.set(key, value, SetArgs.Builder.px(ttlMillis)));
  }

  /** {@code SET key value PX ttl NX}; whether the value was stored. */
  public boolean setIfAbsent(String key, byte[] value, long ttlMillis) {
    return "OK".equals(call("SET NX", redis -> redis.set(key, value, SetArgs.Builder.px(ttlMillis).nx())));
  }

  /** {@code SET key value PX ttl} without blocking. */
  public CompletableFuture<String> setAsync(String key, byte[] value, long ttlMillis) {
    return async("SET", redis -> redis.set(key, value, SetArgs.Builder.px(ttlMillis)));
  }

  /**
   * Many {@code SET PX} commands in one pipeline; {@code ttls} gives each key's TTL.
   *
   * @param onlyIfAbsent adds {@code NX}: keys that exist keep their value
   */
  public void setAll(Map<String, byte[]> values, Map<String, Long> ttls, boolean onlyIfAbsent) {
    if (values.isEmpty()) {
      return;
    }
    pipeline("SET (pipelined)", redis -> {
      List<RedisFuture<?>> futures = new ArrayList<>(values.size());
      for (Map.Entry<String, byte[]> entry : values.entrySet()) {
        SetArgs args = SetArgs.Builder.px(ttls.get(entry.getKey()));
        futures.add(redis.set(entry.getKey(), entry.getValue(), onlyIfAbsent ? args.nx() : args));
      }
      return futures;
    }, futures -> {
      for (RedisFuture<?> future : futures) {
        future.toCompletableFuture().join(); // surfaces an error reply
      }
      return null;
    });
  }

  /** {@code UNLINK keys}. */
  public long delete(Collection<String> keys) {
    if (keys.isEmpty()) {
      return 0;
    }
    return call("UNLINK", redis -> redis.unlink(keys.toArray(new String[0])));
  }

  /**
   * Deletes every key matching a Redis glob pattern with {@code SCAN MATCH} and {@code UNLINK} in
   * batches of 500; never {@code KEYS}.
   *
   * @return how many keys were deleted
   */
  public long deleteMatching(String pattern) {
    return call("SCAN+UNLINK", redis -> scanDelete(redis, pattern));
  }

  /** SCAN + UNLINK, sparing Tiercache's own data ({@code prefix:__...}: streams, toolkit state). */
  private long scanDelete(RedisCommands<String, byte[]> redis, String pattern) {
    String reserved = prefix + ":__";
    long deleted = 0;
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(BATCH);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = redis.scan(cursor, args);
      List<String> doomed = new ArrayList<>(page.getKeys().size());
      for (String key : page.getKeys()) {
        if (!key.startsWith(reserved)) {
          doomed.add(key);
        }
      }
      if (!doomed.isEmpty()) {
        deleted += redis.unlink(doomed.toArray(new String[0]));
      }
      cursor = page;
    } while (!cursor.isFinished());
    return deleted;
  }

  /**
   * Counts keys matching a pattern with {@code SCAN}, stopping at {@code cap}.
   *
   * @return {count, 1 if the count stopped at the cap else 0}
   */
  public long[] countKeys(String pattern, long cap) {
    return call("SCAN (count)", redis -> {
      long count = 0;
      ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1_000);
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = redis.scan(cursor, args);
        count += page.getKeys().size();
        cursor = page;
        if (count >= cap) {
          return new long[] {count, 1};
        }
      } while (!cursor.isFinished());
      return new long[] {count, 0};
    });
  }

  /**
   * Remembers that {@code key} must be deleted from Redis when it is reachable again, because a
   * write to it failed. If Redis is reachable right now, deletes it at once.
   */
  public void rememberDelete(String key) {
    if (pendingDeletes.size() >= maxPendingDeletes) {
      if (pendingOverflow.compareAndSet(false, true)) {
        log.warn("more than {} keys changed while Redis was unavailable; every key under '{}:' "
            + "will be deleted when it is back", maxPendingDeletes, prefix);
      }
    } else {
      pendingDeletes.add(key);
    }
    if (available()) {
      // The breaker closed between the failed write and now: the probe's replay may have missed it.
      scheduler.execute(this::replayQuietly);
    }
  }

  /**
   * Remembers that every key matching {@code pattern} must be deleted when Redis is reachable
   * again (an {@code invalidateAll} that could not run).
   */
  public void rememberDeletePattern(String pattern) {
    pendingPatterns.add(pattern);
    if (available()) {
      scheduler.execute(this::replayQuietly);
    }
  }

  private void replayQuietly() {
    try {
      replayPendingDeletes();
    } catch (RuntimeException e) {
      log.debug("pending deletes not replayed yet: {}", rootMessage(e));
    }
  }

  /* ---- Circuit breaker ---- */

  private StatefulRedisConnection<String, byte[]> checkAvailable(String what) {
    if (closed) {
      throw new RedisUnavailableException(what + ": the cache is closed");
    }
    StatefulRedisConnection<String, byte[]> current = connection;
    if (open.get() || current == null) {
      throw new RedisUnavailableException(what + ": Redis at " + safeUri + " is unavailable (circuit open)");
    }
    return current;
  }

  private RedisUnavailableException failure(String what, RuntimeException e) {
    if (e instanceof RedisUnavailableException) {
      return (RedisUnavailableException) e;
    }
    if (e instanceof RedisCommandExecutionException) {
      return new RedisUnavailableException(what + " failed: " + e.getMessage(), e);
    }
    if (!closed && open.compareAndSet(false, true)) {
      trips.increment();
      log.warn("Redis at {} is unavailable ({}: {}); caches answer from L1 and loaders until it is back",
          safeUri, what, rootMessage(e));
      scheduleProbe();
    }
    return new RedisUnavailableException(what + ": Redis at " + safeUri + " failed: " + rootMessage(e), e);
  }

  private void openBreaker() {
    open.set(true);
    trips.increment();
    scheduleProbe();
  }

  private void scheduleProbe() {
    synchronized (probeLock) {
      if (closed || (probe != null && !probe.isDone())) {
        return;
      }
      long period = probeInterval.toMillis();
      probe = scheduler.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
    }
  }

  private void probe() {
    if (closed) {
      return;
    }
    try {
      StatefulRedisConnection<String, byte[]> current = connection;
      if (current == null) {
        current = configure(client.connect(CODEC, uri));
        connection = current;
        Tracking t = tracking;
        if (t != null) {
          startTracking(current, t);
        }
      }
      current.sync().ping();
      replayPendingDeletes();
      open.set(false);
      replayPendingDeletes(); // keys remembered by writers that saw the breaker still open
      log.info("Redis at {} is available again; caches use it from now on", safeUri);
      synchronized (probeLock) {
        probe.cancel(false);
      }
    } catch (RuntimeException e) {
      log.debug("Redis at {} still unavailable: {}", safeUri, rootMessage(e));
    }
  }

  private void replayPendingDeletes() {
    StatefulRedisConnection<String, byte[]> current = connection;
    if (current == null) {
      throw new RedisUnavailableException("not connected");
    }
    RedisCommands<String, byte[]> redis = current.sync();
    if (pendingOverflow.get()) {
      long deleted = scanDelete(redis, escape(prefix) + ":*");
      pendingOverflow.set(false);
      pendingDeletes.clear();
      pendingPatterns.clear();
      log.warn("deleted {} keys under '{}:' after an outage with too many changes to track", deleted, prefix);
      ReplayListener all = replayListener;
      if (all != null) {
        all.deletedAll();
      }
      return;
    }
    ReplayListener listener = replayListener;
    for (String pattern : pendingPatterns) {
      scanDelete(redis, pattern);
      pendingPatterns.remove(pattern);
      if (listener != null) {
        listener.deletedPattern(pattern);
      }
    }
    while (!pendingDeletes.isEmpty()) {
      List<String> batch = new ArrayList<>(BATCH);
      Iterator<String> it = pendingDeletes.iterator();
      while (it.hasNext() && batch.size() < BATCH) {
        batch.add(it.next());
      }
      redis.unlink(batch.toArray(new String[0]));
      batch.forEach(pendingDeletes::remove);
      if (listener != null) {
        listener.deleted(batch);
      }
    }
  }

  private static String escape(String literal) {
    return literal.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static RuntimeException unwrapRuntime(Throwable error) {
    Throwable t = unwrap(error);
    return t instanceof RuntimeException ? (RuntimeException) t : new RuntimeException(t);
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (probeLock) {
      if (probe != null) {
        probe.cancel(false);
      }
    }
    StatefulRedisConnection<String, byte[]> current = connection;
    if (current != null) {
      current.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
