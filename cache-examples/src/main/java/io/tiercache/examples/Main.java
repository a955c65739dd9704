package io.tiercache.examples;

import io.tiercache.examples.demo.DemoDriver;
import io.tiercache.examples.projects.CheckinPlatform;
import io.tiercache.examples.projects.ProjectsDemo;
import io.tiercache.test.EmbeddedRedisServer;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the example app: {@code java -jar cache-examples.jar [--demo [--serve]] [--port N]}.
 *
 * <ul>
 *   <li>no flag: serve on 127.0.0.1:8080 (or {@code --port N}) until Ctrl-C;
 *   <li>{@code --demo}: start the app, drive a scripted workload against it over HTTP for about
 *       15 s ({@code --seconds N}), print a table per use case and exit 0; with {@code --serve},
 *       keep serving afterwards;
 *   <li>{@code --script}: the console walk-through of the project cache (cold, warm, a second
 *       instance, batch, check-in, a Redis outage), without HTTP.
 * </ul>
 *
 * <p>Redis is the one named by {@code REDIS_URL}, or else an embedded one started on a free port
 * and stopped on exit. {@code CACHE_PREFIX} changes the key prefix (default {@code zsxq}).
 */
public final class Main {

  static final String USAGE = "usage: java -jar cache-examples.jar [--demo [--seconds N] [--serve]] [--port N] "
      + "| --script";

  private Main() {}

  /** The parsed command line. */
  record Options(boolean demo, boolean serveAfterDemo, boolean script, int port, int seconds) {

    static Options parse(String... args) {
      boolean demo = false;
      boolean serve = false;
      boolean script = false;
      int port = 8080;
      int seconds = 15;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--demo" -> demo = true;
          case "--serve" -> serve = true;
          case "--script" -> script = true;
          case "--port" -> port = number(args, ++i, 0, 65_535);
          case "--seconds" -> seconds = number(args, ++i, 1, 3_600);
          default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
        }
      }
      if (script && (demo || serve)) {
        throw new IllegalArgumentException("--script runs alone");
      }
      if (serve && !demo) {
        throw new IllegalArgumentException("--serve goes with --demo (without --demo the app serves anyway)");
      }
      return new Options(demo, serve, script, port, seconds);
    }

    private static int number(String[] args, int i, int min, int max) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a number");
      }
      try {
        int n = Integer.parseInt(args[i]);
        if (n < min || n > max) {
          throw new IllegalArgumentException(args[i - 1] + " must be from " + min + " to " + max + ", was " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(args[i - 1] + " must be a number, was '" + args[i] + "'");
      }
    }
  }

  public static void main(String[] args) throws InterruptedException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    PrintStream out = System.out;
    String url = System.getenv("REDIS_URL");
    EmbeddedRedisServer embedded = null;
    String redisUri;
    if (url != null && !url.isBlank()) {
      redisUri = url;
      out.println("Redis: " + url.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@"));
    } else {
      embedded = EmbeddedRedisServer.launch();
      redisUri = embedded.uri();
      out.println("Redis: embedded, " + redisUri + " (set REDIS_URL to use your own)");
    }
    int status = 0;
    try {
      if (options.script()) {
        runScript(out, redisUri, embedded);
        return;
      }
      App.Config config = App.Config.defaults(redisUri).withPort(options.port());
      String prefix = System.getenv("CACHE_PREFIX");
      if (prefix != null && !prefix.isBlank()) {
        config = config.withKeyPrefix(prefix);
      }
      App started;
      try {
        started = App.start(config);
      } catch (UncheckedIOException e) {
        System.err.println(cannotListen(e));
        status = 1;
        return;
      }
      try (App app = started) {
        printUrls(out, app);
        if (options.demo()) {
          DemoDriver.Report report = new DemoDriver(app, out, Duration.ofSeconds(options.seconds())).run();
          report.print(out);
          if (!options.serveAfterDemo()) {
            return;
          }
          out.println();
          out.println("Still serving on " + app.baseUri() + " (Ctrl-C to stop).");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
    } finally {
      if (embedded != null) {
        embedded.close();
      }
      if (status != 0) {
        System.exit(status);
      }
    }
  }

  /**
   * The one line printed when the app cannot listen, such as {@code cannot listen on
   * 127.0.0.1:8080: Address already in use; choose another port with --port N (0: any free one)}.
   */
  static String cannotListen(UncheckedIOException e) {
    Throwable cause = e.getCause();
    String reason = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return e.getMessage() + reason + "; choose another port with --port N (0: any free one)";
  }

  private static void printUrls(PrintStream out, App app) {
    String base = app.baseUri().toString();
    out.println("Tiercache example app on " + base);
    out.println("  " + base + "/                       dashboard (refreshes every 2 s)");
    out.println("  " + base + "/cache/stats            stats snapshot (JSON)");
    out.println("  " + base + "/projects?scope=ongoing projects (seed 000)");
    out.println("  " + base + "/users/42               user cache (seed 003)");
    out.println("  " + base + "/articles/42            likes and views (seed 001)");
    out.println("  POST " + base + "/login {\"user\":\"user42\",\"password\":\"password42\"}  token (seed 002)");
  }

  private static void runScript(PrintStream out, String redisUri, EmbeddedRedisServer embedded) {
    CheckinPlatform platform = new CheckinPlatform(30);
    ProjectsDemo.Outage outage = embedded == null ? null : new ProjectsDemo.Outage() {
      @Override
      public void stop() {
        embedded.stop();
      }

      @Override
      public void start() {
        embedded.restart();
      }
    };
    new ProjectsDemo(out, platform).run(redisUri, outage);
  }
}
