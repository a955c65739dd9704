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
 * A real Redis Cluster of three masters (no replicas) on loopback ports, each node a
 * {@code redis-server} with {@code cluster-enabled yes} in a temporary folder of its own.
 *
 * <p>{@link #launch()} returns only when every node reports {@code cluster_state:ok}, knows all
 * three nodes and sees all 16384 slots assigned. The slots are split in three ranges, node 0
 * serving 0..5460, node 1 5461..10922 and node 2 10923..16383. Nodes never persist data; the
 * cluster bus uses {@code port + 10000}. {@link #kill(int)} crashes one node ({@code SIGKILL});
 * {@link #restart(int)} starts it again on the same port with its {@code nodes.conf}, so it
 * rejoins with its slots (and no data). {@link #close()} stops every node and deletes the folders.
 *
 * <pre>{@code
 * try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch()) {
 *   TierCache tier = TierCache.builder().redisCluster(cluster.seedUris()).build();
 * }
 * }</pre>
 */
public final class EmbeddedRedisCluster implements Closeable {

  /** Nodes in the cluster. */
  public static final int NODES = 3;
  /** Slots in every Redis Cluster. */
  public static final int SLOTS = 16_384;

  private final Path folder;
  private final List<RedisProcess> nodes;

  private EmbeddedRedisCluster(Path folder, List<RedisProcess> nodes) {
    this.folder = folder;
    this.nodes = nodes; // filled while launching, fixed afterwards
  }

  /** Starts a 3-master cluster with the default settings. */
  public static EmbeddedRedisCluster launch() {
    return launch(List.of());
  }

  /**
   * Starts a 3-master cluster.
   *
   * @param extraSettings {@code redis.conf} lines for every node, after the defaults ({@code
   *     cluster-node-timeout 3000} among them); not null
   * @throws IllegalStateException if the cluster does not reach {@code cluster_state:ok} in 30 s
   */
  public static EmbeddedRedisCluster launch(List<String> extraSettings) {
    if (extraSettings == null) {
      throw new IllegalArgumentException("extraSettings must not be null");
    }
    Path folder;
    try {
      folder = Files.createTempDirectory("tiercache-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder", e);
    }
    List<RedisProcess> nodes = new ArrayList<>();
    EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(folder, nodes);
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        int port = RedisProcess.freeClusterPort(ports);
        ports.add(port);
        Path nodeFolder = Files.createDirectories(folder.resolve("node-" + i));
        List<String> settings = new ArrayList<>(List.of(
            "cluster-enabled yes",
            "cluster-config-file nodes.conf",
            "cluster-node-timeout 3000"));
        settings.addAll(extraSettings);
        nodes.add(new RedisProcess(nodeFolder, port, settings, false));
      }
      for (RedisProcess node : nodes) {
        node.start();
      }
      for (int i = 0; i < NODES; i++) {
        int from = i * SLOTS / NODES;
        int to = (i + 1) * SLOTS / NODES - 1;
        String[] command = new String[2 + to - from + 1];
        command[0] = "CLUSTER";
        command[1] = "ADDSLOTS";
        for (int slot = from; slot <= to; slot++) {
          command[2 + slot - from] = Integer.toString(slot);
        }
        try (Resp resp = nodes.get(i).connect()) {
          resp.command(command);
        }
      }
      try (Resp first = nodes.get(0).connect()) {
        for (int i = 1; i < NODES; i++) {
          first.command("CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.get(i).port()));
        }
      }
      cluster.awaitHealthy(30);
      return cluster;
    } catch (IOException e) {
      cluster.close();
      throw new UncheckedIOException("could not start an embedded Redis Cluster", e);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code redis://127.0.0.1:PORT} of every node, for {@code TierCacheBuilder.redisCluster}. */
  public List<String> seedUris() {
    List<String> uris = new ArrayList<>(NODES);
    for (RedisProcess node : nodes) {
      uris.add("redis://127.0.0.1:" + node.port());
    }
    return uris;
  }

  /** The client port of every node, in node order. */
  public List<Integer> ports() {
    List<Integer> ports = new ArrayList<>(NODES);
    nodes.forEach(node -> ports.add(node.port()));
    return ports;
  }

  /** A {@link Resp} connection to one node (it answers {@code MOVED} for keys of other nodes). */
  public Resp connect(int node) {
    return nodes.get(checkIndex(node)).connect();
  }

  /** The node that serves {@code key}'s slot. */
  public int nodeOf(String key) {
    try (Resp resp = nodes.get(firstRunning()).connect()) {
      long slot = (Long) resp.command("CLUSTER", "KEYSLOT", key);
      for (int i = 0; i < NODES; i++) {
        if (slot <= (long) (i + 1) * SLOTS / NODES - 1) {
          return i;
        }
      }
      throw new IllegalStateException("slot " + slot + " out of range");
    }
  }

  /** Keys on one node, read with {@code SCAN} on that node only. */
  public List<String> keys(int node) {
    List<String> keys = new ArrayList<>();
    try (Resp resp = connect(node)) {
      String cursor = "0";
      do {
        List<?> page = (List<?>) resp.command("SCAN", cursor, "COUNT", "1000");
        cursor = (String) page.get(0);
        for (Object key : (List<?>) page.get(1)) {
          keys.add((String) key);
        }
      } while (!"0".equals(cursor));
    }
    return keys;
  }

  /** {@code FLUSHALL} on every running node. */
  public void flushAll() {
    for (RedisProcess node : nodes) {
      if (node.isRunning()) {
        try (Resp resp = node.connect()) {
          resp.command("FLUSHALL");
        }
      }
    }
  }

  /** Crashes one node ({@code SIGKILL}); its slots are unserved until {@link #restart(int)}. */
  public void kill(int node) {
    nodes.get(checkIndex(node)).kill();
  }

  /** Whether a node's process is up. */
  public boolean isRunning(int node) {
    return nodes.get(checkIndex(node)).isRunning();
  }

  /**
   * Starts a killed node again on its port and waits until the cluster is healthy again; does
   * nothing but wait if it runs.
   */
  public void restart(int node) {
    nodes.get(checkIndex(node)).start();
    awaitHealthy(30);
  }

  /**
   * Waits until every node reports {@code cluster_state:ok}, {@code cluster_known_nodes:3} and
   * {@code cluster_slots_assigned:16384}.
   *
   * @throws IllegalStateException after {@code seconds}
   */
  public void awaitHealthy(int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "";
    while (true) {
      boolean healthy = true;
      for (RedisProcess node : nodes) {
        try (Resp resp = node.connect()) {
          String info = (String) resp.command("CLUSTER", "INFO");
          last = "node " + node.port() + ": " + info.replace("\r\n", " ");
          if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_assigned:" + SLOTS)
              || !info.contains("cluster_slots_ok:" + SLOTS) || !info.contains("cluster_known_nodes:" + NODES)) {
            healthy = false;
            break;
          }
        } catch (RuntimeException e) {
          last = "node " + node.port() + ": " + e.getMessage();
          healthy = false;
          break;
        }
      }
      if (healthy) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster is not healthy after " + seconds + " s; " + last);
      }
      RedisProcess.sleep(50);
    }
  }

  /** Stops every node and deletes the folders. */
  @Override
  public void close() {
    for (RedisProcess node : nodes) {
      node.kill();
    }
    EmbeddedRedisServer.deleteRecursively(folder);
  }

  private int firstRunning() {
    for (int i = 0; i < NODES; i++) {
      if (nodes.get(i).isRunning()) {
        return i;
      }
    }
    throw new IllegalStateException("no node is running");
  }

  private static int checkIndex(int node) {
    if (node < 0 || node >= NODES) {
      throw new IllegalArgumentException("node must be in 0.." + (NODES - 1) + ", was " + node);
    }
    return node;
  }
}
