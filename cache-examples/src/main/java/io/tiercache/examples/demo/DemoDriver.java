package io.tiercache.examples.demo;

import io.tiercache.CacheStats;
import io.tiercache.CoherenceStats;
import io.tiercache.examples.App;
import io.tiercache.examples.web.Json;
import io.tiercache.examples.web.RouteStats;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code --demo}: drives a scripted workload against the running app over HTTP, one phase per use
 * case with {@value #CLIENTS} concurrent clients, shows a progress bar, and reports per use case
 * the requests, the caches' hit rate, p50 and p99 of cold requests (the first for a URL) and warm
 * ones, and the upstream calls the caches saved.
 */
public final class DemoDriver {

  static final int CLIENTS = 8;

  /** One use case's phase: its share of the time, its caches, its upstream counter, its requests. */
  private record Phase(
      String title, double share, List<String> caches, LongSupplier upstream, Workload workload) {}

  /** What one client does in a phase, one request per call. */
  @FunctionalInterface
  private interface Workload {
    void step(Client client, ThreadLocalRandom random) throws IOException, InterruptedException;
  }

  /**
   * The figures of one use case.
   *
   * @param title the use case
   * @param requests requests sent
   * @param errors answers 5xx or failed requests
   * @param limited answers 429
   * @param hitRate hits over reads of the use case's caches
   * @param cold latencies (µs) of first requests of a URL, sorted
   * @param warm latencies (µs) of repeated requests, sorted
   * @param upstreamWithout upstream calls the requests would have made without the cache
   * @param upstreamWith upstream calls they made
   * @param upstreamName what the upstream is
   */
  public record UseCase(
      String title,
      long requests,
      long errors,
      long limited,
      double hitRate,
      long[] cold,
      long[] warm,
      long upstreamWithout,
      long upstreamWith,
      String upstreamName) {}

  /**
   * One instance's figures over the whole run: its caches' reads by level and the invalidations
   * it sent to and received from the others.
   */
  public record Instance(
      String url,
      long reads,
      long l1Hits,
      long l2Hits,
      long loads,
      long sent,
      long received,
      long lagP99Micros) {}

  /** The demo's result. */
  public record Report(List<UseCase> useCases, List<Instance> instances, Duration took) {

    /** Answers 5xx or failed requests over all use cases. */
    public long errors() {
      return useCases.stream().mapToLong(UseCase::errors).sum();
    }

    /** Prints a table per use case. */
    public void print(PrintStream out) {
      out.println();
      out.printf(Locale.ROOT, "Demo finished in %.1f s.%n", took.toMillis() / 1000.0);
      for (UseCase u : useCases) {
        out.println();
        out.println(u.title());
        String line = "  +-----------------+------------------------------------------------+";
        out.println(line);
        row(
            out,
            "requests",
            String.format(
                Locale.ROOT,
                "%,d (%,d answered 429, %,d errors)",
                u.requests(),
                u.limited(),
                u.errors()));
        row(out, "hit rate", String.format(Locale.ROOT, "%.1f %%", 100 * u.hitRate()));
        row(out, "cold p50 / p99", latency(u.cold()));
        row(out, "warm p50 / p99", latency(u.warm()));
        row(
            out,
            "upstream calls",
            String.format(
                Locale.ROOT,
                "%,d with the cache, %,d without",
                u.upstreamWith(),
                u.upstreamWithout()));
        row(
            out,
            "saved",
            String.format(
                Locale.ROOT,
                "%,d %s",
                Math.max(0, u.upstreamWithout() - u.upstreamWith()),
                u.upstreamName()));
        out.println(line);
      }
      if (instances.size() > 1) {
        out.println();
        out.println("Instances (one Redis; each its own L1): what L2 and coherence did");
        for (int i = 0; i < instances.size(); i++) {
          Instance n = instances.get(i);
          out.printf(
              Locale.ROOT,
              "  app-%d %s  reads %,d: L1 %,d, L2 %,d, loader %,d;"
                  + " invalidations sent %,d, received %,d (lag p99 %.2f ms)%n",
              i + 1,
              n.url(),
              n.reads(),
              n.l1Hits(),
              n.l2Hits(),
              n.loads(),
              n.sent(),
              n.received(),
              n.lagP99Micros() / 1000.0);
        }
      }
    }

    private static void row(PrintStream out, String name, String value) {
      out.printf(Locale.ROOT, "  | %-15s | %-46s |%n", name, value);
    }

    private static String latency(long[] micros) {
      return micros.length == 0
          ? "-"
          : String.format(
              Locale.ROOT,
              "%.2f ms / %.2f ms  (%,d requests)",
              RouteStats.percentile(micros, 0.50) / 1000.0,
              RouteStats.percentile(micros, 0.99) / 1000.0,
              micros.length);
    }
  }

  private final App app;
  private final List<App> apps;
  private final PrintStream out;
  private final Duration length;
  private final HttpClient http;
  private final boolean console;
  private int lastPercent = -1;
  private String lastLabel = "";

  /** A driver of {@code app} for about {@code length}, writing plain progress lines on {@code out}. */
  public DemoDriver(App app, PrintStream out, Duration length) {
    this(app, out, length, false);
  }

  /**
   * A driver of {@code app} for about {@code length}, with its progress on {@code out}: a bar redrawn
   * with carriage returns when {@code console} (a terminal shows it), else a plain line per phase
   * and per 10 %, so that a log file gets readable lines.
   */
  public DemoDriver(App app, PrintStream out, Duration length, boolean console) {
    this(List.of(app), out, length, console);
  }

  /**
   * A driver of several instances of the app on one Redis, sharing their upstreams ({@link
   * App#startReplica}): each request goes to one of them at random, as behind a load balancer.
   */
  public DemoDriver(List<App> apps, PrintStream out, Duration length, boolean console) {
    this.apps = List.copyOf(apps);
    this.app = apps.get(0);
    this.out = out;
    this.length = length;
    this.console = console;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  /** Runs every phase; returns the figures. */
  public Report run() throws InterruptedException {
    long start = System.nanoTime();
    List<Phase> phases = List.of(
        new Phase(
            "Projects (seed 000): check-in platform, " + app.config().platformLatencyMillis()
                + " ms a call",
            0.35,
            List.of(
                "projects",
                "project-info",
                "project-stats",
                "daily-stats",
                "leaderboard",
                "topics"),
            () -> app.platform().calls(),
            this::projects),
        new Phase(
            "Stats (seed 003): users and SQL aggregations on H2",
            0.25,
            List.of("users", "global-stats", "user-stats"),
            () -> app.db().statements(),
            this::stats),
        new Phase(
            "Token (seed 002): login, /me, logout",
            0.15,
            List.of("users"),
            () -> app.db().statements(),
            this::token),
        new Phase(
            "Counter (seed 001): articles, likes (rate-limited), write-back views",
            0.25,
            List.of("articles", "article-views"),
            () -> app.db().statements(),
            this::counter));
    List<UseCase> results = new ArrayList<>();
    long total = length.toNanos();
    long elapsedBefore = 0;
    for (Phase phase : phases) {
      long phaseNanos = (long) (total * phase.share());
      results.add(runPhase(phase, phaseNanos, elapsedBefore, total));
      elapsedBefore += phaseNanos;
    }
    bar(1.0, "done");
    if (console) {
      out.println();
    }
    List<Instance> instances = new ArrayList<>();
    for (App a : apps) {
      long[] t = new long[4];
      a.tier().stats().values().forEach(c -> {
        t[0] += c.requests();
        t[1] += c.l1Hits();
        t[2] += c.l2Hits();
        t[3] += c.loads();
      });
      CoherenceStats c = a.tier().coherenceStats();
      instances.add(new Instance(
          a.baseUri().toString(),
          t[0],
          t[1],
          t[2],
          t[3],
          c.sent(),
          c.received(),
          c.lagP99Micros()));
    }
    return new Report(results, instances, Duration.ofNanos(System.nanoTime() - start));
  }

  /* ---- Phases ---- */

  private void projects(Client c, ThreadLocalRandom random)
      throws IOException, InterruptedException {
    long id = hot(random, 40);
    int pick = random.nextInt(100);
    if (pick < 1) {
      c.send(
          "POST",
          "/projects/" + id + "/checkins",
          "{\"user_id\": " + (1 + random.nextInt(500)) + ", \"text\": \"day " + random.nextInt(100)
              + "\"}",
          1);
    } else if (pick < 25) {
      c.get("/projects/" + id, 1);
    } else if (pick < 40) {
      c.get("/projects/" + id + "/stats", 1);
    } else if (pick < 55) {
      c.get("/projects/" + id + "/daily-stats", 1);
    } else if (pick < 70) {
      c.get(
          "/projects/" + id + "/leaderboard/" + (random.nextBoolean() ? "continuous" : "total"), 1);
    } else if (pick < 85) {
      c.get("/projects/" + id + "/topics", 1);
    } else if (pick < 95) {
      c.get("/projects?scope=" + (random.nextInt(4) == 0 ? "ended" : "ongoing"), 1);
    } else {
      c.get("/projects/" + (900 + random.nextInt(5)), 1); // unknown: cached as absent
    }
  }

  private void stats(Client c, ThreadLocalRandom random) throws IOException, InterruptedException {
    int pick = random.nextInt(100);
    if (pick < 60) {
      c.get("/users/" + hot(random, 300), 1);
    } else if (pick < 90) {
      c.get("/stats/users/" + hot(random, 300), 2);
    } else {
      c.get("/stats/global", 4);
    }
  }

  private void token(Client c, ThreadLocalRandom random) throws IOException, InterruptedException {
    if (c.token == null || random.nextInt(100) < 3) {
      if (c.token != null) {
        c.send("POST", "/logout", "", 0);
      }
      c.login(c.user);
    } else {
      c.get("/me", 1);
    }
  }

  private void counter(Client c, ThreadLocalRandom random)
      throws IOException, InterruptedException {
    if (c.token == null) {
      c.login(c.user);
    }
    long id = hot(random, 200);
    if (random.nextInt(100) < 75) {
      c.get("/articles/" + id, 3); // without the caches: the row, the count, the UPDATE
    } else {
      c.send("POST", "/articles/" + id + (random.nextInt(4) == 0 ? "/unlike" : "/like"), "", 1);
    }
  }

  /** An id in 1..n, skewed: the low ids are hot, as in real traffic. */
  private static long hot(ThreadLocalRandom random, int n) {
    double u = random.nextDouble();
    return 1 + (long) (n * u * u * u);
  }

  /* ---- Running ---- */

  private UseCase runPhase(Phase phase, long nanos, long elapsedBefore, long total)
      throws InterruptedException {
    Map<String, CacheStats> before = stats();
    long upstreamBefore = phase.upstream().getAsLong();
    Tally tally = new Tally();
    long deadline = System.nanoTime() + nanos;
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Client client = new Client(i + 1, tally);
      clients.add(pool.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() < deadline) {
          try {
            phase.workload().step(client, random);
          } catch (IOException e) {
            tally.errors.incrementAndGet();
          }
        }
        return null;
      }));
    }
    long phaseStart = System.nanoTime();
    while (System.nanoTime() < deadline) {
      bar(
          (elapsedBefore + (System.nanoTime() - phaseStart)) / (double) total,
          phase.title().split(" ")[0]);
      Thread.sleep(100);
    }
    for (Future<?> f : clients) {
      try {
        f.get();
      } catch (ExecutionException e) {
        tally.errors.incrementAndGet();
      }
    }
    pool.shutdown();
    if (phase.title().startsWith("Counter")) {
      apps.forEach(a -> a.stats()
          .articles()
          .flush()); // the write-back batches count as the phase's database calls
    }
    Map<String, CacheStats> after = stats();
    long hits = 0;
    long reads = 0;
    for (String cache : phase.caches()) {
      CacheStats a = after.get(cache);
      CacheStats b = before.get(cache);
      if (a != null && b != null) {
        hits += (a.l1Hits() - b.l1Hits()) + (a.l2Hits() - b.l2Hits());
        reads += a.requests() - b.requests();
      }
    }
    return new UseCase(
        phase.title(),
        tally.requests.get(),
        tally.errors.get(),
        tally.limited.get(),
        reads == 0 ? 0 : (double) hits / reads,
        sorted(tally.cold),
        sorted(tally.warm),
        tally.uncached.get(),
        phase.upstream().getAsLong() - upstreamBefore,
        phase.upstream() == null
            ? ""
            : phase.title().startsWith("Projects") ? "platform calls" : "database calls");
  }

  /** Every instance's counters, summed per cache. */
  private Map<String, CacheStats> stats() {
    Map<String, CacheStats> sum = new HashMap<>();
    for (App a : apps) {
      a.tier()
          .stats()
          .forEach((name, s) -> sum.merge(
              name,
              s,
              (x, y) -> new CacheStats(
                  name,
                  x.requests() + y.requests(),
                  x.l1Hits() + y.l1Hits(),
                  x.l2Hits() + y.l2Hits(),
                  x.misses() + y.misses(),
                  x.loads() + y.loads(),
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0,
                  0)));
    }
    return sum;
  }

  private static long[] sorted(List<Long> values) {
    long[] result;
    synchronized (values) {
      result = values.stream().mapToLong(Long::longValue).toArray();
    }
    Arrays.sort(result);
    return result;
  }

  private void bar(double fraction, String label) {
    int percent = (int) Math.round(Math.min(1, fraction) * 100);
    if (!console) {
      if (!label.equals(lastLabel) || percent / 10 > lastPercent / 10) {
        out.printf(Locale.ROOT, "progress %3d%% %s%n", percent, label);
        lastPercent = percent;
        lastLabel = label;
      }
      return;
    }
    int width = 40;
    int filled = (int) Math.round(Math.min(1, fraction) * width);
    out.printf(
        Locale.ROOT,
        "\r[%s%s] %3d%% %-10s",
        "#".repeat(filled),
        ".".repeat(width - filled),
        Math.round(Math.min(1, fraction) * 100),
        label);
    out.flush();
  }

  /** Counts shared by a phase's clients. */
  private static final class Tally {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong limited = new AtomicLong();
    final AtomicLong uncached = new AtomicLong();
    final List<Long> cold = Collections.synchronizedList(new ArrayList<>());
    final List<Long> warm = Collections.synchronizedList(new ArrayList<>());
    final Set<String> seen = ConcurrentHashMap.newKeySet();
  }

  /** One simulated user: their own login and token. */
  private final class Client {
    final long user;
    final Tally tally;
    String token;

    Client(long user, Tally tally) {
      this.user = user;
      this.tally = tally;
    }

    void login(long user) throws IOException, InterruptedException {
      HttpResponse<String> response = send(
          "POST",
          "/login",
          "{\"user\": \"user" + user + "\", \"password\": \"password" + user + "\"}",
          1);
      if (response.statusCode() == 200) {
        token = Json.mapper().readTree(response.body()).get("token").asText();
      }
    }

    HttpResponse<String> get(String path, int uncachedCost)
        throws IOException, InterruptedException {
      return send("GET", path, null, uncachedCost);
    }

    HttpResponse<String> send(String method, String path, String body, int uncachedCost)
        throws IOException, InterruptedException {
      App target = apps.get(ThreadLocalRandom.current().nextInt(apps.size()));
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.baseUri() + path))
          .timeout(Duration.ofSeconds(10))
          .method(
              method,
              body == null
                  ? HttpRequest.BodyPublishers.noBody()
                  : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      long t0 = System.nanoTime();
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      long micros = (System.nanoTime() - t0) / 1_000;
      tally.requests.incrementAndGet();
      tally.uncached.addAndGet(uncachedCost);
      if (response.statusCode() == 429) {
        tally.limited.incrementAndGet();
      } else if (response.statusCode() >= 500) {
        tally.errors.incrementAndGet();
      } else if (method.equals("GET")) {
        (tally.seen.add(path) ? tally.cold : tally.warm).add(micros);
      }
      return response;
    }
  }
}
