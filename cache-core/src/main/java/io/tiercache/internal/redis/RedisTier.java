package io.tiercache.internal.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.api.sync.RedisServerCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.tiercache.RedisUnavailableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis connection guarded by a circuit breaker.
 *
 * <p>The connection goes to a standalone server, to the master a Sentinel names, or to a Redis
 * Cluster ({@link RedisEndpoint}). Callers see one command interface for all three, {@link
 * RedisClusterCommands} (and {@link RedisClusterAsyncCommands}): on a cluster Lettuce's advanced
 * cluster API routes every command by its key's slot, splits multi-key {@code MGET}, {@code DEL},
 * {@code UNLINK} and {@code EXISTS} per slot; {@code SCAN} and {@code INFO} run on every master
 * that serves slots in turn. A Lua script goes to the slot of its first key, so every key of one
 * script must share a hash tag. Cluster topology is refreshed every {@value
 * #TOPOLOGY_REFRESH_SECONDS} s and at once on redirects, persistent reconnects and uncovered slots
 * (at most every {@value #ADAPTIVE_REFRESH_SECONDS} s). While the breaker is open, every failed
 * probe refreshes it too, so that a replica promoted meanwhile is used by the next probe.
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
 * breaker, except {@code CLUSTERDOWN}: a cluster with a slot that has no master refuses every key
 * command, which is an outage like a timeout. Rejected credentials, an ACL that denies the
 * prefix's keys, and a server certificate that is not trusted are configuration errors: the
 * constructor throws {@link IllegalStateException} instead of starting degraded.
 */
public final class RedisTier implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
  private static final RedisCodec<String, byte[]> CODEC = KeyBytesCodec.INSTANCE;
  private static final int BATCH = 500;
  /** Connection attempts at start-up when the server closes the connection during the handshake. */
  static final int START_UP_ATTEMPTS = 5;

  static final int TOPOLOGY_REFRESH_SECONDS = 30;
  static final int ADAPTIVE_REFRESH_SECONDS = 5;

  private final RedisEndpoint endpoint;
  private final List<RedisURI> uris;
  private final String safeUri;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final Duration commandTimeout;
  private final Duration connectTimeout;
  private final String prefix;
  private final ScheduledExecutorService scheduler;
  private final Duration probeInterval;

  /** The circuit breaker: open or closed, the failure policy, Redis refusing writes. */
  private final Breaker breaker;
  /** Deletes to replay once Redis answers again. */
  private final PendingDeletes pending;

  private final Object probeLock = new Object();
  private volatile StatefulConnection<String, byte[]> connection;
  private volatile ReplayListener replayListener;
  private volatile Tracking tracking;
  /** Whether {@link #tracking} is on for the current connection: {@link #isTracking}. */
  private volatile boolean trackingOn;
  /** Held while tracking is turned on, so that one connection is asked once. */
  private final Object trackingLock = new Object();
  /** Whether a refusal of {@code CLIENT TRACKING} was logged and no turn-on succeeded since. */
  private final AtomicBoolean trackingRefused = new AtomicBoolean();
  /** Whether a {@link #retryTracking} is queued on the scheduler already. */
  private final AtomicBoolean retryQueued = new AtomicBoolean();
  /** When {@link #refreshIfMastersChanged} last refreshed the topology. */
  private volatile long lastRefreshNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
  /**
   * Cluster: the write connection (the one Lettuce routes this master's slots to) of every master
   * tracking was turned on for, and whether it is on for that connection's current socket.
   */
  private final Map<StatefulRedisConnection<String, byte[]>, NodeTracking> nodeTracking =
      new ConcurrentHashMap<>();
  /** Cluster: the masters owning slots whose write connection tracks, by {@code id@host:port}. */
  private volatile Map<String, StatefulRedisConnection<String, byte[]>> trackedMasters = Map.of();

  private volatile boolean closed;
  private ScheduledFuture<?> probe;
  /** The topology refresh a failed probe started on a cluster, or null. */
  private volatile CompletableFuture<Void> topologyRefresh;

  /**
   * Creates the tier for a standalone or Sentinel URI; see {@link #RedisTier(RedisEndpoint,
   * Duration, Duration, Duration, String, int, ScheduledExecutorService)}.
   *
   * @param uri {@code redis://}, {@code rediss://}, {@code redis-sentinel://} or {@code rediss-sentinel://}
   */
  public RedisTier(
      String uri,
      Duration commandTimeout,
      Duration connectTimeout,
      Duration probeInterval,
      String prefix,
      int maxPendingDeletes,
      ScheduledExecutorService scheduler) {
    this(
        RedisEndpoint.of(uri),
        commandTimeout,
        connectTimeout,
        probeInterval,
        prefix,
        maxPendingDeletes,
        scheduler);
  }

  /**
   * Whether the commands of callers writing at the same moment go out in one system call ({@link
   * FlushCoalescing}); on unless the system property {@code tiercache.flushCoalescing} is {@code
   * false}, read when the tier is created.
   */
  private final boolean flushCoalescing =
      !"false".equalsIgnoreCase(System.getProperty("tiercache.flushCoalescing"));

  /**
   * Creates the tier and tries to connect once; if Redis is unreachable it starts with the
   * breaker open and keeps probing.
   *
   * @param prefix the key prefix, for the overflow flush and the access check
   * @throws IllegalStateException if Redis rejects the credentials, the ACL user may not use keys
   *     under the prefix, or the server's TLS certificate is not trusted
   */
  public RedisTier(
      RedisEndpoint endpoint,
      Duration commandTimeout,
      Duration connectTimeout,
      Duration probeInterval,
      String prefix,
      int maxPendingDeletes,
      ScheduledExecutorService scheduler) {
    this.endpoint = endpoint;
    // Lettuce bounds a connection's handshake (HELLO, AUTH, SELECT) by the URI's timeout: give it
    // the connect timeout, so that a cold JVM's first connection is not declared down after one
    // command timeout. Commands keep the command timeout (TimeoutOptions, and setTimeout below).
    this.uris = endpoint.redisUris(
        commandTimeout.compareTo(connectTimeout) >= 0 ? commandTimeout : connectTimeout);
    this.safeUri = endpoint.describe();
    this.commandTimeout = commandTimeout;
    this.connectTimeout = connectTimeout;
    this.prefix = prefix;
    this.breaker = new Breaker(safeUri);
    this.pending = new PendingDeletes(prefix, maxPendingDeletes);
    this.scheduler = scheduler;
    this.probeInterval = probeInterval;
    long upper = Math.max(20, probeInterval.toMillis());
    this.resources = ClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.exponential(
            Duration.ofMillis(10), Duration.ofMillis(upper), 2, TimeUnit.MILLISECONDS))
        .nettyCustomizer(new NettyCustomizer() {
          @Override
          public void afterChannelInitialized(Channel channel) {
            if (flushCoalescing) {
              channel.pipeline().addFirst(new FlushCoalescing());
            }
          }
        })
        .build();
    this.client = newClient(commandTimeout);
    try {
      StatefulConnection<String, byte[]> created = connectAtStartUp();
      connection = created;
      checkAccess(created);
    } catch (RuntimeException e) {
      String problem = configurationProblem(e);
      if (problem != null) {
        close();
        throw new IllegalStateException(
            "Redis at " + safeUri + " " + problem.replace("{prefix}", prefix) + ": "
                + rootMessage(e),
            e);
      }
      StatefulConnection<String, byte[]> failed = connection;
      connection = null;
      if (failed != null) {
        failed.closeAsync();
      }
      log.warn(
          "Redis at {} is unavailable at start-up ({}); caches answer from L1 and loaders "
              + "until it is back",
          safeUri,
          rootMessage(e));
      openBreaker();
    }
  }

  private AbstractRedisClient newClient(Duration timeout) {
    return ClientSetUp.newClient(endpoint, resources, uris, timeout, connectTimeout);
  }

  private StatefulConnection<String, byte[]> connect() {
    StatefulConnection<String, byte[]> created = client instanceof RedisClusterClient cluster
        ? configure(cluster.connect(CODEC))
        : configure(((RedisClient) client).connect(CODEC, uris.get(0)));
    created.setTimeout(commandTimeout);
    return created;
  }

  /**
   * Connects, trying again (up to {@link #START_UP_ATTEMPTS} times in all) when the connection
   * was accepted but closed during the handshake. Lettuce reports a rejected handshake (wrong password) as
   * "Connection closed prematurely" when its own close of the channel overtakes the error reply,
   * about one connect in 200 on a loaded machine; that would hide rejected credentials behind what
   * looks like an outage. A refused or timed-out connection is not tried again here: the probe does.
   */
  private StatefulConnection<String, byte[]> connectAtStartUp() {
    for (int attempt = 1; ; attempt++) {
      try {
        return connect();
      } catch (RuntimeException e) {
        if (attempt >= START_UP_ATTEMPTS
            || configurationProblem(e) != null
            || !closedDuringHandshake(e)) {
          throw e;
        }
      }
    }
  }

  static boolean closedDuringHandshake(Throwable error) {
    return ClientSetUp.closedDuringHandshake(error);
  }

  /** Fails when the ACL user may not touch keys under the prefix, rather than on every call later. */
  private void checkAccess(StatefulConnection<String, byte[]> created) {
    commands(created).exists(prefix + ":__tc:{inval}:seq");
  }

  /** See {@link ClientSetUp#configurationProblem}. */
  static String configurationProblem(Throwable error) {
    return ClientSetUp.configurationProblem(error);
  }

  /** Told about the deletes the probe replayed, so that other instances can be told too. */
  public interface ReplayListener {
    /** Keys (with the prefix) deleted after an outage. */
    void deleted(List<String> redisKeys);

    /** Every key under the prefix was deleted after an outage with too many changes to track. */
    void deletedAll();

    /**
     * Redis answers again after an outage or a partition: called just before the breaker closes,
     * so that nothing is served from L1 on the strength of invalidations read before the outage.
     */
    default void recovering() {}
  }

  /** Sets the listener of replayed deletes; null removes it. */
  public void replayListener(ReplayListener listener) {
    this.replayListener = listener;
  }

  /** Whether this tier talks to a Redis Cluster. */
  public boolean isCluster() {
    return endpoint.isCluster();
  }

  /** A connection of its own for blocking reads, from {@link #connectDedicated}. */
  public interface DedicatedConnection extends AutoCloseable {
    /** The blocking command API; on a cluster, commands go to the slot of their key. */
    RedisClusterCommands<String, String> sync();

    /** Whether the connection is open. */
    boolean isOpen();

    /** Closes without waiting. */
    void closeAsync();

    @Override
    void close();
  }

  /**
   * Opens another connection to the same Redis (server, Sentinel master or cluster) with its own
   * command timeout, for blocking reads such as {@code XREAD BLOCK}. The caller closes it.
   */
  public DedicatedConnection connectDedicated(Duration timeout) {
    AbstractRedisClient own = newClient(timeout);
    try {
      if (own instanceof RedisClusterClient cluster) {
        StatefulRedisClusterConnection<String, String> created = cluster.connect(StringCodec.UTF8);
        created.setTimeout(timeout);
        return dedicated(own, created, created.sync());
      }
      RedisURI copy = endpoint.redisUris(timeout).get(0);
      StatefulRedisConnection<String, String> created =
          ((RedisClient) own).connect(StringCodec.UTF8, copy);
      return dedicated(own, created, created.sync());
    } catch (RuntimeException e) {
      own.shutdownAsync(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static DedicatedConnection dedicated(
      AbstractRedisClient own,
      StatefulConnection<String, String> created,
      RedisClusterCommands<String, String> commands) {
    return new DedicatedConnection() {
      @Override
      public RedisClusterCommands<String, String> sync() {
        return commands;
      }

      @Override
      public boolean isOpen() {
        return created.isOpen();
      }

      @Override
      public void closeAsync() {
        created
            .closeAsync()
            .whenComplete((ignored, error) -> own.shutdownAsync(0, 2, TimeUnit.SECONDS));
      }

      @Override
      public void close() {
        created.close();
        own.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    };
  }

  /**
   * Turns on RESP3 client-side caching in broadcast mode for every key under {@code prefix}, on
   * the data connection and again after every reconnect ({@code CLIENT TRACKING ON BCAST PREFIX
   * prefix NOLOOP}: writes of this connection are not reported back to it). On a cluster, on the
   * connection Lettuce writes each master's slots through, for every master that serves slots, and
   * on each new one {@link #retryTracking} finds.
   *
   * @param onInvalidate receives the invalidated keys; null means "everything" (FLUSHALL)
   * @param onReconnect runs after tracking was turned on again on a new connection: whatever was
   *     invalidated while disconnected is unknown, so the caller flushes what it cached
   */
  public void enableTracking(
      String prefix, Consumer<List<String>> onInvalidate, Runnable onReconnect) {
    Tracking t = new Tracking(prefix, onInvalidate, onReconnect);
    synchronized (trackingLock) {
      this.tracking = t;
      StatefulConnection<String, byte[]> current = connection;
      if (current instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
        trackMasters(cluster, t, false); // nothing is cached yet: no clear
      } else if (current instanceof StatefulRedisConnection<String, byte[]> standalone) {
        trackingOn = startTracking(standalone, t, trackingRefused);
      }
    }
  }

  /**
   * Whether Redis accepted client tracking on the current data connection (and, after a
   * reconnect, the caller's clear has run since): false before {@link #enableTracking}, while
   * Redis refuses it, and from a reconnect until tracking is on again.
   */
  public boolean isTracking() {
    return trackingOn;
  }

  /**
   * Turns tracking on again if it is enabled but not on (Redis refused it, or it could not be
   * reached when the connection came back), then runs the caller's clear: what changed meanwhile is
   * unknown. Does nothing while it is on. On a cluster it also asks one node for {@code CLUSTER
   * NODES}, refreshes the topology when the masters serving slots are not the ones it knows (a
   * failover, a master added), and turns tracking on for every master that lacks it, with the
   * clear. Blocks for a round trip or a few: call it off the event loop.
   */
  public void retryTracking() {
    synchronized (trackingLock) {
      retryQueued.set(false);
      Tracking t = tracking;
      if (t == null || closed) {
        return;
      }
      StatefulConnection<String, byte[]> current = connection;
      if (current instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
        Set<String> named = null;
        try {
          named = refreshIfMastersChanged(cluster);
        } catch (RuntimeException e) {
          log.debug("CLUSTER NODES for client tracking failed: {}", rootMessage(e));
        }
        trackMasters(cluster, t, true);
        if (named != null && !trackedNames().containsAll(named)) {
          // The node asked names a master Lettuce's view does not have yet: not covered.
          trackingOn = false;
        }
      } else if (!trackingOn
          && current instanceof StatefulRedisConnection<String, byte[]> standalone) {
        restartTracking(standalone, t);
      }
    }
  }

  /**
   * Cluster: the masters that own slots, by node id, as {@code partitions} has them, failed or not:
   * a master flagged as failed can still take writes until a replica takes its slots, and for
   * seconds after it comes back (the flag is cleared later).
   */
  private static Map<String, RedisClusterNode> slotMasters(Iterable<RedisClusterNode> partitions) {
    Map<String, RedisClusterNode> masters = new LinkedHashMap<>();
    for (RedisClusterNode node : partitions) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
        masters.put(node.getNodeId(), node);
      }
    }
    return masters;
  }

  /**
   * The masters of {@code partitions} that own slots and are not flagged as failed, each as {@code
   * id@host:port}: the ones that must track for L1 to answer.
   */
  private static Set<String> requiredNames(Iterable<RedisClusterNode> partitions) {
    Set<String> names = new HashSet<>();
    for (RedisClusterNode node : slotMasters(partitions).values()) {
      if (!node.is(RedisClusterNode.NodeFlag.FAIL)) {
        names.add(name(node));
      }
    }
    return names;
  }

  private static String name(RedisClusterNode node) {
    return node.getNodeId() + "@" + node.getUri().getHost() + ":"
        + node.getUri().getPort();
  }

  /** The masters that track now, each as {@code id@host:port}. */
  private Set<String> trackedNames() {
    Set<String> names = new HashSet<>();
    for (Map.Entry<String, StatefulRedisConnection<String, byte[]>> e : trackedMasters.entrySet()) {
      NodeTracking n = nodeTracking.get(e.getValue());
      if (n != null && n.on()) {
        names.add(e.getKey());
      }
    }
    return names;
  }

  /**
   * Asks one node for {@code CLUSTER NODES} and refreshes Lettuce's topology (at most once a
   * second) when the masters it names, by id and address, are not the ones Lettuce knows.
   *
   * @return the masters the node names that must track ({@link #requiredNames})
   */
  private Set<String> refreshIfMastersChanged(
      StatefulRedisClusterConnection<String, byte[]> cluster) {
    Set<String> named =
        requiredNames(ClusterPartitionParser.parse(cluster.sync().clusterNodes()));
    long now = System.nanoTime();
    if (!named.equals(requiredNames(cluster.getPartitions()))
        && now - lastRefreshNanos >= TimeUnit.SECONDS.toNanos(1)
        && client instanceof RedisClusterClient clusterClient) {
      lastRefreshNanos = now;
      clusterClient.refreshPartitions();
    }
    return named;
  }

  /**
   * Cluster: turns tracking on for the write connection of every master that owns slots and lacks
   * it (new, reconnected, or refused before); after that, if any was turned on and {@code clear},
   * runs the caller's clear. {@link #trackingOn} is true only if every master tracks, except a
   * master flagged as failed that cannot be reached: it takes no writes while so, and it is
   * tracked, with the clear, once its connection is back. Under {@link #trackingLock}.
   */
  private void trackMasters(
      StatefulRedisClusterConnection<String, byte[]> cluster, Tracking t, boolean clear) {
    boolean all = true;
    boolean started = false;
    Map<String, StatefulRedisConnection<String, byte[]>> masters = new LinkedHashMap<>();
    for (RedisClusterNode node : slotMasters(cluster.getPartitions()).values()) {
      boolean failed = node.is(RedisClusterNode.NodeFlag.FAIL);
      StatefulRedisConnection<String, byte[]> c;
      try {
        c = cluster.getConnection(node.getUri().getHost(), node.getUri().getPort());
      } catch (RuntimeException e) {
        log.debug(
            "no connection to master {} for client tracking: {}", node.getNodeId(), rootMessage(e));
        all &= failed;
        continue;
      }
      NodeTracking n = nodeTracking.computeIfAbsent(c, this::listenForReconnects);
      int connects = n.connects.get();
      if (!n.on()) {
        if (failed && !c.isOpen()) {
          continue; // down and flagged: tracked once its connection is back
        }
        if (startTracking(c, t, n.refused)) {
          n.trackedAt = connects;
          started = true;
        } else {
          all &= failed;
          continue;
        }
      }
      masters.put(name(node), c);
    }
    // Kept until closed, master or not: a node that is a master again later still tracks on the
    // same socket, and its connection keeps its one reconnect listener.
    nodeTracking.keySet().removeIf(c -> c instanceof RedisChannelHandler<?, ?> h && h.isClosed());
    trackedMasters = Map.copyOf(masters);
    if (started && clear) {
      trackingOn = false;
      t.onReconnect().run();
    }
    boolean on = all && !masters.isEmpty() && allMastersTrack();
    trackingOn = on;
    if (on && !allMastersTrack()) {
      trackingOn = false; // a master reconnected meanwhile: the next retry turns it on again
    }
  }

  private boolean allMastersTrack() {
    for (StatefulRedisConnection<String, byte[]> c : trackedMasters.values()) {
      NodeTracking n = nodeTracking.get(c);
      if (n == null || !n.on()) {
        return false;
      }
    }
    return true;
  }

  /** Cluster: one master's write connection, as client tracking sees it. */
  private static final class NodeTracking {
    /** Bumped by every reconnect of the connection (event loop). */
    final AtomicInteger connects = new AtomicInteger();
    /** {@link #connects} when tracking was last turned on; -1 before. */
    volatile int trackedAt = -1;
    /** Whether this connection's refusal was logged and no turn-on succeeded since. */
    final AtomicBoolean refused = new AtomicBoolean();

    boolean on() {
      return trackedAt == connects.get();
    }
  }

  private NodeTracking listenForReconnects(StatefulRedisConnection<String, byte[]> c) {
    NodeTracking n = new NodeTracking();
    // Added once the connection is up, so every call is a reconnect.
    c.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        n.connects.incrementAndGet();
        trackingOn = false; // what changed while disconnected is unknown until the clear
        retryTrackingSoon();
      }
    });
    return n;
  }

  /** {@link #retryTracking} on the scheduler: never on the event loop, which it would block. */
  private void retryTrackingSoon() {
    if (!retryQueued.compareAndSet(false, true)) {
      return; // one queued retry does for every reason to retry
    }
    try {
      scheduler.execute(() -> {
        try {
          retryTracking();
        } catch (RuntimeException e) {
          log.warn("client tracking not re-enabled after a reconnect: {}", rootMessage(e));
        }
      });
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  /**
   * Completes once a {@code PING} sent now was answered on every connection that tracks (the data
   * connection; on a cluster, each master's write connection, and only if one node's {@code
   * CLUSTER NODES} names no master that does not track): every push Redis sent before it has then
   * been applied. Fails otherwise.
   */
  public CompletableFuture<Void> confirmTracking() {
    StatefulConnection<String, byte[]> current = connection;
    if (!available() || current == null || !trackingOn) {
      return CompletableFuture.failedFuture(
          new RedisUnavailableException("client tracking is not on"));
    }
    if (!(current instanceof StatefulRedisClusterConnection<String, byte[]> cluster)) {
      return background("PING", c -> c.ping()).thenApply(pong -> null);
    }
    Map<String, StatefulRedisConnection<String, byte[]>> masters = trackedMasters;
    List<CompletableFuture<?>> replies = new ArrayList<>();
    for (StatefulRedisConnection<String, byte[]> c : masters.values()) {
      replies.add(c.async().ping().toCompletableFuture());
    }
    replies.add(cluster.async().clusterNodes().toCompletableFuture().thenAccept(nodes -> {
      // every master owning slots, flagged as failed or not: one that still answers others
      // could take writes this instance does not hear of
      Set<String> owners = new HashSet<>();
      for (RedisClusterNode node :
          slotMasters(ClusterPartitionParser.parse(nodes)).values()) {
        owners.add(name(node));
      }
      if (!masters.keySet().containsAll(owners)) {
        retryTrackingSoon();
        throw new CompletionException(
            new RedisUnavailableException("a master owning slots does not track yet"));
      }
    }));
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new));
  }

  /**
   * Tracking on for {@code current} (new, or one that refused it), then the caller's clear. Under
   * {@link #trackingLock}, so that it is never sent twice to one connection (Redis refuses a
   * second {@code BCAST PREFIX} of the same prefix).
   */
  private void restartTracking(StatefulRedisConnection<String, byte[]> current, Tracking t) {
    synchronized (trackingLock) {
      trackingOn = false;
      if (startTracking(current, t, trackingRefused)) {
        t.onReconnect().run();
        trackingOn = true;
      }
    }
  }

  private record Tracking(
      String prefix, Consumer<List<String>> onInvalidate, Runnable onReconnect) {}

  /** Cluster: the pushes of every node connection reach {@link #onPush}. */
  private StatefulRedisClusterConnection<String, byte[]> configure(
      StatefulRedisClusterConnection<String, byte[]> created) {
    created.addListener((node, message) -> onPush(message));
    return created;
  }

  /** An {@code invalidate} push of client tracking: the keys, or null (a flush) for all. */
  private void onPush(PushMessage message) {
    Tracking t = tracking;
    if (t == null || !"invalidate".equals(message.getType())) {
      return;
    }
    List<Object> content =
        message.getContent(buffer -> StandardCharsets.UTF_8.decode(buffer).toString());
    Object keys = content.size() > 1 ? content.get(1) : null;
    if (keys instanceof List<?> list) {
      List<String> names = new ArrayList<>(list.size());
      for (Object key : list) {
        names.add(
            key instanceof ByteBuffer b
                ? StandardCharsets.UTF_8.decode(b).toString()
                : String.valueOf(key));
      }
      t.onInvalidate().accept(names);
    } else {
      t.onInvalidate().accept(null);
    }
  }

  private StatefulRedisConnection<String, byte[]> configure(
      StatefulRedisConnection<String, byte[]> created) {
    created.addListener((PushMessage message) -> onPush(message));
    // Added once the connection is up, so every call is a reconnect, the first one included.
    created.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
        Tracking t = tracking;
        if (t != null) {
          trackingOn = false; // what changed while disconnected is unknown until the clear
          // Never block the event loop: turn tracking on again from the scheduler.
          scheduler.execute(() -> {
            try {
              restartTracking(created, t);
            } catch (RuntimeException e) {
              log.warn("client tracking not re-enabled after a reconnect: {}", rootMessage(e));
            }
          });
        }
      }
    });
    return created;
  }

  /**
   * Sends {@code CLIENT TRACKING ON BCAST PREFIX prefix NOLOOP}; whether Redis accepted it. A
   * refusal is logged at WARN once, then at DEBUG on every retry (one a second) until a turn-on
   * succeeds, which is logged at INFO.
   */
  private boolean startTracking(
      StatefulRedisConnection<String, byte[]> current, Tracking t, AtomicBoolean refusedFlag) {
    try {
      current
          .sync()
          .clientTracking(
              TrackingArgs.Builder.enabled().bcast().prefixes(t.prefix()).noloop());
    } catch (RuntimeException e) {
      String message = rootMessage(e);
      if (message == null || !message.contains("overlaps with an existing prefix")) {
        if (refusedFlag.compareAndSet(false, true)) {
          log.warn(
              "client tracking not enabled ({}); L1 does not answer in TRACKING mode until it is, "
                  + "tried again every second",
              message);
        } else {
          log.debug("client tracking still not enabled ({})", message);
        }
        return false;
      }
      // on already: a reconnect's turn-on and a retry both reached this connection
    }
    if (refusedFlag.compareAndSet(true, false)) {
      log.info("client tracking enabled at {}", safeUri);
    }
    return true;
  }

  /**
   * {@code PUBLISH channel message} without blocking. Redis accepts it at {@code maxmemory} (it
   * stores nothing), which makes it the fallback for messages a full Redis will not append.
   */
  public CompletableFuture<Long> publishAsync(String channel, String message) {
    byte[] payload = message.getBytes(StandardCharsets.UTF_8);
    return async("PUBLISH", redis -> redis.publish(channel, payload));
  }

  /**
   * Subscribes to {@code channel} on a connection of its own, which Lettuce reconnects and
   * subscribes again by itself. On a cluster any node receives every message. Fire-and-forget:
   * a message sent while this connection is down is lost.
   *
   * @return closes the subscription
   */
  public AutoCloseable subscribe(String channel, Consumer<String> onMessage) {
    AbstractRedisClient own =
        newClient(commandTimeout.compareTo(connectTimeout) >= 0 ? commandTimeout : connectTimeout);
    try {
      StatefulRedisPubSubConnection<String, String> pubsub =
          own instanceof RedisClusterClient cluster
              ? cluster.connectPubSub(StringCodec.UTF8)
              : ((RedisClient) own)
                  .connectPubSub(
                      StringCodec.UTF8, endpoint.redisUris(connectTimeout).get(0));
      pubsub.addListener(new RedisPubSubAdapter<String, String>() {
        @Override
        public void message(String from, String message) {
          if (channel.equals(from)) {
            onMessage.accept(message);
          }
        }
      });
      pubsub.sync().subscribe(channel);
      return () -> {
        pubsub
            .closeAsync()
            .whenComplete((ignored, error) -> own.shutdownAsync(0, 2, TimeUnit.SECONDS));
      };
    } catch (RuntimeException e) {
      own.shutdownAsync(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * Subscribes to a channel pattern on a connection of its own, on every master of a cluster
   * (keyspace notifications are published by the node that holds the key), reconnected by Lettuce.
   * Fire-and-forget: a message sent while the connection is down is lost; a master that joins the
   * cluster later is not subscribed.
   *
   * @param onMessage gets the channel and the message
   * @return closes the subscription
   */
  public AutoCloseable psubscribe(String pattern, BiConsumer<String, String> onMessage) {
    AbstractRedisClient own =
        newClient(commandTimeout.compareTo(connectTimeout) >= 0 ? commandTimeout : connectTimeout);
    try {
      RedisPubSubAdapter<String, String> listener = new RedisPubSubAdapter<>() {
        @Override
        public void message(String matched, String channel, String message) {
          onMessage.accept(channel, message);
        }
      };
      AutoCloseable close;
      if (own instanceof RedisClusterClient cluster) {
        StatefulRedisClusterPubSubConnection<String, String> pubsub =
            cluster.connectPubSub(StringCodec.UTF8);
        pubsub.setNodeMessagePropagation(true);
        pubsub.addListener(listener);
        pubsub.sync().upstream().commands().psubscribe(pattern);
        close = pubsub::closeAsync;
      } else {
        StatefulRedisPubSubConnection<String, String> pubsub = ((RedisClient) own)
            .connectPubSub(StringCodec.UTF8, endpoint.redisUris(connectTimeout).get(0));
        pubsub.addListener(listener);
        pubsub.sync().psubscribe(pattern);
        close = pubsub::closeAsync;
      }
      AutoCloseable connection = close;
      return () -> {
        try {
          connection.close();
        } finally {
          own.shutdownAsync(0, 2, TimeUnit.SECONDS);
        }
      };
    } catch (RuntimeException e) {
      own.shutdownAsync(0, 2, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * Makes sure {@code notify-keyspace-events} includes {@code flags} on the server (every master
   * of a cluster), adding them to what is set with {@code CONFIG SET} where allowed.
   *
   * @return null if the flags are on; otherwise why not (the setting and what it lacks)
   */
  public String ensureKeyspaceEvents(String flags) {
    try {
      List<String> missing = new ArrayList<>();
      forEachMaster(commands -> {
        Map<String, String> current = commands.configGet("notify-keyspace-events");
        String value = current == null ? "" : current.getOrDefault("notify-keyspace-events", "");
        String wanted = unionFlags(value, flags);
        if (!wanted.equals(normalizeFlags(value))) {
          try {
            commands.configSet("notify-keyspace-events", wanted);
          } catch (RuntimeException e) {
            missing.add("notify-keyspace-events is '" + value + "' and CONFIG SET was refused ("
                + rootMessage(e) + "): set it to include '" + flags + "' (for example 'E" + flags
                + "') on the server");
          }
        }
      });
      return missing.isEmpty() ? null : missing.get(0);
    } catch (RuntimeException e) {
      return "notify-keyspace-events could not be read (" + rootMessage(e)
          + "): set it to include 'E" + flags + "' on the server";
    }
  }

  private void forEachMaster(Consumer<RedisServerCommands<String, byte[]>> action) {
    StatefulConnection<String, byte[]> current = checkAvailable("CONFIG");
    if (current instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
      for (RedisClusterNode node : cluster.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          action.accept(cluster.getConnection(node.getNodeId()).sync());
        }
      }
    } else {
      action.accept(((StatefulRedisConnection<String, byte[]>) current).sync());
    }
  }

  /** The flags of {@code a} and {@code b} together, with 'K' or 'E' kept and 'E' added if neither. */
  static String unionFlags(String a, String b) {
    String all = normalizeFlags(a + b);
    if (all.indexOf('K') < 0 && all.indexOf('E') < 0) {
      all = normalizeFlags(all + "E");
    }
    return all;
  }

  private static String normalizeFlags(String flags) {
    StringBuilder out = new StringBuilder();
    flags.chars().distinct().sorted().forEach(c -> out.append((char) c));
    return out.toString();
  }

  private static RedisClusterCommands<String, byte[]> commands(
      StatefulConnection<String, byte[]> current) {
    if (current instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
      return cluster.sync();
    }
    return ((StatefulRedisConnection<String, byte[]>) current).sync();
  }

  private static RedisClusterAsyncCommands<String, byte[]> asyncCommands(
      StatefulConnection<String, byte[]> current) {
    if (current instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
      return cluster.async();
    }
    return ((StatefulRedisConnection<String, byte[]>) current).async();
  }

  /** Whether the breaker is closed and a connection exists. */
  public boolean available() {
    return !breaker.isOpen() && connection != null && !closed;
  }

  /** How many times the breaker opened. */
  public long breakerTrips() {
    return breaker.trips();
  }

  /** Keys waiting to be deleted once Redis is back. */
  public int pendingDeletes() {
    return pending.size();
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
  public <T> T call(String what, Function<RedisClusterCommands<String, byte[]>, T> command) {
    StatefulConnection<String, byte[]> current = checkAvailable(what);
    T result;
    try {
      result = command.apply(commands(current));
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
    return result;
  }

  /**
   * Runs commands through the asynchronous API (pipelined on one connection) and waits for all
   * of them within the command timeout.
   */
  public <T> T pipeline(
      String what,
      Function<RedisClusterAsyncCommands<String, byte[]>, List<RedisFuture<?>>> commands,
      Function<List<RedisFuture<?>>, T> result) {
    StatefulConnection<String, byte[]> current = checkAvailable(what);
    try {
      List<RedisFuture<?>> futures = commands.apply(asyncCommands(current));
      boolean done = LettuceFutures.awaitAll(
          commandTimeout.toNanos(), TimeUnit.NANOSECONDS, futures.toArray(new RedisFuture<?>[0]));
      if (!done) {
        throw new RedisCommandTimeoutException(
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
  public <T> CompletableFuture<T> async(
      String what, Function<RedisClusterAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
    StatefulConnection<String, byte[]> current;
    try {
      current = checkAvailable(what);
    } catch (RedisUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      command.apply(asyncCommands(current)).whenComplete((value, error) -> {
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

  /**
   * Starts a bookkeeping command of Tiercache's own (a heartbeat, an acknowledgement) that must not
   * change how the instance sees Redis: its failure neither opens the breaker nor marks Redis as
   * refusing writes. The future fails with {@link RedisUnavailableException}.
   */
  public <T> CompletableFuture<T> background(
      String what, Function<RedisClusterAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
    if (!available()) {
      return CompletableFuture.failedFuture(
          new RedisUnavailableException(what + ": Redis is unavailable"));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      StatefulConnection<String, byte[]> current = connection;
      if (current == null) {
        return CompletableFuture.failedFuture(
            new RedisUnavailableException(what + ": not connected"));
      }
      command.apply(asyncCommands(current)).whenComplete((value, error) -> {
        if (error == null) {
          result.complete(value);
        } else {
          result.completeExceptionally(
              new RedisUnavailableException(what + " failed: " + rootMessage(error), error));
        }
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(
          new RedisUnavailableException(what + " failed: " + rootMessage(e), e));
    }
    return result;
  }

  /* ---- Cache operations ---- */

  /** Keys per second a pattern deletion may remove (a SCAN page counting as 50); 0 for no limit. */
  private volatile long patternDeleteRate;

  /** Paces pattern deletions ({@link #deleteMatching}): at most this many keys per second; 0 for no limit. */
  public void patternDeleteRate(long keysPerSecond) {
    if (keysPerSecond < 0) {
      throw new IllegalArgumentException(
          "keysPerSecond must not be negative, was " + keysPerSecond);
    }
    this.patternDeleteRate = keysPerSecond;
  }

  /** {@code GET key}; null if absent. */
  public byte[] get(String key) {
    return call("GET", redis -> redis.get(key));
  }

  /**
   * The value of {@code key}, read with {@code GETRANGE key 0 maxBytes} so that a value larger
   * than {@code maxBytes} costs at most {@code maxBytes + 1} bytes of memory here, whatever it
   * holds in Redis: a result longer than {@code maxBytes} means the value is too large.
   *
   * @return null if absent or empty (Tiercache never stores an empty value)
   */
  public byte[] getBounded(String key, int maxBytes) {
    byte[] value = call("GET", redis -> redis.getrange(key, 0, maxBytes));
    return value == null || value.length == 0 ? null : value;
  }

  /** {@link #getBounded} without blocking. */
  public CompletableFuture<byte[]> getBoundedAsync(String key, int maxBytes) {
    return this.<byte[]>async("GET", redis -> redis.getrange(key, 0, maxBytes))
        .thenApply(value -> value == null || value.length == 0 ? null : value);
  }

  /** {@code GET key} without blocking. */
  public CompletableFuture<byte[]> getAsync(String key) {
    return async("GET", redis -> redis.get(key));
  }

  /** {@code MGET keys}: one round trip; the list holds null for absent keys, in key order. */
  public List<byte[]> mget(List<String> keys) {
    return call("MGET", redis -> {
      List<byte[]> values = new ArrayList<>(keys.size());
      redis
          .mget(keys.toArray(new String[0]))
          .forEach(kv -> values.add(kv.hasValue() ? kv.getValue() : null));
      return values;
    });
  }

  /**
   * Reads each key with {@code GETRANGE key 0 maxBytes} in a script, so that a hostile value costs
   * at most {@code maxBytes + 1} bytes here, as in {@link #getBounded}; a key that is absent, empty
   * or not a string reads as absent. One script per slot: one per call on a single Redis.
   */
  private static final String MGET_BOUNDED = "local r = {} for i, k in ipairs(KEYS) do "
      + "local v = redis.pcall('GETRANGE', k, 0, ARGV[1]) "
      + "if type(v) == 'table' then r[i] = '' else r[i] = v end end return r";

  /**
   * {@link #getBounded} of many keys in one round trip: one script per slot, pipelined; the list
   * holds null for absent keys, in key order.
   */
  public List<byte[]> mgetBounded(List<String> keys, int maxBytes) {
    if (keys.isEmpty()) {
      return List.of();
    }
    byte[] bound = Integer.toString(maxBytes).getBytes(StandardCharsets.US_ASCII);
    List<List<Integer>> groups = new ArrayList<>();
    if (isCluster()) {
      Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        bySlot.computeIfAbsent(slot(keys.get(i)), s -> new ArrayList<>()).add(i);
      }
      groups.addAll(bySlot.values());
    } else {
      List<Integer> all = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        all.add(i);
      }
      groups.add(all);
    }
    return pipeline(
        "GETRANGE (many)",
        redis -> {
          List<RedisFuture<?>> futures = new ArrayList<>(groups.size());
          for (List<Integer> group : groups) {
            String[] slotKeys = new String[group.size()];
            for (int j = 0; j < slotKeys.length; j++) {
              slotKeys[j] = keys.get(group.get(j));
            }
            futures.add(
                redis.<List<Object>>eval(MGET_BOUNDED, ScriptOutputType.MULTI, slotKeys, bound));
          }
          return futures;
        },
        futures -> {
          byte[][] values = new byte[keys.size()][];
          for (int g = 0; g < groups.size(); g++) {
            @SuppressWarnings("unchecked")
            List<Object> replies =
                (List<Object>) futures.get(g).toCompletableFuture().join();
            List<Integer> group = groups.get(g);
            for (int j = 0; j < group.size(); j++) {
              Object reply = j < replies.size() ? replies.get(j) : null;
              byte[] value = reply instanceof byte[] bytes && bytes.length > 0 ? bytes : null;
              values[group.get(j)] = value;
            }
          }
          return Arrays.asList(values);
        });
  }

  /**
   * The value of KEYS[1] bounded as in {@link #getBounded}, or, when it has none, the lease
   * KEYS[2] taken with {@code SET NX PX}: {@code {1, value}}, {@code {2}} (lease taken) or {@code
   * {3}} (the lease is held by another caller). A value that is not a string reads as absent.
   */
  private static final String GET_OR_LEASE =
      "local v = redis.pcall('GETRANGE', KEYS[1], 0, ARGV[1]) "
          + "if type(v) == 'string' and v ~= '' then return {1, v} end "
          + "if redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'NX') then return {2} end return {3}";

  /**
   * SET KEYS[1] ARGV[1] PX ARGV[2] NX, then the release of the lease KEYS[2] if it still holds
   * ARGV[3]: a loaded value written and its load lease given back in one command.
   */
  private static final String SET_NX_AND_RELEASE =
      "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') "
          + "if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end return 1";

  /**
   * {@link #setIfAbsent} of a loaded value and the release of its load lease (deleted if it still
   * holds {@code lease}) in one command; the two keys must be in one slot on a cluster ({@link
   * #sameSlot}).
   */
  public void setIfAbsentAndRelease(
      String key, byte[] value, long ttlMillis, String leaseKey, byte[] lease) {
    call(
        "SET NX + release",
        redis -> redis.<Long>eval(
            SET_NX_AND_RELEASE,
            ScriptOutputType.INTEGER,
            new String[] {key, leaseKey},
            value,
            ascii(ttlMillis),
            lease));
  }

  /** {@link #setIfAbsentAndRelease} without blocking. */
  public CompletableFuture<Long> setIfAbsentAndReleaseAsync(
      String key, byte[] value, long ttlMillis, String leaseKey, byte[] lease) {
    return this.<Long>async(
        "SET NX + release",
        redis -> redis.eval(
            SET_NX_AND_RELEASE,
            ScriptOutputType.INTEGER,
            new String[] {key, leaseKey},
            value,
            ascii(ttlMillis),
            lease));
  }

  /** What {@link #getOrLease} found. */
  public record ValueOrLease(byte[] value, boolean leaseTaken) {}

  /**
   * One round trip for a read that would take a lease on a miss: the value of {@code key} (read as
   * {@link #getBounded} reads it), or, when there is none, the lease {@code leaseKey} ({@code SET NX
   * PX}). The two keys must be in one slot on a cluster ({@link #sameSlot}).
   *
   * @return the value (and no lease), or no value and whether the lease was taken
   */
  public ValueOrLease getOrLease(
      String key, int maxBytes, String leaseKey, byte[] lease, long leaseMillis) {
    return call(
        "GET or lease",
        redis -> toValueOrLease(redis.eval(
            GET_OR_LEASE,
            ScriptOutputType.MULTI,
            new String[] {key, leaseKey},
            ascii(maxBytes),
            lease,
            ascii(leaseMillis))));
  }

  /** {@link #getOrLease} without blocking. */
  public CompletableFuture<ValueOrLease> getOrLeaseAsync(
      String key, int maxBytes, String leaseKey, byte[] lease, long leaseMillis) {
    return this.<List<Object>>async(
            "GET or lease",
            redis -> redis.eval(
                GET_OR_LEASE,
                ScriptOutputType.MULTI,
                new String[] {key, leaseKey},
                ascii(maxBytes),
                lease,
                ascii(leaseMillis)))
        .thenApply(RedisTier::toValueOrLease);
  }

  private static ValueOrLease toValueOrLease(Object reply) {
    List<?> parts = (List<?>) reply;
    long kind = ((Number) parts.get(0)).longValue();
    if (kind == 1) {
      return new ValueOrLease((byte[]) parts.get(1), false);
    }
    return new ValueOrLease(null, kind == 2);
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The cluster slot of a key, from its UTF-8 bytes as the connection's codec sends them (Lettuce's
   * {@code SlotHash.getSlot(String)} uses the JVM's default charset, which differs from UTF-8 for a
   * non-ASCII key under another locale).
   */
  public static int slot(String key) {
    return SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether two keys hash to one slot (always, off a cluster): a script may then name both. */
  public boolean sameSlot(String a, String b) {
    return !isCluster() || slot(a) == slot(b);
  }

  /** {@code SET key value PX ttl}. */
  public void set(String key, byte[] value, long ttlMillis) {
    call("SET", redis -> redis.set(key, value, SetArgs.Builder.px(ttlMillis)));
  }

  /** {@code SET key value PX ttl NX}; whether the value was stored. */
  public boolean setIfAbsent(String key, byte[] value, long ttlMillis) {
    return "OK"
        .equals(call(
            "SET NX",
            redis -> redis.set(key, value, SetArgs.Builder.px(ttlMillis).nx())));
  }

  /** {@link #setIfAbsent} without blocking; the future fails with {@link RedisUnavailableException}. */
  public CompletableFuture<Boolean> setIfAbsentAsync(String key, byte[] value, long ttlMillis) {
    return this.<String>async(
            "SET NX",
            redis -> redis.set(key, value, SetArgs.Builder.px(ttlMillis).nx()))
        .thenApply("OK"::equals);
  }

  private static final String COMPARE_AND_DELETE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

  /** Deletes {@code key} only if it still holds {@code expected}; whether it did. */
  public boolean compareAndDelete(String key, byte[] expected) {
    Long deleted = call(
        "compare-and-delete",
        redis -> redis.<Long>eval(
            COMPARE_AND_DELETE, ScriptOutputType.INTEGER, new String[] {key}, expected));
    return deleted != null && deleted > 0;
  }

  /** {@link #compareAndDelete} without blocking. */
  public CompletableFuture<Boolean> compareAndDeleteAsync(String key, byte[] expected) {
    return this.<Long>async(
            "compare-and-delete",
            redis -> redis.eval(
                COMPARE_AND_DELETE, ScriptOutputType.INTEGER, new String[] {key}, expected))
        .thenApply(deleted -> deleted != null && deleted > 0);
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
    pipeline(
        "SET (pipelined)",
        redis -> {
          List<RedisFuture<?>> futures = new ArrayList<>(values.size());
          for (Map.Entry<String, byte[]> entry : values.entrySet()) {
            SetArgs args = SetArgs.Builder.px(ttls.get(entry.getKey()));
            futures.add(
                redis.set(entry.getKey(), entry.getValue(), onlyIfAbsent ? args.nx() : args));
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

  /**
   * Runs {@code write} and then {@code WAIT replicas timeout}, on a connection of their own (on a
   * cluster, WAIT goes to the master that serves {@code key}'s slot): {@code WAIT} blocks the
   * connection it runs on, so the shared one never waits for replicas. Fails fast while the
   * breaker is open, like {@link #call}.
   *
   * @return how many replicas acknowledged the write within the timeout
   */
  public long writeAndAwaitReplicas(
      String what,
      String key,
      Consumer<RedisClusterCommands<String, byte[]>> write,
      int replicas,
      Duration timeout) {
    checkAvailable(what);
    try {
      RedisClusterCommands<String, byte[]> commands = commands(ackConnection(timeout));
      write.accept(commands);
      if (commands instanceof RedisAdvancedClusterCommands<String, byte[]> cluster) {
        RedisClusterNode master =
            cluster.getStatefulConnection().getPartitions().getPartitionBySlot(slot(key));
        if (master == null) {
          throw new RedisException("no master serves the slot of the key");
        }
        // WAIT counts the replicas that have this client's own last write: it must go to the
        // connection the write went through, the one Lettuce writes this master's slots to (by
        // address; the one by node id is another client, whose last write is not this one)
        return cluster
            .getConnection(master.getUri().getHost(), master.getUri().getPort())
            .waitForReplication(replicas, timeout.toMillis());
      }
      return commands.waitForReplication(replicas, timeout.toMillis());
    } catch (RuntimeException e) {
      throw failure(what, e);
    }
  }

  private volatile StatefulConnection<String, byte[]> ackConnection;

  private StatefulConnection<String, byte[]> ackConnection(Duration waitTimeout) {
    StatefulConnection<String, byte[]> current = ackConnection;
    if (current == null) {
      synchronized (probeLock) {
        current = ackConnection;
        if (current == null) {
          current = connect();
          current.setTimeout(commandTimeout.plus(waitTimeout)); // WAIT may block for its timeout
          ackConnection = current;
        }
      }
    }
    return current;
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
    return deleteMatching(pattern, null);
  }

  /**
   * Deletes the keys that match {@code pattern} ({@code SCAN MATCH}) and that {@code filter}
   * accepts, for a selection a glob alone cannot express.
   *
   * @param filter null for every key the pattern matches
   */
  public long deleteMatching(String pattern, Predicate<String> filter) {
    return call("SCAN+UNLINK", redis -> scanDelete(redis, pattern, filter));
  }

  /**
   * SCAN + UNLINK, sparing Tiercache's own data ({@code prefix:__...}: streams, toolkit state). On
   * a cluster every {@link #servingMasters serving master} is scanned in turn; the client splits
   * each page's {@code UNLINK} per slot.
   */
  private long scanDelete(
      RedisClusterCommands<String, byte[]> redis, String pattern, Predicate<String> filter) {
    if (redis instanceof RedisAdvancedClusterCommands<String, byte[]> cluster) {
      long deleted = 0;
      for (String nodeId : servingMasters(cluster)) {
        deleted += scanDelete(cluster.getConnection(nodeId), redis, pattern, filter);
      }
      return deleted;
    }
    return scanDelete(redis, redis, pattern, filter);
  }

  private long scanDelete(
      RedisClusterCommands<String, byte[]> scanned,
      RedisClusterCommands<String, byte[]> redis,
      String pattern,
      Predicate<String> filter) {
    String reserved = prefix + ":__";
    long deleted = 0;
    long paced = 0;
    long rate = patternDeleteRate;
    long start = System.nanoTime();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(BATCH);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      if (rate > 0 && paced > 0) {
        // Low priority: at most `rate` keys per second (a SCAN page counts as 50), so that a mass
        // invalidation leaves Redis, and every other command queued behind it, room to breathe.
        long due = start + paced * 1_000_000_000L / rate - System.nanoTime();
        if (due > 0) {
          LockSupport.parkNanos(due);
        }
      }
      KeyScanCursor<String> page = scanned.scan(cursor, args);
      List<String> doomed = new ArrayList<>(page.getKeys().size());
      for (String key : page.getKeys()) {
        if (!key.startsWith(reserved) && (filter == null || filter.test(key))) {
          doomed.add(key);
        }
      }
      if (!doomed.isEmpty()) {
        deleted += redis.unlink(doomed.toArray(new String[0]));
      }
      paced += doomed.size() + 50;
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
      List<RedisClusterCommands<String, byte[]>> scanned = new ArrayList<>();
      if (redis instanceof RedisAdvancedClusterCommands<String, byte[]> cluster) {
        servingMasters(cluster).forEach(nodeId -> scanned.add(cluster.getConnection(nodeId)));
      } else {
        scanned.add(redis);
      }
      long count = 0;
      ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1_000);
      for (RedisClusterCommands<String, byte[]> node : scanned) {
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
          KeyScanCursor<String> page = node.scan(cursor, args);
          count += page.getKeys().size();
          cursor = page;
          if (count >= cap) {
            return new long[] {count, 1};
          }
        } while (!cursor.isFinished());
      }
      return new long[] {count, 0};
    });
  }

  /**
   * The node ids of the cluster's masters that serve slots, in the client's current topology. A
   * master that failed and whose slots a replica took over stays listed as a master without slots
   * until it returns or is forgotten; it holds no keys and is left out, or every {@code SCAN} and
   * {@code INFO} over the masters would fail on it after a failover.
   */
  private static List<String> servingMasters(RedisAdvancedClusterCommands<String, byte[]> cluster) {
    List<String> ids = new ArrayList<>();
    for (RedisClusterNode node : cluster.getStatefulConnection().getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
        ids.add(node.getNodeId());
      }
    }
    return ids;
  }

  /**
   * How many masters serve slots: 1 on a standalone or Sentinel Redis; on a cluster, the masters
   * that serve slots in the client's current topology (refreshed first, so a cluster just formed or
   * resized is counted as it is now).
   *
   * @throws io.tiercache.RedisUnavailableException when the cluster cannot be asked now
   */
  public int servingMasterCount() {
    if (!endpoint.isCluster()) {
      return 1;
    }
    return call("CLUSTER NODES", redis -> {
      if (redis instanceof RedisAdvancedClusterCommands<String, byte[]> cluster) {
        if (client instanceof RedisClusterClient clusterClient) {
          clusterClient.refreshPartitions();
        }
        return Math.max(1, servingMasters(cluster).size());
      }
      return 1;
    });
  }

  /**
   * {@code INFO} of every master: one entry on a standalone or Sentinel Redis, one per master that
   * serves slots on a cluster.
   */
  public List<String> info() {
    return call("INFO", redis -> {
      if (redis instanceof RedisAdvancedClusterCommands<String, byte[]> cluster) {
        List<String> all = new ArrayList<>();
        cluster
            .nodes(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.hasNoSlots())
            .commands()
            .info()
            .forEach(all::add);
        return all;
      }
      return List.of(redis.info());
    });
  }

  /**
   * Remembers that {@code key} must be deleted from Redis when it is reachable again, because a
   * write to it failed. If Redis is reachable right now, deletes it at once.
   */
  public void rememberDelete(String key) {
    pending.remember(key);
    if (available()) {
      // The breaker closed between the failed write and now: the probe's replay may have missed it.
      scheduler.execute(this::replayQuietly);
    }
  }

  /**
   * Remembers that every key matching {@code pattern} (and {@code filter}, when not null) must be
   * deleted when Redis is reachable again (an {@code invalidateAll} or pattern invalidation that
   * could not run); {@code announce} runs once they are, to tell the other instances.
   */
  public void rememberDeletePattern(String pattern, Predicate<String> filter, Runnable announce) {
    pending.rememberPattern(pattern, filter, announce);
    if (available()) {
      scheduler.execute(this::replayQuietly);
    }
  }

  /**
   * Replays the pending deletes while the breaker is closed (a write failed, but Redis was not
   * declared down). A replay that fails counts towards the breaker and is tried again after the
   * probe interval, so that a key whose write failed once is never left stale in Redis until the
   * next outage; once the breaker is open, the probe replays instead.
   */
  private void replayQuietly() {
    if (closed || !available()) {
      return;
    }
    try {
      replayPendingDeletes();
    } catch (RuntimeException e) {
      failure("UNLINK (replay of failed writes)", e);
      log.debug("pending deletes not replayed yet: {}", rootMessage(e));
      if (!closed && available() && !pending.isEmpty()) {
        try {
          scheduler.schedule(this::replayQuietly, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shutDown) {
          // closing
        }
      }
    }
  }

  /* ---- Circuit breaker ---- */

  private StatefulConnection<String, byte[]> checkAvailable(String what) {
    if (closed) {
      throw new RedisUnavailableException(what + ": the cache is closed");
    }
    StatefulConnection<String, byte[]> current = connection;
    if (breaker.isOpen() || current == null) {
      throw new RedisUnavailableException(
          what + ": Redis at " + safeUri + " is unavailable (circuit open)");
    }
    return current;
  }

  private RedisUnavailableException failure(String what, RuntimeException error) {
    // a pipelined command's error reply arrives wrapped by join()
    RuntimeException e =
        error instanceof CompletionException && error.getCause() instanceof RuntimeException cause
            ? cause
            : error;
    if (e instanceof RedisUnavailableException) {
      return (RedisUnavailableException) e;
    }
    if (e instanceof RedisCommandExecutionException && !Breaker.isClusterDown(e)) {
      if (Breaker.isOutOfMemory(e)) {
        breaker.outOfMemory(what);
      }
      return new RedisUnavailableException(what + " failed: " + e.getMessage(), e);
    }
    // An outage, or a cluster that refuses every key command until a slot has a master again
    // (CLUSTERDOWN): open the breaker, so that the probe replays the failed deletes before the
    // breaker closes; but one slow reply among good ones is not an outage.
    StatefulConnection<String, byte[]> current = connection;
    if (!closed && breaker.shouldOpen(current == null || !current.isOpen(), e) && breaker.open()) {
      log.warn(
          "Redis at {} is unavailable ({}: {}); caches answer from L1 and loaders until it is back",
          safeUri,
          what,
          rootMessage(e));
      scheduleProbe();
    }
    return new RedisUnavailableException(
        what + ": Redis at " + safeUri + " failed: " + rootMessage(e), e);
  }

  /**
   * Sets when the breaker opens; see {@code TierCacheBuilder.breaker}.
   *
   * @param failures failure events (timeouts or connection failures, those less than 50 ms apart
   *     counting as one) within {@code window} that open it; 1 opens on the first
   */
  public void breakerPolicy(int failures, Duration window) {
    breaker.policy(failures, window);
  }

  /** Whether {@code error} (or its cause) is Redis refusing a write because it reached {@code maxmemory}. */
  public static boolean isOutOfMemory(Throwable error) {
    return Breaker.isOutOfMemory(error);
  }

  /**
   * Why writes are refused, naming {@code maxmemory}, if Redis refused one in the last 10 s; else null.
   */
  public String writesRefused() {
    return breaker.writesRefused();
  }

  /** Where Redis is, without credentials. */
  public String describe() {
    return safeUri;
  }

  private void openBreaker() {
    breaker.open();
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
      StatefulConnection<String, byte[]> current = connection;
      if (current == null) {
        current = connect();
        connection = current;
        Tracking t = tracking;
        if (t != null && current instanceof StatefulRedisConnection<String, byte[]> standalone) {
          restartTracking(standalone, t);
        } else if (t != null) {
          retryTracking();
        }
      }
      commands(current).ping();
      replayPendingDeletes();
      ReplayListener listener = replayListener;
      if (listener != null) {
        listener.recovering();
      }
      breaker.close();
      replayPendingDeletes(); // keys remembered by writers that saw the breaker still open
      log.info("Redis at {} is available again; caches use it from now on", safeUri);
      synchronized (probeLock) {
        probe.cancel(false);
      }
    } catch (RuntimeException e) {
      log.debug("Redis at {} still unavailable: {}", safeUri, rootMessage(e));
      CompletableFuture<Void> previous = topologyRefresh;
      if (client instanceof RedisClusterClient cluster
          && connection != null
          && !closed
          && (previous == null || previous.isDone())) {
        // Adaptive refreshes run at most every ADAPTIVE_REFRESH_SECONDS: read the topology now,
        // so that the next probe reaches a replica promoted meanwhile.
        topologyRefresh = cluster
            .refreshPartitionsAsync()
            .toCompletableFuture()
            .whenComplete((done, error) -> {
              if (error != null) {
                log.debug("cluster topology not refreshed: {}", rootMessage(error));
              }
            });
      }
    }
  }

  private void replayPendingDeletes() {
    StatefulConnection<String, byte[]> current = connection;
    if (current == null) {
      throw new RedisUnavailableException("not connected");
    }
    pending.replay(commands(current), this::scanDelete, replayListener);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
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
    CompletableFuture<Void> refresh = topologyRefresh;
    if (refresh != null) { // let it finish rather than fail on a client shutting down
      try {
        refresh.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // a refresh that failed or still runs does not delay the shutdown further
      }
    }
    StatefulConnection<String, byte[]> current = connection;
    if (current != null) {
      current.close();
    }
    StatefulConnection<String, byte[]> acked = ackConnection;
    if (acked != null) {
      acked.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
