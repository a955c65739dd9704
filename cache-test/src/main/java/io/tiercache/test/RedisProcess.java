package io.tiercache.test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * One {@code redis-server} process (a cluster node or a Sentinel) in a folder of its own, started
 * from the embedded package's binary or the one named by {@code tiercache.redis.server} /
 * {@code TIERCACHE_REDIS_SERVER}. It binds to 127.0.0.1 only and never persists data; files it
 * writes itself ({@code nodes.conf}, a rewritten Sentinel configuration) stay in the folder across
 * {@link #kill()} and {@link #start()}.
 */
final class RedisProcess {

  private static final String SERVER_PROPERTY = "tiercache.redis.server";
  private static final String SERVER_ENV = "TIERCACHE_REDIS_SERVER";

  private final Path folder;
  private final int port;
  private final List<String> settings;
  private final boolean sentinel;
  private Process process;

  /** Processes still running when the JVM exits (a test that never closed its cluster). */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> RUNNING.forEach(Process::destroyForcibly), "tiercache-redis-process-reaper"));
  }

  RedisProcess(Path folder, int port, List<String> settings, boolean sentinel) {
    this.folder = folder;
    this.port = port;
    this.settings = List.copyOf(settings);
    this.sentinel = sentinel;
  }

  int port() {
    return port;
  }

  Path folder() {
    return folder;
  }

  /** Starts the process and waits until it answers {@code PING}; does nothing if it runs. */
  synchronized void start() {
    if (isRunning()) {
      return;
    }
    try {
      Path config = folder.resolve(sentinel ? "sentinel.conf" : "redis.conf");
      if (!sentinel || !Files.exists(config)) { // Sentinel rewrites its file: keep what it learnt
        List<String> lines = new ArrayList<>();
        lines.add("bind 127.0.0.1");
        lines.add("port " + port);
        lines.add("dir " + folder.toAbsolutePath());
        if (!sentinel) {
          lines.add("save \"\"");
          lines.add("appendonly no");
        }
        lines.add("protected-mode no");
        lines.addAll(settings);
        Files.write(config, lines, StandardCharsets.UTF_8);
      }
      List<String> command = new ArrayList<>(
          List.of(executable(folder).getAbsolutePath(), config.toAbsolutePath().toString()));
      if (sentinel) {
        command.add("--sentinel");
      }
      process = new ProcessBuilder(command)
          .directory(folder.toFile())
          .redirectErrorStream(true)
          .redirectOutput(
              ProcessBuilder.Redirect.appendTo(folder.resolve("server.log").toFile()))
          .start();
      RUNNING.add(process);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server on port " + port, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server on port " + port + " exited at start: " + tail());
      }
      try (Resp resp = Resp.connect(port)) {
        if ("PONG".equals(resp.command("PING"))) {
          return;
        }
      } catch (Resp.RespError error) {
        if (String.valueOf(error.getMessage()).startsWith("NOAUTH")) {
          return; // it serves, and wants a password (requirepass)
        }
      } catch (RuntimeException notYet) {
        // still starting
      }
      if (System.nanoTime() > deadline) {
        kill();
        throw new IllegalStateException(
            "redis-server on port " + port + " did not answer within 10 s: " + tail());
      }
      sleep(20);
    }
  }

  /** Kills the process at once ({@code SIGKILL}), as a crash would. */
  synchronized void kill() {
    Process current = process;
    process = null;
    if (current == null) {
      return;
    }
    current.destroyForcibly();
    RUNNING.remove(current);
    try {
      current.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  Resp connect() {
    return Resp.connect(port);
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(folder.resolve("server.log"), StandardCharsets.UTF_8);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static File executable(Path folder) throws IOException {
    String configured = System.getProperty(SERVER_PROPERTY, System.getenv(SERVER_ENV));
    if (configured != null && !configured.isBlank()) {
      File file = new File(configured);
      if (!file.canExecute()) {
        throw new IOException(SERVER_PROPERTY + " / " + SERVER_ENV + " names " + configured
            + ", which is not an executable file");
      }
      return file;
    }
    File bin = folder.resolve("bin").toFile();
    if (!bin.isDirectory() && !bin.mkdirs()) {
      throw new IOException("cannot create " + bin);
    }
    return ExecutableProvider.newJarResourceProvider(bin).get();
  }

  /** A free port at most {@link EmbeddedRedisServer#MAX_PORT} whose cluster bus port is free too. */
  static int freeClusterPort(List<Integer> taken) throws IOException {
    for (int i = 0; i < 100; i++) {
      int port = EmbeddedRedisServer.freePort();
      if (taken.contains(port) || taken.contains(port - 10_000) || taken.contains(port + 10_000)) {
        continue;
      }
      try (ServerSocket bus =
          new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException busy) {
        // the bus port is in use: try another
      }
    }
    throw new IOException("no free port pair (port, port + 10000) after 100 tries");
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
