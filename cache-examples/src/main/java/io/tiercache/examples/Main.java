package io.tiercache.examples;

import io.tiercache.TierCacheConfig;
import io.tiercache.examples.demo.DemoDriver;
import io.tiercache.examples.projects.CheckinPlatform;
import io.tiercache.examples.projects.ProjectsDemo;
import io.tiercache.test.EmbeddedRedisServer;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * <p>{@code --help} prints the usage. A port that cannot be bound is one line on stderr and exit
 * status 2, as a bad command line is; the port is {@code --port N} or else the {@code PORT}
 * environment variable (default 8080).
 *
 * <p>Tiercache's settings come from the environment ({@code TIERCACHE_*}, docs/configuration.md):
 * Redis is the one named by {@code TIERCACHE_REDIS_URI} or {@code REDIS_URL}, or else an embedded one
 * started on a free port and stopped on exit; {@code TIERCACHE_KEY_PREFIX} changes the key prefix
 * (default {@code zsxq}).
 */
public final class Main {

  static final String USAGE =
      "usage: java -jar cache-examples.jar [--demo [--seconds N] [--serve]] [--port N] [--instances N] "
          + "| --script | --help";

  /** What {@code --help} prints. */
  static final String HELP = USAGE + "\n"
      + "  (no option)    serve the example app on 127.0.0.1:8080 until Ctrl-C\n"
      + "  --port N       listen on port N instead (0: any free one); the PORT environment variable sets it too\n"
      + "  --instances N  run N instances (1 to 3; --demo: 3) on one Redis, on ports N, N+1, N+2\n"
      + "  --demo         drive 15 s of traffic spread over the instances and print a table per use case\n"
      + "  --seconds N    the demo's length\n"
      + "  --serve        keep serving after the demo (dashboard at the printed URL)\n"
      + "  --script       the console walk-through of the project cache, without HTTP\n"
      + "  --help         this text\n"
      + "Environment: TIERCACHE_* settings of docs/configuration.md, such as TIERCACHE_REDIS_URI or REDIS_URL (default: an\n"
      + "embedded Redis on a free port) and TIERCACHE_KEY_PREFIX (default zsxq); PORT.";

  private Main() {}

  /** The parsed command line. */
  record Options(
      boolean demo,
      boolean serveAfterDemo,
      boolean script,
      int port,
      int seconds,
      boolean help,
      int instances) {

    static Options parse(String... args) {
      return withPortVariable(null, args);
    }

    /** The options; {@code portVariable} is the {@code PORT} environment variable (null: unset), which {@code --port} overrides. */
    static Options withPortVariable(String portVariable, String... args) {
      boolean demo = false;
      boolean serve = false;
      boolean script = false;
      int port = portVariable == null || portVariable.isBlank() ? 8080 : port(portVariable.trim());
      int seconds = 15;
      int instances = 0;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--help", "-h" -> {
            return new Options(false, false, false, port, seconds, true, 1);
          }
          case "--demo" -> demo = true;
          case "--serve" -> serve = true;
          case "--script" -> script = true;
          case "--port" -> port = number(args, ++i, 0, 65_535);
          case "--seconds" -> seconds = number(args, ++i, 1, 3_600);
          case "--instances" -> instances = number(args, ++i, 1, 3);
          default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
        }
      }
      if (script && (demo || serve)) {
        throw new IllegalArgumentException("--script runs alone");
      }
      if (serve && !demo) {
        throw new IllegalArgumentException(
            "--serve goes with --demo (without --demo the app serves anyway)");
      }
      // The demo shows what L2 and coherence do, which takes more than one instance.
      return new Options(
          demo, serve, script, port, seconds, false, instances == 0 ? (demo ? 3 : 1) : instances);
    }

    private static int port(String value) {
      try {
        int n = Integer.parseInt(value);
        if (n >= 0 && n <= 65_535) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          "the PORT environment variable must be a number from 0 to 65535, was '" + value + "'");
    }

    private static int number(String[] args, int i, int min, int max) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a number");
      }
      try {
        int n = Integer.parseInt(args[i]);
        if (n < min || n > max) {
          throw new IllegalArgumentException(
              args[i - 1] + " must be from " + min + " to " + max + ", was " + n);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            args[i - 1] + " must be a number, was '" + args[i] + "'");
      }
    }
  }

  public static void main(String[] args) throws InterruptedException {
    int status = run(System.getenv("PORT"), System.out, System.err, consoleAttached(), args);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Whether a person watches the output: a console is attached ({@link System#console()}; on JDK
   * 22 to 24, whose console may be one without a terminal, also {@code Console.isTerminal()}). Only
   * then is the demo's progress a bar redrawn with carriage returns.
   */
  static boolean consoleAttached() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true; // JDK 17 to 21: a console is a terminal
    }
  }

  /**
   * Runs the app as {@link #main} does and returns the exit status: 0, or 2 for a bad command line
   * or a port that cannot be bound (one line on {@code err}, no stack trace).
   */
  static int run(
      String portVariable, PrintStream out, PrintStream err, boolean console, String... args)
      throws InterruptedException {
    Options options;
    try {
      options = Options.withPortVariable(portVariable, args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options.help()) {
      out.println(HELP);
      return 0;
    }
    TierCacheConfig environment;
    try {
      environment = TierCacheConfig.fromEnvironment(); // TIERCACHE_* and REDIS_URL, checked here
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    String url = environment.value("redis.uri").orElse(null);
    EmbeddedRedisServer embedded = null;
    String redisUri;
    if (url != null && !url.isBlank()) {
      redisUri = url;
      out.println(
          "Redis: " + environment.shownValue("redis.uri").orElseThrow()); // credentials redacted
    } else {
      embedded = EmbeddedRedisServer.launch();
      redisUri = embedded.uri();
      out.println("Redis: embedded, " + redisUri + " (set REDIS_URL to use your own)");
    }
    int status = 0;
    try {
      if (options.script()) {
        runScript(out, redisUri, embedded);
        return status;
      }
      App.Config config =
          App.Config.defaults(redisUri).withPort(options.port()).withEnvironment(environment);
      String taken = takenPort(options);
      if (taken != null) {
        err.println(taken);
        status = 2;
        return status;
      }
      List<App> apps = new ArrayList<>();
      try {
        for (int i = 0; i < options.instances(); i++) {
          App.Config own = config.withPort(options.port() == 0 ? 0 : options.port() + i);
          apps.add(i == 0 ? App.start(own) : App.startReplica(own, apps.get(0)));
        }
      } catch (UncheckedIOException e) {
        closeAll(apps);
        err.println(cannotListen(e));
        status = 2;
        return status;
      }
      try {
        List<URI> uris = apps.stream().map(App::baseUri).toList();
        for (int i = 0; i < apps.size(); i++) {
          apps.get(i).dashboard().instances(apps.get(i).baseUri(), uris);
          printUrls(out, apps.get(i), i);
        }
        App app = apps.get(0);
        if (options.demo()) {
          DemoDriver.Report report =
              new DemoDriver(apps, out, Duration.ofSeconds(options.seconds()), console).run();
          report.print(out);
          if (!options.serveAfterDemo()) {
            return status;
          }
          out.println();
          out.println("Still serving on " + app.baseUri() + " (Ctrl-C to stop).");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      } finally {
        closeAll(apps);
      }
      return status;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /**
   * The one line printed when the app cannot listen, such as {@code cannot listen on
   * 127.0.0.1:8080: Address already in use; choose another port with --port N or the PORT environment
   * variable (0: any free one)}.
   */
  static String cannotListen(UncheckedIOException e) {
    Throwable cause = e.getCause();
    String reason = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return e.getMessage() + reason
        + "; choose another port with --port N or the PORT environment variable "
        + "(0: any free one)";
  }

  /**
   * The line for the first of the instances' ports that cannot be bound, or null: checked before
   * any instance starts, so that the line is the only one on stderr (a started instance logs). A
   * port taken between this check and the start is still one line, after the first one's log.
   */
  private static String takenPort(Options options) {
    if (options.port() == 0) {
      return null;
    }
    for (int i = 0; i < options.instances(); i++) {
      int port = options.port() + i;
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        // free
      } catch (IOException e) {
        return cannotListen(new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e));
      }
    }
    return null;
  }

  /** Closes the replicas, then the first instance, which owns the upstreams. */
  private static void closeAll(List<App> apps) {
    for (int i = apps.size() - 1; i >= 0; i--) {
      apps.get(i).close();
    }
  }

  private static void printUrls(PrintStream out, App app, int index) {
    String base = app.baseUri().toString();
    if (index > 0) {
      out.println("  app-" + (index + 1) + " on " + base
          + ": another instance (its own L1, the same Redis and upstreams)");
      return;
    }
    out.println("Tiercache example app on " + base);
    out.println(
        "  " + base + "/                       dashboard of every instance (refreshes every 2 s)");
    out.println("  " + base + "/cache/stats            stats snapshot (JSON)");
    out.println("  " + base + "/projects?scope=ongoing projects (seed 000)");
    out.println("  " + base + "/users/42               user cache (seed 003)");
    out.println("  " + base + "/articles/42            likes and views (seed 001)");
    out.println("  POST " + base
        + "/login {\"user\":\"user42\",\"password\":\"password42\"}  token (seed 002)");
  }

  private static void runScript(PrintStream out, String redisUri, EmbeddedRedisServer embedded) {
    CheckinPlatform platform = new CheckinPlatform(30);
    ProjectsDemo.Outage outage = embedded == null
        ? null
        : new ProjectsDemo.Outage() {
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
