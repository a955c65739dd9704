package io.tiercache;

import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.RedisClusterExtension;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a contract test's Redis lives, one server or a 3-master cluster, and a raw client for
 * assertions that go around the code under test. On a cluster, a key command goes to the node
 * of its key; {@code KEYS}, {@code DBSIZE} and {@code INFO} run on every node and are combined;
 * {@code EXISTS} of several keys is summed key by key.
 */
abstract class TestRedis implements AutoCloseable {

  /** Nothing to release: each command opens and closes its own connection. */
  @Override
  public void close() {}

  /** Points a builder at this Redis. */
  abstract TierCacheBuilder connect(TierCacheBuilder builder);

  /** Whether this is a cluster. */
  abstract boolean cluster();

  /** Runs a command on the node that serves {@code key}. */
  abstract Object onNodeOf(String key, byte[]... args);

  /** Runs a command on every node. */
  abstract List<Object> onEveryNode(String... args);

  /** Stops the server (or the cluster node) that holds {@code key}, as a crash would. */
  abstract void stopNodeOf(String key);

  /** Starts it again on the same port, with no data, and waits until it serves. */
  abstract void restartNodeOf(String key);

  /** Sends a text command; bulk replies come back as UTF-8 strings. */
  final Object command(String... args) {
    String name = args[0].toUpperCase(Locale.ROOT);
    switch (name) {
      case "KEYS": {
        List<Object> keys = new ArrayList<>();
        onEveryNode(args).forEach(reply -> keys.addAll((List<?>) reply));
        return keys;
      }
      case "DBSIZE":
        return onEveryNode(args).stream().mapToLong(reply -> (Long) reply).sum();
      case "FLUSHALL":
        onEveryNode(args);
        return "OK";
      case "INFO": {
        StringBuilder info = new StringBuilder();
        onEveryNode(args).forEach(reply -> info.append(reply).append("\r\n"));
        return info.toString();
      }
      case "EXISTS":
        if (args.length > 2) {
          long sum = 0;
          for (int i = 1; i < args.length; i++) {
            sum += (Long) command("EXISTS", args[i]);
          }
          return sum;
        }
      // fall through
      default:
        return text(onNodeOf(args[1], bytes(args)));
    }
  }

  /** Sends a binary command to the node of {@code args[1]}; bulk replies stay {@code byte[]}. */
  final Object commandBytes(byte[]... args) {
    return onNodeOf(new String(args[1], StandardCharsets.UTF_8), args);
  }

  /** How many times Redis ran {@code command}, summed over nodes ({@code INFO commandstats}). */
  final long commandCalls(String command) {
    long calls = 0;
    for (String line : ((String) command("INFO", "commandstats")).split("\r\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        calls += Long.parseLong(line.replaceAll("^cmdstat_[a-z|]+:calls=(\\d+),.*", "$1"));
      }
    }
    return calls;
  }

  /** Every key but Tiercache's own ({@code prefix:__...}). */
  final List<String> dataKeys() {
    List<String> keys = new ArrayList<>();
    for (Object key : (List<?>) command("KEYS", "*")) {
      if (!((String) key).contains(":__")) {
        keys.add((String) key);
      }
    }
    return keys;
  }

  private static byte[][] bytes(String[] args) {
    byte[][] raw = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      raw[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return raw;
  }

  private static Object text(Object reply) {
    if (reply instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    if (reply instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      list.forEach(item -> out.add(text(item)));
      return out;
    }
    return reply;
  }

  /** One embedded server. */
  static TestRedis standalone(RedisExtension redis) {
    return new TestRedis() {
      @Override
      TierCacheBuilder connect(TierCacheBuilder builder) {
        return builder.redisUri(redis.uri());
      }

      @Override
      boolean cluster() {
        return false;
      }

      @Override
      Object onNodeOf(String key, byte[]... args) {
        try (Resp resp = redis.connect()) {
          return resp.commandBytes(args);
        }
      }

      @Override
      List<Object> onEveryNode(String... args) {
        try (Resp resp = redis.connect()) {
          return List.of(resp.command(args));
        }
      }

      @Override
      void stopNodeOf(String key) {
        redis.stop();
      }

      @Override
      void restartNodeOf(String key) {
        redis.restart();
      }
    };
  }

  /** An embedded 3-master cluster. */
  static TestRedis cluster(RedisClusterExtension redis) {
    return new TestRedis() {
      @Override
      TierCacheBuilder connect(TierCacheBuilder builder) {
        return builder.redisCluster(redis.seedUris());
      }

      @Override
      boolean cluster() {
        return true;
      }

      @Override
      Object onNodeOf(String key, byte[]... args) {
        EmbeddedRedisCluster cluster = redis.cluster();
        try (Resp resp = cluster.connect(cluster.nodeOf(key))) {
          return resp.commandBytes(args);
        }
      }

      @Override
      void stopNodeOf(String key) {
        redis.cluster().kill(redis.cluster().nodeOf(key));
      }

      @Override
      void restartNodeOf(String key) {
        redis
            .cluster()
            .restart(redis.cluster().nodeOf(key)); // the slot map answers from any live node
      }

      @Override
      List<Object> onEveryNode(String... args) {
        List<Object> replies = new ArrayList<>();
        for (int node = 0; node < EmbeddedRedisCluster.NODES; node++) {
          try (Resp resp = redis.cluster().connect(node)) {
            replies.add(resp.command(args));
          }
        }
        return replies;
      }
    };
  }
}
