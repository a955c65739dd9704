package io.tiercache.test;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A master, one replica and one Sentinel (quorum 1) on loopback ports, each a {@code redis-server}
 * process in a temporary folder of its own, for failover tests.
 *
 * <p>{@link #launch()} returns once the replica is in sync and the Sentinel reports the master.
 * The Sentinel declares a master down after 1 s without an answer. {@link #killMaster()} crashes
 * the current master; {@link #awaitFailover} waits until the Sentinel names the other node.
 * {@link #close()} stops every process and deletes the folders.
 *
 * <pre>{@code
 * try (EmbeddedRedisSentinel redis = EmbeddedRedisSentinel.launch()) {
 *   TierCache tier = TierCache.builder().redisUri(redis.uri()).build();
 * }
 * }</pre>
 */
public final class EmbeddedRedisSentinel implements Closeable {

  /** The name the Sentinel monitors the master under. */
  public static final String MASTER_NAME = "mymaster";

  private final Path folder;
  private final List<RedisProcess> data = new ArrayList<>();
  private RedisProcess sentinel;

  private EmbeddedRedisSentinel(Path folder) {
    this.folder = folder;
  }

  /** Starts the master, the replica and the Sentinel. */
  public static EmbeddedRedisSentinel launch() {
    Path folder;
    try {
      folder = Files.createTempDirectory("tiercache-sentinel-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder", e);
    }
    EmbeddedRedisSentinel setup = new EmbeddedRedisSentinel(folder);
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ports.add(RedisProcess.freeClusterPort(ports));
      }
      RedisProcess master = new RedisProcess(
          Files.createDirectories(folder.resolve("master")), ports.get(0), List.of(), false);
      RedisProcess replica = new RedisProcess(
          Files.createDirectories(folder.resolve("replica")),
          ports.get(1),
          List.of("replicaof 127.0.0.1 " + ports.get(0)),
          false);
      setup.data.add(master);
      setup.data.add(replica);
      master.start();
      replica.start();
      setup.awaitReplicaInSync(replica, 15);
      setup.sentinel = new RedisProcess(
          Files.createDirectories(folder.resolve("sentinel")),
          ports.get(2),
          List.of(
              "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + ports.get(0) + " 1",
              "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
              "sentinel failover-timeout " + MASTER_NAME + " 5000",
              "sentinel parallel-syncs " + MASTER_NAME + " 1"),
          true);
      setup.sentinel.start();
      setup.awaitMaster(ports.get(0), 15);
      return setup;
    } catch (IOException e) {
      setup.close();
      throw new UncheckedIOException("could not start an embedded Sentinel setup", e);
    } catch (RuntimeException e) {
      setup.close();
      throw e;
    }
  }

  /** {@code redis-sentinel://127.0.0.1:PORT#mymaster}. */
  public String uri() {
    return "redis-sentinel://127.0.0.1:" + sentinel.port() + "#" + MASTER_NAME;
  }

  /** The Sentinel's port. */
  public int sentinelPort() {
    return sentinel.port();
  }

  /** The port of the node the Sentinel currently names as master. */
  public int masterPort() {
    try (Resp resp = sentinel.connect()) {
      List<?> address = (List<?>) resp.command("SENTINEL", "get-master-addr-by-name", MASTER_NAME);
      return Integer.parseInt((String) address.get(1));
    }
  }

  /** A {@link Resp} connection to the current master. */
  public Resp connectMaster() {
    return Resp.connect(masterPort());
  }

  /** Crashes the current master ({@code SIGKILL}); returns its port. */
  public int killMaster() {
    int port = masterPort();
    for (RedisProcess node : data) {
      if (node.port() == port) {
        node.kill();
      }
    }
    return port;
  }

  /**
   * Waits until the Sentinel names a master other than {@code oldPort} and that node accepts
   * writes.
   *
   * @throws IllegalStateException after {@code seconds}
   */
  public void awaitFailover(int oldPort, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      try {
        int port = masterPort();
        if (port != oldPort) {
          try (Resp resp = Resp.connect(port)) {
            String role = (String) ((List<?>) resp.command("ROLE")).get(0);
            if ("master".equals(role)) {
              return;
            }
          }
        }
      } catch (RuntimeException notYet) {
        // the Sentinel or the promoted node is still busy
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no failover away from port " + oldPort + " within " + seconds + " s");
      }
      RedisProcess.sleep(100);
    }
  }

  private void awaitReplicaInSync(RedisProcess replica, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      try (Resp resp = replica.connect()) {
        String info = (String) resp.command("INFO", "replication");
        if (info.contains("master_link_status:up")) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the replica did not sync within " + seconds + " s");
      }
      RedisProcess.sleep(50);
    }
  }

  private void awaitMaster(int port, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      try {
        if (masterPort() == port) {
          return;
        }
      } catch (RuntimeException notYet) {
        // still starting
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the Sentinel does not report the master within " + seconds + " s");
      }
      RedisProcess.sleep(50);
    }
  }

  /** Stops every process and deletes the folders. */
  @Override
  public void close() {
    if (sentinel != null) {
      sentinel.kill();
    }
    data.forEach(RedisProcess::kill);
    EmbeddedRedisServer.deleteRecursively(folder);
  }
}
