package io.tiercache.examples.projects;

import java.util.List;

/** The check-in platform's answers, as cached and as served (seed 000's data structures). */
public final class Model {

  private Model() {}

  /** Project scopes of {@code GET /projects?scope=...}. Lower-case: the text is part of the key. */
  public enum Scope {
    ongoing,
    ended
  }

  /** Leaderboard types of {@code GET /projects/{id}/leaderboard/{type}}. */
  public enum RankType {
    continuous,
    total
  }

  /** A project as the platform's API returns it. */
  public record ProjectInfo(
      long projectId, String title, String status, long totalMembers, long totalCheckins) {}

  /** {@code projects:list:{scope}}. */
  public record ProjectList(String scope, List<ProjectInfo> projects, String cachedAt) {}

  /** {@code project:{id}:stats}. */
  public record ProjectStats(
      long projectId,
      long totalMembers,
      long totalCheckins,
      long todayCheckins,
      double continuousRate,
      String cachedAt) {}

  /** {@code project:{id}:daily_stats}: the figures of one day. */
  public record DailyStats(
      long projectId,
      String date,
      long totalCheckins,
      long newMembers,
      long activeMembers,
      String cachedAt) {}

  /** A member of a project. */
  public record Member(long userId, String name) {}

  /** One line of a leaderboard. */
  public record Ranking(int rank, Member user, long days) {}

  /** {@code project:{id}:leaderboard:{type}}: at most {@link CheckinPlatform#LEADERBOARD_SIZE} lines. */
  public record Leaderboard(String type, List<Ranking> rankings, int total, String cachedAt) {}

  /** A check-in post. */
  public record Topic(String topicId, String title, String createTime, Member user) {}

  /** {@code project:{id}:topics}: the latest {@link CheckinPlatform#TOPICS_SIZE}. */
  public record Topics(List<Topic> topics, String cachedAt) {}

  /** The platform's answer to a check-in. */
  public record Checkin(long projectId, long userId, String topicId, long totalCheckins) {}
}
