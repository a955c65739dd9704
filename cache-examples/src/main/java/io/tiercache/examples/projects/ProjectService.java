package io.tiercache.examples.projects;

import io.tiercache.annotation.CacheDefaults;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;
import io.tiercache.examples.projects.Model.Checkin;
import io.tiercache.examples.projects.Model.DailyStats;
import io.tiercache.examples.projects.Model.Leaderboard;
import io.tiercache.examples.projects.Model.ProjectInfo;
import io.tiercache.examples.projects.Model.ProjectList;
import io.tiercache.examples.projects.Model.ProjectStats;
import io.tiercache.examples.projects.Model.RankType;
import io.tiercache.examples.projects.Model.Scope;
import io.tiercache.examples.projects.Model.Topics;
import java.util.Map;
import java.util.Set;

/**
 * Seed 000's reads of the check-in platform, with the seed's key table, TTLs and refresh
 * schedule as annotations. The processor generates {@code CachedProjectService} (the caching
 * decorator) and {@code ProjectServiceKeys}; daily stats also expire at midnight, set where the
 * application builds its {@code TierCache} (see {@link ProjectsModule}).
 *
 * <p>Every method returns null for an unknown project: the decorator caches that as absent for
 * the short null TTL, so unknown ids do not reach the platform on every request.
 */
@CacheDefaults(cache = "project-info")
public interface ProjectService {

  /** {@code projects:list:{scope}}: 2 h, refreshed every hour. */
  @Cached(cache = "projects", key = "projects:list:{scope}", ttl = "2h", refresh = "1h")
  ProjectList projects(Scope scope);

  /** {@code project:{id}:info}: 2 h; an unknown project is remembered for 1 min. */
  @Cached(key = "project:{id}:info", ttl = "2h", nullTtl = "1m", refresh = "1h")
  ProjectInfo info(long id);

  /** Many {@code project:{id}:info} at once: one Redis read, then one bulk call for the missing ones. */
  @Cached(key = "project:{ids[]}:info")
  Map<Long, ProjectInfo> infos(Set<Long> ids);

  /** {@code project:{id}:stats}: 1 h, refreshed every 30 min. */
  @Cached(
      cache = "project-stats",
      key = "project:{id}:stats",
      ttl = "1h",
      nullTtl = "1m",
      refresh = "30m")
  ProjectStats stats(long id);

  /** {@code project:{id}:daily_stats}: 30 min, refreshed every 15 min, and never past midnight. */
  @Cached(
      cache = "daily-stats",
      key = "project:{id}:daily_stats",
      ttl = "30m",
      nullTtl = "1m",
      refresh = "15m")
  DailyStats dailyStats(long id);

  /** {@code project:{id}:leaderboard:{type}}: the top 100, 1 h, refreshed every 30 min. */
  @Cached(
      cache = "leaderboard",
      key = "project:{id}:leaderboard:{type}",
      ttl = "1h",
      nullTtl = "1m",
      refresh = "30m")
  Leaderboard leaderboard(long id, RankType type);

  /** {@code project:{id}:topics}: the latest 20, 10 min, refreshed every 5 min. */
  @Cached(
      cache = "topics",
      key = "project:{id}:topics",
      ttl = "10m",
      nullTtl = "1m",
      refresh = "5m")
  Topics topics(long id);

  /** A check-in changes every figure of the project: all of {@code project:{id}:*} goes, on every instance. */
  @Invalidate(key = "project:{id}:*")
  Checkin checkIn(long id, long userId, String text);
}
