package io.tiercache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void parse_defaultsServeOn8080() {
    Main.Options options = Main.Options.parse();
    assertFalse(options.demo());
    assertEquals(8080, options.port());
    assertEquals(15, options.seconds());
  }

  @Test
  void parse_demoWithPortAndSeconds() {
    Main.Options options =
        Main.Options.parse("--demo", "--port", "9090", "--seconds", "5", "--serve");
    assertTrue(options.demo());
    assertTrue(options.serveAfterDemo());
    assertEquals(9090, options.port());
    assertEquals(5, options.seconds());
  }

  @Test
  void parse_badArguments() {
    assertEquals(
        "unknown option '--dmeo'",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--dmeo"))
            .getMessage());
    assertEquals(
        "--port must be a number, was 'eighty'",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--port", "eighty"))
            .getMessage());
    assertEquals(
        "--port needs a number",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--port"))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--script", "--demo"));
    assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--serve"));
  }

  @Test
  void parse_portVariable_andPortOptionOverridesIt() {
    assertEquals(9191, Main.Options.withPortVariable("9191").port());
    assertEquals(9292, Main.Options.withPortVariable("9191", "--port", "9292").port());
    assertEquals(8080, Main.Options.withPortVariable(" ").port());
    assertEquals(
        "the PORT environment variable must be a number from 0 to 65535, was 'http'",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.withPortVariable("http"))
            .getMessage());
  }

  @Test
  void help_printsUsageAndExitsZero() throws InterruptedException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(
        null,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        false,
        "--help");
    assertEquals(0, status);
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(
        text.startsWith(Main.USAGE) && text.contains("--port N") && text.contains("PORT"), text);
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    assertTrue(Main.Options.parse("-h").help());
  }

  /** Issue 16: the real process, its exit status and its stderr, with the port from {@code PORT}. */
  @Test
  void main_portInUse_oneLineNamingPortAndPortVariable_exitTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp",
          System.getProperty("java.class.path"),
          Main.class.getName());
      builder.environment().put("PORT", String.valueOf(taken.getLocalPort()));
      builder
          .environment()
          .put("REDIS_URL", "redis://127.0.0.1:1"); // never reached: the port fails first
      Process process = builder.start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      assertEquals(2, process.exitValue(), out + err);
      assertEquals(1, err.lines().count(), err);
      assertTrue(err.startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "), err);
      assertTrue(err.contains("--port N") && err.contains("PORT environment variable"), err);
      assertFalse(err.contains("Exception") || err.contains("\tat "), err);
    }
  }

  /** The demo's second instance's port taken: still one line, before any instance starts. */
  @Test
  void main_demoWithItsSecondPortInUse_oneLine_exitTwo() throws Exception {
    try (ServerSocket taken = secondOfAFreePair()) {
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp",
          System.getProperty("java.class.path"),
          Main.class.getName(),
          "--demo",
          "--port",
          String.valueOf(taken.getLocalPort() - 1));
      builder.environment().put("REDIS_URL", "redis://127.0.0.1:1");
      Process process = builder.start();
      process.getOutputStream().close();
      process.getInputStream().readAllBytes();
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      assertEquals(2, process.exitValue(), err);
      assertEquals(1, err.lines().count(), err);
      assertTrue(err.startsWith("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "), err);
    }
  }

  /** A port taken here whose predecessor is free, so the demo's first instance would bind. */
  private static ServerSocket secondOfAFreePair() throws IOException {
    for (int attempt = 0; ; attempt++) {
      ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      try (ServerSocket before =
          new ServerSocket(taken.getLocalPort() - 1, 1, InetAddress.getLoopbackAddress())) {
        return taken;
      } catch (IOException inUse) {
        taken.close();
        if (attempt > 20) {
          throw inUse;
        }
      }
    }
  }

  @Test
  void parse_instances_threeForTheDemoOneOtherwise() {
    assertEquals(3, Main.Options.parse("--demo").instances());
    assertEquals(1, Main.Options.parse().instances());
    assertEquals(2, Main.Options.parse("--demo", "--instances", "2").instances());
    assertEquals(
        "--instances must be from 1 to 3, was 4",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--instances", "4"))
            .getMessage());
  }

  @Test
  void portInUse_failsBeforeAnythingStarts_withOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      // No Redis listens on port 1: the start must fail at the port, before it connects anywhere.
      App.Config config = App.Config.defaults("redis://127.0.0.1:1").withPort(port);
      long threadsBefore = Thread.activeCount();
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> App.start(config));
      assertTrue(e.getCause() instanceof BindException, String.valueOf(e.getCause()));
      String line = Main.cannotListen(e);
      assertTrue(line.startsWith("cannot listen on 127.0.0.1:" + port + ": "), line);
      assertTrue(
          line.endsWith("; choose another port with --port N or the PORT environment variable "
              + "(0: any free one)"),
          line);
      assertFalse(line.contains("\n") || line.contains("Exception"), line);
      assertTrue(Thread.activeCount() <= threadsBefore, "no thread was left running");
    }
  }

  /** Issue 18: the app takes its settings from TIERCACHE_* (and REDIS_URL), read through TierCacheConfig. */
  @Test
  void main_keyPrefixFromTheEnvironment_putsKeysUnderIt() throws Exception {
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch()) {
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp",
          System.getProperty("java.class.path"),
          Main.class.getName(),
          "--demo",
          "--seconds",
          "2",
          "--instances",
          "1",
          "--port",
          "0");
      builder.environment().put("REDIS_URL", redis.uri());
      builder.environment().put("TIERCACHE_KEY_PREFIX", "abc");
      builder.redirectErrorStream(true);
      Process process = builder.start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), out);
      assertEquals(0, process.exitValue(), out);
      try (Resp resp = Resp.connect(redis.port())) {
        assertFalse(((List<?>) resp.command("KEYS", "abc:*")).isEmpty(), "keys under abc:");
        assertTrue(
            ((List<?>) resp.command("KEYS", "zsxq:*")).isEmpty(), "none under the default prefix");
      }
    }
  }

  /** A bad TIERCACHE_* value: one line naming the variable and the rule, exit 2. */
  @Test
  void main_badTiercacheVariable_oneLine_exitTwo() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        Main.class.getName());
    builder.environment().put("TIERCACHE_DEFAULTS_TTL", "forever");
    Process process = builder.start();
    process.getOutputStream().close();
    process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue(), err);
    assertEquals(
        "TIERCACHE_DEFAULTS_TTL = \"forever\" (environment variable TIERCACHE_DEFAULTS_TTL): must be a "
            + "duration such as 250ms, 30s, 30m, 2h, 1d or PT2H",
        err.strip());
  }
}
