package io.tiercache.examples.projects;

import io.tiercache.examples.projects.Model.Checkin;
import io.tiercache.examples.projects.Model.DailyStats;
import io.tiercache.examples.projects.Model.Leaderboard;
import io.tiercache.examples.projects.Model.Member;
import io.tiercache.examples.projects.Model.ProjectInfo;
import io.tiercache.examples.projects.Model.ProjectList;
import io.tiercache.examples.projects.Model.ProjectStats;
import io.tiercache.examples.projects.Model.RankType;
import io.tiercache.examples.projects.Model.Ranking;
import io.tiercache.examples.projects.Model.Scope;
import io.tiercache.examples.projects.Model.Topic;
import io.tiercache.examples.projects.Model.Topics;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upstream of seed 000: a check-in platform whose API answers in about 30 ms per call. Every
 * call is counted, so the saving a cache brings is visible. Projects 1 to {@link #PROJECTS}
 * exist; their data is generated from the id and grows with each check-in.
 */
public final class CheckinPlatform {

  /** Known project ids: 1..200. */
  public static final int PROJECTS = 200;
  /** Lines of a leaderboard (seed 000: at most 100). */
  public static final int LEADERBOARD_SIZE = 100;
  /** Topics of a project (seed 000: the latest 20). */
  public static final int TOPICS_SIZE = 20;

  private static final String[] NAMES = {
    "Yi Xue'er",
    "Zhang San",
    "Li Si",
    "Wang Wu",
    "Zhao Liu",
    "Chen Qi",
    "Liu Ba",
    "Sun Jiu",
    "Zhou Shi",
    "Wu Yi"
  };

  private final long latencyMillis;
  private final Clock clock;
  private final ZoneId zone;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong topicIds = new AtomicLong(100_000);
  private final Map<Long, Long> checkins = new ConcurrentHashMap<>();
  private final Map<Long, Map<Long, Long>> userDays = new ConcurrentHashMap<>();
  private final Map<Long, Deque<Topic>> topics = new ConcurrentHashMap<>();

  /** A platform whose calls take {@code latencyMillis}, on the system clock in UTC. */
  public CheckinPlatform(long latencyMillis) {
    this(latencyMillis, Clock.systemUTC(), ZoneId.of("UTC"));
  }

  /** A platform whose calls take {@code latencyMillis}; "today" is read from {@code clock} in {@code zone}. */
  public CheckinPlatform(long latencyMillis, Clock clock, ZoneId zone) {
    if (latencyMillis < 0) {
      throw new IllegalArgumentException(
          "latencyMillis must not be negative, was " + latencyMillis);
    }
    this.latencyMillis = latencyMillis;
    this.clock = clock;
    this.zone = zone;
  }

  /** {@code GET /projects?scope=}: ongoing projects are those whose id is not a multiple of 3. */
  public ProjectList projects(Scope scope) {
    call();
    List<ProjectInfo> list = new ArrayList<>();
    for (long id = 1; id <= PROJECTS; id++) {
      if ((id % 3 != 0) == (scope == Scope.ongoing)) {
        list.add(info(id));
      }
    }
    return new ProjectList(scope.name(), list, now());
  }

  /** {@code GET /projects/{id}}: null for an unknown project. */
  public ProjectInfo projectInfo(long id) {
    call();
    return exists(id) ? info(id) : null;
  }

  /** One batched call for many projects, as the platform's bulk endpoint; unknown ids are left out. */
  public Map<Long, ProjectInfo> projectInfos(Set<Long> ids) {
    call();
    Map<Long, ProjectInfo> result = new LinkedHashMap<>();
    for (long id : ids) {
      if (exists(id)) {
        result.put(id, info(id));
      }
    }
    return result;
  }

  /** {@code GET /projects/{id}/stats}: null for an unknown project. */
  public ProjectStats stats(long id) {
    call();
    if (!exists(id)) {
      return null;
    }
    ProjectInfo info = info(id);
    long today = 20 + id % 50 + extraCheckins(id);
    return new ProjectStats(
        id,
        info.totalMembers(),
        info.totalCheckins(),
        today,
        Math.round(1000.0 * (0.6 + (id % 40) / 100.0)) / 1000.0,
        now());
  }

  /** {@code GET /projects/{id}/daily-stats}: today's figures, "today" in the platform's zone. */
  public DailyStats dailyStats(long id) {
    call();
    if (!exists(id)) {
      return null;
    }
    LocalDate today = LocalDate.now(clock.withZone(zone));
    long seed = id * 31 + today.getDayOfYear();
    long checkinsToday = 20 + seed % 100 + extraCheckins(id);
    return new DailyStats(
        id, today.toString(), checkinsToday, seed % 7, checkinsToday - seed % 5, now());
  }

  /** {@code GET /projects/{id}/leaderboard/{type}}: the top {@link #LEADERBOARD_SIZE}. */
  public Leaderboard leaderboard(long id, RankType type) {
    call();
    if (!exists(id)) {
      return null;
    }
    Map<Long, Long> extra = userDays.getOrDefault(id, Map.of());
    List<long[]> scores = new ArrayList<>();
    long members = members(id);
    for (long u = 1; u <= members; u++) {
      long userId = id * 1_000 + u;
      long base = type == RankType.continuous ? (u * 7 + id) % 30 : (u * 13 + id) % 120;
      scores.add(new long[] {userId, base + extra.getOrDefault(userId, 0L)});
    }
    scores.sort(Comparator.<long[]>comparingLong(s -> -s[1]).thenComparingLong(s -> s[0]));
    List<Ranking> rankings = new ArrayList<>();
    for (int i = 0; i < Math.min(LEADERBOARD_SIZE, scores.size()); i++) {
      rankings.add(new Ranking(i + 1, member(scores.get(i)[0]), scores.get(i)[1]));
    }
    return new Leaderboard(type.name(), rankings, rankings.size(), now());
  }

  /** {@code GET /projects/{id}/topics}: the latest {@link #TOPICS_SIZE}, newest first. */
  public Topics topics(long id) {
    call();
    if (!exists(id)) {
      return null;
    }
    List<Topic> latest = new ArrayList<>(topics.getOrDefault(id, new ArrayDeque<>()));
    for (int i = 0; latest.size() < TOPICS_SIZE; i++) {
      long userId = id * 1_000 + 1 + i;
      latest.add(new Topic(
          id + "-" + i,
          "Check-in day " + (TOPICS_SIZE - i),
          "2025-01-15 08:30:00",
          member(userId)));
    }
    return new Topics(List.copyOf(latest.subList(0, TOPICS_SIZE)), now());
  }

  /** Records a check-in: the project's counts, the user's days and a new topic change. */
  public Checkin checkIn(long projectId, long userId, String text) {
    call();
    if (!exists(projectId)) {
      return null;
    }
    checkins.merge(projectId, 1L, Long::sum);
    userDays
        .computeIfAbsent(projectId, p -> new ConcurrentHashMap<>())
        .merge(userId, 1L, Long::sum);
    String topicId = Long.toString(topicIds.incrementAndGet());
    Deque<Topic> list = topics.computeIfAbsent(projectId, p -> new ArrayDeque<>());
    synchronized (list) {
      list.addFirst(new Topic(topicId, text, now(), member(userId)));
      while (list.size() > TOPICS_SIZE) {
        list.removeLast();
      }
    }
    return new Checkin(projectId, userId, topicId, info(projectId).totalCheckins());
  }

  /** Upstream calls so far. */
  public long calls() {
    return calls.get();
  }

  /** Whether the project exists. */
  public static boolean exists(long id) {
    return id >= 1 && id <= PROJECTS;
  }

  private ProjectInfo info(long id) {
    return new ProjectInfo(
        id,
        "Check-in challenge " + id,
        id % 3 == 0 ? "ended" : "ongoing",
        members(id),
        1_000 + id * 17 + extraCheckins(id));
  }

  private long extraCheckins(long id) {
    return checkins.getOrDefault(id, 0L);
  }

  private static long members(long id) {
    return 120 + id % 100;
  }

  private static Member member(long userId) {
    return new Member(userId, NAMES[(int) (userId % NAMES.length)] + " " + userId % 1_000);
  }

  private String now() {
    return clock.instant().toString();
  }

  private void call() {
    calls.incrementAndGet();
    if (latencyMillis == 0) {
      return;
    }
    try {
      Thread.sleep(latencyMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling the platform", e);
    }
  }

  /** Ids 1..n. */
  static List<Long> ids(int n) {
    List<Long> ids = new ArrayList<>(n);
    for (long i = 1; i <= n; i++) {
      ids.add(i);
    }
    return ids;
  }
}
