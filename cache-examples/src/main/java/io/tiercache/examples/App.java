package io.tiercache.examples;

import com.sun.net.httpserver.HttpServer;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.TierCacheConfig;
import io.tiercache.examples.counter.CounterModule;
import io.tiercache.examples.dashboard.DashboardModule;
import io.tiercache.examples.images.ImageOrigin;
import io.tiercache.examples.images.ImagesModule;
import io.tiercache.examples.projects.CheckinPlatform;
import io.tiercache.examples.projects.ProjectsModule;
import io.tiercache.examples.stats.Articles;
import io.tiercache.examples.stats.Database;
import io.tiercache.examples.stats.StatsModule;
import io.tiercache.examples.token.TokenModule;
import io.tiercache.examples.web.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The example app: one {@link TierCache} and one HTTP server on the loopback interface, with the
 * four use cases and the dashboard as routes. {@link #close()} stops the server, drains the
 * write-back queue into the database and closes the cache.
 */
public final class App implements AutoCloseable {

  /**
   * How to run the app.
   *
   * @param port HTTP port on 127.0.0.1; 0 picks a free one
   * @param redisUri the Redis to use
   * @param keyPrefix the first segment of every Redis key (seed 000: {@code zsxq})
   * @param platformLatencyMillis cost of one check-in platform call
   * @param dbLatencyMillis cost of one database round trip
   * @param users seeded users
   * @param articles seeded articles
   * @param likeLimit likes one user may send per {@code likeWindow}
   * @param likeWindow the like limit's sliding window
   * @param zone the zone whose midnight ends daily stats
   * @param clock the wall clock of the caches and the platform (tests move it)
   * @param redisTimeout how long one Redis command may take before the caches degrade
   * @param environment settings from the environment (docs/configuration.md), or null for none
   */
  public record Config(
      int port,
      String redisUri,
      String keyPrefix,
      long platformLatencyMillis,
      long dbLatencyMillis,
      int users,
      int articles,
      int likeLimit,
      Duration likeWindow,
      ZoneId zone,
      Clock clock,
      Duration redisTimeout,
      TierCacheConfig environment) {

    /**
     * Port 8080, prefix {@code zsxq}, a 30 ms platform, a 2 ms database, 3,000 users, 6,000
     * articles, Redis commands time out after 200 ms.
     */
    public static Config defaults(String redisUri) {
      return new Config(
          8080,
          redisUri,
          "zsxq",
          30,
          2,
          3_000,
          6_000,
          20,
          Duration.ofSeconds(10),
          ZoneId.of("Asia/Shanghai"),
          Clock.systemUTC(),
          Duration.ofMillis(200),
          null);
    }

    public Config withPort(int port) {
      return new Config(
          port,
          redisUri,
          keyPrefix,
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }

    /**
     * Settings from outside ({@code TierCacheConfig.fromEnvironment()}): its key prefix replaces this
     * one, and the rest reach the builder under the app's own calls, which win (docs/configuration.md).
     */
    public Config withEnvironment(TierCacheConfig environment) {
      Objects.requireNonNull(environment, "environment must not be null");
      return new Config(
          port,
          redisUri,
          environment.value("key-prefix").orElse(keyPrefix),
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }

    public Config withKeyPrefix(String keyPrefix) {
      return new Config(
          port,
          redisUri,
          keyPrefix,
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }

    public Config withLatency(long platformLatencyMillis, long dbLatencyMillis) {
      return new Config(
          port,
          redisUri,
          keyPrefix,
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }

    public Config withData(int users, int articles) {
      return new Config(
          port,
          redisUri,
          keyPrefix,
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }

    public Config withLikeLimit(int likeLimit, Duration likeWindow) {
      return new Config(
          port,
          redisUri,
          keyPrefix,
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }

    public Config withClock(Clock clock, ZoneId zone) {
      return new Config(
          port,
          redisUri,
          keyPrefix,
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }

    public Config withRedisTimeout(Duration redisTimeout) {
      if (redisTimeout == null || redisTimeout.isNegative() || redisTimeout.isZero()) {
        throw new IllegalArgumentException(
            "redisTimeout must be a positive duration, was " + redisTimeout);
      }
      return new Config(
          port,
          redisUri,
          keyPrefix,
          platformLatencyMillis,
          dbLatencyMillis,
          users,
          articles,
          likeLimit,
          likeWindow,
          zone,
          clock,
          redisTimeout,
          environment);
    }
  }

  private final Config config;
  private final Database db;
  private final CheckinPlatform platform;
  private final TierCache tier;
  private final ProjectsModule projects;
  private final StatsModule stats;
  private final CounterModule counter;
  private final ImagesModule images;
  private final Router router;
  private final HttpServer server;
  private final ExecutorService executor;
  private final DashboardModule dashboard;
  private final boolean ownsUpstreams;

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's
    // delayed ACK: every keep-alive response would wait about 40 ms.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private App(Config config, Database sharedDb, CheckinPlatform sharedPlatform) throws IOException {
    this.config = config;
    this.ownsUpstreams = sharedDb == null;
    // Bound first: a port in use fails the start before a database or a Redis connection exists.
    this.server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), config.port()), 128);
    try {
      this.db = sharedDb != null
          ? sharedDb
          : Database.create(config.users(), config.articles(), config.dbLatencyMillis());
      this.platform = sharedPlatform != null
          ? sharedPlatform
          : new CheckinPlatform(config.platformLatencyMillis(), config.clock(), config.zone());
      TierCacheBuilder builder = TierCache.builder()
          .redisUri(config.redisUri())
          .keyPrefix(config.keyPrefix())
          .clock(config.clock())
          .commandTimeout(config.redisTimeout())
          .probeInterval(Duration.ofMillis(500))
          // Seed 000 and 002: short TTL for absent values (penetration), jitter (avalanche).
          .defaults(d -> d.ttlJitter(0.1).nullTtl(Duration.ofMinutes(1)));
      if (config.environment() != null) {
        builder.config(config.environment());
      }
      ProjectsModule.declareCaches(builder, config.zone());
      Articles.Flushes flushes = StatsModule.declareCaches(builder, db);
      ImagesModule.declareCaches(builder);
      this.tier = builder.build();
      this.projects = ProjectsModule.create(platform, tier);
      this.stats = StatsModule.create(db, tier, config.clock(), flushes);
      TokenModule token = new TokenModule(tier.tokens(), stats);
      this.counter = new CounterModule(
          stats.articles(),
          tier.counters(),
          tier.hashes(),
          tier.rateLimiters(),
          config.likeLimit(),
          config.likeWindow());
      this.router = new Router();
      projects.routes(router);
      stats.routes(router, token.filter());
      token.routes(router);
      counter.routes(router, token.filter());
      this.images =
          ImagesModule.create(tier, new ImageOrigin(1_000, config.platformLatencyMillis()));
      images.routes(router);
      this.dashboard = new DashboardModule(tier);
      dashboard.routes(router, config.clock());
      this.executor = Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "http");
        t.setDaemon(true);
        return t;
      });
      server.createContext("/", router);
      server.setExecutor(executor);
    } catch (RuntimeException e) {
      server.stop(0);
      throw e;
    }
    server.start();
  }

  /**
   * Starts the app; it serves until {@link #close()}.
   *
   * @throws UncheckedIOException if the port cannot be bound (in use, or not allowed); nothing is
   *     started then
   */
  public static App start(Config config) {
    return start(config, null, null);
  }

  /**
   * Starts another instance of the app over the upstreams of {@code first}, as replicas behind a
   * load balancer share one database and one platform; each has its own {@link TierCache} (its
   * own L1) on the same Redis. Closing it leaves the upstreams to {@code first}.
   *
   * @throws UncheckedIOException if the port cannot be bound; nothing is started then
   */
  public static App startReplica(Config config, App first) {
    return start(config, first.db, first.platform);
  }

  private static App start(Config config, Database db, CheckinPlatform platform) {
    try {
      return new App(config, db, platform);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + config.port(), e);
    }
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:{port}}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port());
  }

  public Config config() {
    return config;
  }

  public TierCache tier() {
    return tier;
  }

  public CheckinPlatform platform() {
    return platform;
  }

  public Database db() {
    return db;
  }

  public StatsModule stats() {
    return stats;
  }

  public CounterModule counter() {
    return counter;
  }

  public ImagesModule images() {
    return images;
  }

  public Router router() {
    return router;
  }

  public DashboardModule dashboard() {
    return dashboard;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dashboard.stop();
    images.close();
    tier.close();
    if (ownsUpstreams) {
      db.close();
    }
  }
}
