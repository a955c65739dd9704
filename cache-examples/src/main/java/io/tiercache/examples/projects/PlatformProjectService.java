package io.tiercache.examples.projects;

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

/** The uncached service: every call is a platform call. */
final class PlatformProjectService implements ProjectService {

  private final CheckinPlatform platform;

  PlatformProjectService(CheckinPlatform platform) {
    this.platform = platform;
  }

  @Override
  public ProjectList projects(Scope scope) {
    return platform.projects(scope);
  }

  @Override
  public ProjectInfo info(long id) {
    return platform.projectInfo(id);
  }

  @Override
  public Map<Long, ProjectInfo> infos(Set<Long> ids) {
    return platform.projectInfos(ids);
  }

  @Override
  public ProjectStats stats(long id) {
    return platform.stats(id);
  }

  @Override
  public DailyStats dailyStats(long id) {
    return platform.dailyStats(id);
  }

  @Override
  public Leaderboard leaderboard(long id, RankType type) {
    return platform.leaderboard(id, type);
  }

  @Override
  public Topics topics(long id) {
    return platform.topics(id);
  }

  @Override
  public Checkin checkIn(long id, long userId, String text) {
    return platform.checkIn(id, userId, text);
  }
}
