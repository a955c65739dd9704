package io.tiercache.test;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import redis.embedded.RedisServer;

/**
 * One real Redis server on a loopback port, started from the binary that the embedded-redis
 * package ships, with its own temporary folder for the configuration and the data.
 *
 * <p>The server never persists ({@code save ""}, no append-only file) and binds to 127.0.0.1
 * only. {@link #stop()} and {@link #start()} keep the port, so a client that reconnects finds the
 * server again; {@link #close()} stops it and deletes the folder.
 *
 * <p>To run another binary (a newer Redis installed on the machine), set the system property
 * {@code tiercache.redis.server} or the environment variable {@code TIERCACHE_REDIS_SERVER} to its
 * path.
 *
 * <pre>{@code
 * try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch()) {
 *   String uri = redis.uri(); // redis://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class EmbeddedRedisServer implements Closeable {

  /** The highest port handed out, so that {@code port + 10000} (the cluster bus) stays valid. */
  public static final int MAX_PORT = 55_535;

  private final Path folder;
  private final int port;
  private final List<String> settings;
  private RedisServer server;

  private EmbeddedRedisServer(Path folder, int port, List<String> settings) {
    this.folder = folder;
    this.port = port;
    this.settings = List.copyOf(settings);
  }

  /** Starts a server on a free port with the default settings. */
  public static EmbeddedRedisServer launch() {
    return launch(List.of());
  }

  /**
   * Starts a server on a free port.
   *
   * @param extraSettings {@code redis.conf} lines added after the defaults (for example
   *     {@code "requirepass secret"}); a later line overrides an earlier one
   * @return the running server
   * @throws UncheckedIOException if no server could be started after three tries
   */
  public static EmbeddedRedisServer launch(List<String> extraSettings) {
    if (extraSettings == null) {
      throw new IllegalArgumentException("extraSettings must not be null");
    }
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      Path folder = null;
      try {
        folder = Files.createTempDirectory("tiercache-redis-");
        EmbeddedRedisServer redis = new EmbeddedRedisServer(folder, freePort(), extraSettings);
        redis.start();
        return redis;
      } catch (IOException e) {
        // Another process may have taken the port between the probe and the start: retry.
        last = e;
        deleteRecursively(folder);
      }
    }
    throw new UncheckedIOException("could not start an embedded Redis after 3 attempts", last);
  }

  /**
   * Starts the server again after {@link #stop()}, on the same port, with an empty data set.
   * Does nothing if it is running.
   */
  public synchronized void start() throws IOException {
    if (server != null && server.isActive()) {
      return;
    }
    Path config = folder.resolve("redis.conf");
    List<String> lines = new ArrayList<>();
    lines.add("bind 127.0.0.1");
    lines.add("port " + port);
    lines.add("dir " + folder.toAbsolutePath());
    lines.add("save \"\"");
    lines.add("appendonly no");
    lines.add("protected-mode no");
    lines.addAll(settings);
    Files.write(config, lines, StandardCharsets.UTF_8);
    List<String> args = List.of(
        RedisProcess.executable(folder).getAbsolutePath(),
        config.toAbsolutePath().toString());
    RedisServer created = new RedisServer(port, args, true);
    created.start();
    server = created;
  }

  /** Stops the server (as a crash would look to a client); the port and the folder stay. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop the embedded Redis on port " + port, e);
    } finally {
      server = null;
    }
  }

  /** Stops and starts the server on the same port. */
  public void restart() {
    stop();
    try {
      start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not restart the embedded Redis on port " + port, e);
    }
  }

  /** Whether the server process is up. */
  public synchronized boolean isRunning() {
    return server != null && server.isActive();
  }

  /** The loopback port the server listens on. */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /**
   * Opens a {@link Resp} connection to this server, authenticated with the {@code requirepass}
   * password when the settings set one.
   */
  public Resp connect() {
    Resp resp = Resp.connect(port);
    String password = password();
    if (password != null) {
      try {
        resp.command("AUTH", password);
      } catch (RuntimeException e) {
        resp.close();
        throw e;
      }
    }
    return resp;
  }

  /** The {@code requirepass} password of the settings, or null. */
  public String password() {
    String password = null;
    for (String line : settings) {
      String trimmed = line.trim();
      if (trimmed.startsWith("requirepass ")) {
        password = trimmed.substring("requirepass ".length()).trim();
      }
    }
    return password;
  }

  /** Removes every key ({@code FLUSHALL}). */
  public void flushAll() {
    try (Resp resp = connect()) {
      resp.command("FLUSHALL");
    }
  }

  /** Stops the server and deletes its folder. */
  @Override
  public void close() {
    try {
      stop();
    } finally {
      deleteRecursively(folder);
    }
  }

  /** A port that was free a moment ago, at most {@link #MAX_PORT}. */
  public static int freePort() throws IOException {
    for (int i = 0; i < 100; i++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        if (port <= MAX_PORT) {
          return port;
        }
      }
    }
    throw new IOException("no free port at or below " + MAX_PORT + " after 100 tries");
  }

  static void deleteRecursively(Path path) {
    if (path == null || !Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a leftover temp folder is not worth failing a test over
    }
  }
}
