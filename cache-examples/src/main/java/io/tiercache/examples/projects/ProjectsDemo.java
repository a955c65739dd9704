package io.tiercache.examples.projects;

import io.tiercache.Cache;
import io.tiercache.CacheStats;
import io.tiercache.Keys;
import io.tiercache.TierCache;
import io.tiercache.examples.projects.Model.ProjectInfo;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Seed 000's project cache as a console script ({@code --script}), without HTTP: cold and warm reads, a second instance reading through
 * Redis, a batch read, a check-in that clears {@code project:{id}:*}, and an outage.
 */
public final class ProjectsDemo {

  /** What the run measured. */
  public record Result(
      long upstreamCalls,
      long requests,
      CacheStats stats,
      long degradedDuringOutage,
      boolean redisBackAfterRestart) {}

  private final PrintStream out;
  private final CheckinPlatform platform;

  /** A demo printing to {@code out} over {@code platform}. */
  public ProjectsDemo(PrintStream out, CheckinPlatform platform) {
    this.out = out;
    this.platform = platform;
  }

  static TierCache tierCache(String redisUri) {
    return TierCache.builder()
        .redisUri(redisUri)
        .keyPrefix("zsxq")
        .commandTimeout(Duration.ofMillis(200))
        .probeInterval(Duration.ofMillis(200))
        .defaults(d -> d.ttlJitter(0.1).nullTtl(Duration.ofMinutes(1)))
        .cache("project-info", c -> c.valueType(ProjectInfo.class).ttl(Duration.ofHours(2)))
        .build();
  }

  /**
   * Runs the script.
   *
   * @param redisUri the Redis to use
   * @param outage stops and restarts Redis for the outage step; null skips it
   */
  public Result run(String redisUri, Outage outage) {
    long requests = 0;
    try (TierCache pod1 = tierCache(redisUri);
        TierCache pod2 = tierCache(redisUri)) {
      Cache<String, ProjectInfo> info = pod1.cache("project-info");
      List<Long> ids = CheckinPlatform.ids(20);

      step("1. cold: 20 projects, each a 30 ms platform call");
      long t0 = System.nanoTime();
      for (long id : ids) {
        info.get(Keys.of("project", id, "info"), k -> platform.projectInfo(id));
        requests++;
      }
      report(t0, ids.size());

      step("2. warm: the same 20 projects, 10 times each (L1)");
      t0 = System.nanoTime();
      for (int round = 0; round < 10; round++) {
        for (long id : ids) {
          info.get(Keys.of("project", id, "info"), k -> platform.projectInfo(id));
          requests++;
        }
      }
      report(t0, ids.size() * 10);

      step("3. another instance (pod 2) reads them: from Redis, no platform call");
      Cache<String, ProjectInfo> info2 = pod2.cache("project-info");
      long before = platform.calls();
      t0 = System.nanoTime();
      for (long id : ids) {
        info2.get(Keys.of("project", id, "info"), k -> platform.projectInfo(id));
      }
      report(t0, ids.size());
      out.printf(
          "   platform calls made by pod 2: %d, its L2 hits: %d%n",
          platform.calls() - before, info2.stats().l2Hits());

      step(
          "4. batch read of projects 1..50: one Redis read, one bulk platform call for the 30 missing");
      Cache<Long, ProjectInfo> byId = pod1.cache("project-info", ProjectInfo.class);
      before = platform.calls();
      Map<Long, ProjectInfo> batch = byId.getAll(CheckinPlatform.ids(50), platform::projectInfos);
      out.printf(
          "   got %d projects with %d platform call(s)%n", batch.size(), platform.calls() - before);

      step("5. unknown project 99999: the empty answer is cached for a minute");
      before = platform.calls();
      for (int i = 0; i < 5; i++) {
        info.get(Keys.of("project", 99_999, "info"), k -> platform.projectInfo(99_999));
        requests++;
      }
      out.printf("   5 reads, %d platform call(s)%n", platform.calls() - before);

      step("6. a check-in on project 7 clears project:7:* in every cache");
      platform.checkIn(7, 1, "day 1");
      long deleted = pod1.invalidatePattern("project:" + Keys.segment(7L) + ":*");
      ProjectInfo fresh = info.get(Keys.of("project", 7L, "info"), k -> platform.projectInfo(7));
      out.printf(
          "   %d Redis key(s) deleted; project 7 now has %d check-ins%n",
          deleted, fresh.totalCheckins());

      long degraded = 0;
      boolean back = true;
      if (outage != null) {
        step("7. Redis stops: requests keep being answered (L1, then the platform)");
        outage.stop();
        long failed = 0;
        for (long id = 1; id <= 30; id++) {
          long projectId = id;
          try {
            info.get(Keys.of("project", projectId, "info"), k -> platform.projectInfo(projectId));
            requests++;
          } catch (RuntimeException e) {
            failed++;
          }
        }
        degraded = info.stats().degradedCalls();
        out.printf(
            "   30 requests, %d failed, degraded calls so far: %d, Redis available: %s%n",
            failed, degraded, pod1.isRedisAvailable());
        step("8. Redis is back: the circuit breaker closes after a probe");
        outage.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!pod1.isRedisAvailable() && System.nanoTime() < deadline) {
          sleep(50);
        }
        back = pod1.isRedisAvailable();
        out.printf("   Redis available: %s%n", back);
      }

      CacheStats stats = info.stats();
      step("stats of 'project-info' on pod 1");
      out.printf(
          "   requests %d, L1 hits %d, L2 hits %d, misses %d, hit rate %.1f%%, loads %d, avg load %.1f ms%n",
          stats.requests(),
          stats.l1Hits(),
          stats.l2Hits(),
          stats.misses(),
          stats.hitRate() * 100,
          stats.loads(),
          stats.averageLoadNanos() / 1e6);
      out.printf("   platform calls in total: %d%n", platform.calls());
      return new Result(platform.calls(), requests, stats, degraded, back);
    }
  }

  /** Stops and starts the Redis server of the demo. */
  public interface Outage {
    void stop();

    void start();
  }

  private void step(String title) {
    out.println();
    out.println(title);
  }

  private void report(long startNanos, int reads) {
    double ms = (System.nanoTime() - startNanos) / 1e6;
    out.printf(
        "   %d reads in %.1f ms (%.3f ms per read), platform calls so far: %d%n",
        reads, ms, ms / reads, platform.calls());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
