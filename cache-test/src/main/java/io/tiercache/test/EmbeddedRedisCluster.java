package io.tiercache.test;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three masters, optionally with replicas, on loopback ports, each node a
 * {@code redis-server} with {@code cluster-enabled yes} in a temporary folder of its own.
 *
 * <p>Nodes are numbered: {@code 0..2} are the masters at launch, serving the slots in three
 * ranges (node 0 0..5460, node 1 5461..10922, node 2 10923..16383); with {@code r} replicas per
 * master, nodes {@code 3 + m * r .. 3 + m * r + r - 1} replicate master {@code m}, attached with
 * {@code CLUSTER REPLICATE}. Roles change with a failover: {@link #nodeOf(String)}, {@link
 * #masters()} and {@link #replicasOf(int)} ask the cluster, never assume the launch layout.
 *
 * <p>{@link #launch()} and {@link #launch(int)} return only when every node reports {@code
 * cluster_state:ok}, knows every node and sees all 16384 slots served, and every master has its
 * replicas connected and in sync. Nodes never persist data; the cluster bus uses {@code port +
 * 10000}. {@code cluster-node-timeout} is 3000 ms without replicas and 1000 ms with them, so that
 * a replica takes over a killed master within about 2–3 s (a later {@code cluster-node-timeout} in
 * the extra settings wins).
 *
 * <p>{@link #kill(int)} crashes one node ({@code SIGKILL}). Without replicas its slots are
 * unserved until {@link #restart(int)}; with replicas the cluster promotes one of its replicas
 * ({@link #awaitFailover(int, int)} waits for that). {@link #restart(int)} starts the node again
 * on the same port with its {@code nodes.conf}: a master whose slots nobody took rejoins with
 * its slots (and no data); a master that was replaced rejoins as a replica of its successor.
 * {@link #close()} stops every node and deletes the folders.
 *
 * <pre>{@code
 * try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.launch(1)) {
 *   TierCache tier = TierCache.builder().redisCluster(cluster.seedUris()).build();
 *   int master = cluster.nodeOf("orders:42");
 *   cluster.kill(master);
 *   int promoted = cluster.awaitFailover(master, 30);
 * }
 * }</pre>
 */
public final class EmbeddedRedisCluster implements Closeable {

  /** Masters at launch (nodes 0..2); replicas, if any, are numbered after them. */
  public static final int NODES = 3;
  /** Slots in every Redis Cluster. */
  public static final int SLOTS = 16_384;
  /** {@code cluster-node-timeout} of a cluster without replicas. */
  public static final int NODE_TIMEOUT_MILLIS = 3_000;
  /** {@code cluster-node-timeout} of a cluster with replicas: a failover takes about 2–3 s. */
  public static final int FAILOVER_NODE_TIMEOUT_MILLIS = 1_000;

  private final Path folder;
  private final int replicasPerMaster;
  private final List<RedisProcess> nodes;
  /** A slot each killed master served when it was killed, by node index. */
  private final Map<Integer, Integer> killedSlots = new ConcurrentHashMap<>();

  private EmbeddedRedisCluster(Path folder, int replicasPerMaster, List<RedisProcess> nodes) {
    this.folder = folder;
    this.replicasPerMaster = replicasPerMaster;
    this.nodes = nodes; // filled while launching, fixed afterwards
  }

  /** Starts a 3-master cluster without replicas with the default settings. */
  public static EmbeddedRedisCluster launch() {
    return launch(0, List.of());
  }

  /**
   * Starts a 3-master cluster without replicas.
   *
   * @param extraSettings {@code redis.conf} lines for every node, after the defaults; not null
   * @throws IllegalStateException if the cluster does not become healthy in 30 s
   */
  public static EmbeddedRedisCluster launch(List<String> extraSettings) {
    return launch(0, extraSettings);
  }

  /**
   * Starts 3 masters with {@code replicasPerMaster} replicas each (0 is {@link #launch()}), with
   * the default settings.
   */
  public static EmbeddedRedisCluster launch(int replicasPerMaster) {
    return launch(replicasPerMaster, List.of());
  }

  /**
   * Starts 3 masters with {@code replicasPerMaster} replicas each.
   *
   * @param replicasPerMaster 0..3
   * @param extraSettings {@code redis.conf} lines for every node, after the defaults ({@code
   *     cluster-node-timeout} among them); not null
   * @throws IllegalStateException if the cluster does not become healthy in 30 s
   */
  public static EmbeddedRedisCluster launch(int replicasPerMaster, List<String> extraSettings) {
    if (extraSettings == null) {
      throw new IllegalArgumentException("extraSettings must not be null");
    }
    if (replicasPerMaster < 0 || replicasPerMaster > 3) {
      throw new IllegalArgumentException(
          "replicasPerMaster must be in 0..3, was " + replicasPerMaster);
    }
    Path folder;
    try {
      folder = Files.createTempDirectory("tiercache-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder", e);
    }
    List<RedisProcess> nodes = new ArrayList<>();
    EmbeddedRedisCluster cluster = new EmbeddedRedisCluster(folder, replicasPerMaster, nodes);
    try {
      int total = NODES * (1 + replicasPerMaster);
      int timeout = replicasPerMaster == 0 ? NODE_TIMEOUT_MILLIS : FAILOVER_NODE_TIMEOUT_MILLIS;
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        int port = RedisProcess.freeClusterPort(ports);
        ports.add(port);
        Path nodeFolder = Files.createDirectories(folder.resolve("node-" + i));
        List<String> settings = new ArrayList<>(List.of(
            "cluster-enabled yes",
            "cluster-config-file nodes.conf",
            "cluster-node-timeout " + timeout));
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
        for (int i = 1; i < total; i++) {
          first.command(
              "CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.get(i).port()));
        }
      }
      if (replicasPerMaster > 0) {
        cluster.attachReplicas(30);
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

  /** Waits until every node knows every other, then makes each replica follow its master. */
  private void attachReplicas(int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<String> ids = new ArrayList<>();
    for (int m = 0; m < NODES; m++) {
      try (Resp resp = nodes.get(m).connect()) {
        ids.add((String) resp.command("CLUSTER", "MYID"));
      }
    }
    for (int m = 0; m < NODES; m++) {
      for (int r = 0; r < replicasPerMaster; r++) {
        RedisProcess replica = nodes.get(NODES + m * replicasPerMaster + r);
        while (true) {
          try (Resp resp = replica.connect()) {
            resp.command("CLUSTER", "REPLICATE", ids.get(m));
            break;
          } catch (Resp.RespError notKnownYet) { // "Unknown node" until the MEET gossip arrives
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("node " + replica.port() + " cannot replicate "
                  + nodes.get(m).port() + " after " + seconds + " s: " + notKnownYet.getMessage());
            }
            RedisProcess.sleep(50);
          }
        }
      }
    }
  }

  /** {@code redis://127.0.0.1:PORT} of every node (replicas included), for {@code TierCacheBuilder.redisCluster}. */
  public List<String> seedUris() {
    List<String> uris = new ArrayList<>(nodes.size());
    for (RedisProcess node : nodes) {
      uris.add("redis://127.0.0.1:" + node.port());
    }
    return uris;
  }

  /** The client port of every node, in node order. */
  public List<Integer> ports() {
    List<Integer> ports = new ArrayList<>(nodes.size());
    nodes.forEach(node -> ports.add(node.port()));
    return ports;
  }

  /** How many nodes the cluster has: {@code 3 * (1 + replicasPerMaster)}. */
  public int size() {
    return nodes.size();
  }

  /** Replicas per master at launch. */
  public int replicasPerMaster() {
    return replicasPerMaster;
  }

  /** A {@link Resp} connection to one node (it answers {@code MOVED} for keys of other nodes). */
  public Resp connect(int node) {
    return nodes.get(checkIndex(node)).connect();
  }

  /**
   * The node that serves {@code key}'s slot as master now, as a running node's {@code CLUSTER
   * SLOTS} says (a killed master without a successor still counts as the slot's node).
   */
  public int nodeOf(String key) {
    try (Resp resp = nodes.get(firstRunning()).connect()) {
      long slot = (Long) resp.command("CLUSTER", "KEYSLOT", key);
      return ownerOf(resp, (int) slot);
    }
  }

  /** The node that serves {@code slot} as master in the view of the node behind {@code resp}. */
  private int ownerOf(Resp resp, int slot) {
    for (Object range : (List<?>) resp.command("CLUSTER", "SLOTS")) {
      List<?> entry = (List<?>) range;
      if ((Long) entry.get(0) <= slot && slot <= (Long) entry.get(1)) {
        return indexOfPort(((Long) ((List<?>) entry.get(2)).get(1)).intValue());
      }
    }
    throw new IllegalStateException("slot " + slot + " is not assigned");
  }

  /** The running nodes whose role is master, in node order. */
  public List<Integer> masters() {
    List<Integer> masters = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (isRunning(i) && "master".equals(role(i).get(0))) {
        masters.add(i);
      }
    }
    return masters;
  }

  /** The running nodes that replicate {@code master} now, in node order. */
  public List<Integer> replicasOf(int master) {
    int port = nodes.get(checkIndex(master)).port();
    List<Integer> replicas = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (i != master && isRunning(i)) {
        List<?> role = role(i);
        if ("slave".equals(role.get(0)) && ((Long) role.get(2)).intValue() == port) {
          replicas.add(i);
        }
      }
    }
    return replicas;
  }

  /** The node's {@code ROLE} reply. */
  private List<?> role(int node) {
    try (Resp resp = connect(node)) {
      return (List<?>) resp.command("ROLE");
    }
  }

  /** Keys on one node, read with {@code SCAN} on that node only (a replica holds its master's keys). */
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

  /** {@code FLUSHALL} on every running master (replicas follow). */
  public void flushAll() {
    for (RedisProcess node : nodes) {
      if (node.isRunning()) {
        try (Resp resp = node.connect()) {
          if ("master".equals(((List<?>) resp.command("ROLE")).get(0))) {
            resp.command("FLUSHALL");
          }
        }
      }
    }
  }

  /**
   * Crashes one node ({@code SIGKILL}). A master's slots are unserved until a replica takes over
   * ({@link #awaitFailover}) or, without replicas, until {@link #restart(int)}.
   */
  public void kill(int node) {
    checkIndex(node);
    RedisProcess process = nodes.get(node);
    if (process.isRunning()) {
      Integer slot = servedSlot(node);
      if (slot != null) {
        killedSlots.put(node, slot);
      } else {
        killedSlots.remove(node);
      }
    }
    process.kill();
  }

  /** A slot {@code node} serves as master, from another running node's view; null if none. */
  private Integer servedSlot(int node) {
    for (int i = 0; i < nodes.size(); i++) {
      if (i != node && isRunning(i)) {
        try (Resp resp = connect(i)) {
          for (Object range : (List<?>) resp.command("CLUSTER", "SLOTS")) {
            List<?> entry = (List<?>) range;
            if (((Long) ((List<?>) entry.get(2)).get(1)).intValue()
                == nodes.get(node).port()) {
              return ((Long) entry.get(0)).intValue();
            }
          }
          return null;
        }
      }
    }
    return null;
  }

  /**
   * Starts one more node, a master that serves no slot yet, and has the cluster meet it; it gets
   * slots from {@link #moveSlot}. Waits until every running node knows it. {@link #awaitHealthy}
   * and {@link #NODES} count the first masters only: use it in a cluster of its own. Returns once
   * the new node reports {@code cluster_state:ok}.
   *
   * @return the new node's index, after the existing ones
   * @throws IllegalStateException if the nodes do not all know it within 30 s
   */
  public int addMaster() {
    try {
      int port = RedisProcess.freeClusterPort(ports());
      Path nodeFolder = Files.createDirectories(folder.resolve("node-" + nodes.size()));
      RedisProcess node = new RedisProcess(
          nodeFolder,
          port,
          List.of(
              "cluster-enabled yes",
              "cluster-config-file nodes.conf",
              "cluster-node-timeout " + NODE_TIMEOUT_MILLIS),
          false);
      node.start();
      nodes.add(node);
      try (Resp first = connect(firstRunning())) {
        first.command("CLUSTER", "MEET", "127.0.0.1", Integer.toString(port));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (int i = 0; i < nodes.size(); i++) {
        while (isRunning(i)) {
          try (Resp resp = connect(i)) {
            if (String.valueOf(resp.command("CLUSTER", "NODES")).contains(":" + port + "@")) {
              break;
            }
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("node " + port + " not known to every node in 30 s");
          }
          RedisProcess.sleep(20);
        }
      }
      int index = nodes.size() - 1;
      while (true) { // it answers keys, imports included, once it sees every slot served
        try (Resp resp = connect(index)) {
          if (String.valueOf(resp.command("CLUSTER", "INFO")).contains("cluster_state:ok")) {
            return index;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("node " + port + " not in state ok within 30 s");
        }
        RedisProcess.sleep(20);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not start another cluster node", e);
    }
  }

  /**
   * Moves {@code slot}, with its keys, from the master that serves it to the master {@code to}, as
   * a resharding does: {@code CLUSTER SETSLOT IMPORTING} and {@code MIGRATING}, {@code MIGRATE} of
   * every key, then {@code SETSLOT NODE} on every master.
   *
   * @throws IllegalArgumentException if {@code slot} is outside 0..16383 or {@code to} serves it
   */
  public void moveSlot(int slot, int to) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("slot must be in 0.." + (SLOTS - 1) + ", was " + slot);
    }
    int from;
    try (Resp resp = connect(firstRunning())) {
      from = ownerOf(resp, slot);
    }
    if (from == checkIndex(to)) {
      throw new IllegalArgumentException("node " + to + " serves slot " + slot + " already");
    }
    String toId;
    String fromId;
    try (Resp target = connect(to);
        Resp source = connect(from)) {
      toId = (String) target.command("CLUSTER", "MYID");
      fromId = (String) source.command("CLUSTER", "MYID");
      String s = Integer.toString(slot);
      target.command("CLUSTER", "SETSLOT", s, "IMPORTING", fromId);
      source.command("CLUSTER", "SETSLOT", s, "MIGRATING", toId);
      while (true) {
        List<?> keys = (List<?>) source.command("CLUSTER", "GETKEYSINSLOT", s, "100");
        if (keys.isEmpty()) {
          break;
        }
        List<String> migrate = new ArrayList<>(List.of(
            "MIGRATE",
            "127.0.0.1",
            Integer.toString(nodes.get(to).port()),
            "",
            "0",
            "5000",
            "KEYS"));
        for (Object key : keys) {
          migrate.add(String.valueOf(key));
        }
        source.command(migrate.toArray(String[]::new));
      }
      for (int i = 0; i < nodes.size(); i++) {
        if (isRunning(i) && "master".equals(role(i).get(0))) {
          try (Resp resp = connect(i)) {
            resp.command("CLUSTER", "SETSLOT", s, "NODE", toId);
          }
        }
      }
    }
  }

  /** Whether a node's process is up. */
  public boolean isRunning(int node) {
    return nodes.get(checkIndex(node)).isRunning();
  }

  /**
   * Waits until a replica has taken over the slots of {@code killed}, a master that {@link
   * #kill(int)} crashed: every running node reports {@code cluster_state:ok} and all 16384 slots
   * served, and every running node names the same running node as master of the killed node's
   * slots.
   *
   * @return the promoted node
   * @throws IllegalArgumentException if {@code killed} was not a master when it was killed
   * @throws IllegalStateException after {@code seconds}
   */
  public int awaitFailover(int killed, int seconds) {
    Integer slot = killedSlots.get(checkIndex(killed));
    if (slot == null || isRunning(killed)) {
      throw new IllegalArgumentException("node " + killed + " is not a master that kill() crashed");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "";
    while (true) {
      int promoted = -1;
      boolean done = true;
      for (int i = 0; i < nodes.size() && done; i++) {
        if (!isRunning(i)) {
          continue;
        }
        try (Resp resp = connect(i)) {
          String info = (String) resp.command("CLUSTER", "INFO");
          int owner = ownerOf(resp, slot);
          last = "node " + nodes.get(i).port() + " names node " + owner + " for slot " + slot + ": "
              + info.replace("\r\n", " ");
          if (!info.contains("cluster_state:ok")
              || !info.contains("cluster_slots_ok:" + SLOTS)
              || owner == killed
              || !isRunning(owner)
              || (promoted != -1 && owner != promoted)) {
            done = false;
          }
          promoted = owner;
        } catch (RuntimeException e) {
          last = "node " + nodes.get(i).port() + ": " + e.getMessage();
          done = false;
        }
      }
      if (done && promoted != -1) {
        return promoted;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no replica took over from node " + killed + " within " + seconds + " s; " + last);
      }
      RedisProcess.sleep(20);
    }
  }

  /**
   * Starts a killed node again on its port and returns once it answers, without waiting for the
   * cluster: the other nodes may still flag it as failed. Does nothing if it runs.
   */
  public void start(int node) {
    RedisProcess process = nodes.get(checkIndex(node));
    if (!process.isRunning()) {
      process.start();
    }
  }

  /**
   * Starts a killed node again on its port and waits until the cluster is healthy again ({@link
   * #awaitHealthy}); does nothing but wait if it runs.
   */
  public void restart(int node) {
    nodes.get(checkIndex(node)).start();
    awaitHealthy(30);
  }

  /**
   * Waits until every node reports {@code cluster_state:ok}, knows every node and sees all 16384
   * slots assigned and served, there are 3 masters, and every master has {@code
   * replicasPerMaster} replicas connected ({@code ROLE} state {@code connected}, that is after
   * the initial sync).
   *
   * @throws IllegalStateException after {@code seconds}
   */
  public void awaitHealthy(int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "";
    while (true) {
      boolean healthy = true;
      Map<Integer, Integer> replicasByMasterPort = new HashMap<>();
      List<Integer> masterPorts = new ArrayList<>();
      for (RedisProcess node : nodes) {
        try (Resp resp = node.connect()) {
          String info = (String) resp.command("CLUSTER", "INFO");
          last = "node " + node.port() + ": " + info.replace("\r\n", " ");
          if (!info.contains("cluster_state:ok")
              || !info.contains("cluster_slots_assigned:" + SLOTS)
              || !info.contains("cluster_slots_ok:" + SLOTS)
              || !info.contains("cluster_known_nodes:" + nodes.size())) {
            healthy = false;
            break;
          }
          List<?> role = (List<?>) resp.command("ROLE");
          if ("master".equals(role.get(0))) {
            masterPorts.add(node.port());
          } else if ("connected".equals(role.get(3))) {
            replicasByMasterPort.merge(((Long) role.get(2)).intValue(), 1, Integer::sum);
          }
        } catch (RuntimeException e) {
          last = "node " + node.port() + ": " + e.getMessage();
          healthy = false;
          break;
        }
      }
      if (healthy) {
        if (masterPorts.size() != NODES) {
          last = "masters on ports " + masterPorts;
          healthy = false;
        }
        for (int port : masterPorts) {
          if (replicasByMasterPort.getOrDefault(port, 0) != replicasPerMaster) {
            last = "master " + port + " has " + replicasByMasterPort.getOrDefault(port, 0)
                + " replicas in sync";
            healthy = false;
          }
        }
      }
      if (healthy) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the cluster is not healthy after " + seconds + " s; " + last);
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
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).isRunning()) {
        return i;
      }
    }
    throw new IllegalStateException("no node is running");
  }

  private int indexOfPort(int port) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).port() == port) {
        return i;
      }
    }
    throw new IllegalStateException("no node of this cluster listens on port " + port);
  }

  private int checkIndex(int node) {
    if (node < 0 || node >= nodes.size()) {
      throw new IllegalArgumentException(
          "node must be in 0.." + (nodes.size() - 1) + ", was " + node);
    }
    return node;
  }
}
