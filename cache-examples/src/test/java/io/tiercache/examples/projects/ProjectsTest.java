package io.tiercache.examples.projects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.examples.TestApp;
import io.tiercache.examples.TestApp.Reply;
import io.tiercache.test.MutableClock;
import io.tiercache.test.RedisExtension;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The projects use case through HTTP: hits, check-in invalidation, midnight expiry, outage. */
class ProjectsTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

  private final MutableClock clock =
      new MutableClock(LocalDateTime.of(2025, 1, 15, 10, 30).atZone(ZONE).toInstant(), ZONE);
  private TestApp app;
  private CheckinPlatform platform;

  @BeforeEach
  void start() {
    app = TestApp.start(redis.uri(), c -> c.withClock(clock, ZONE));
    platform = app.app().platform();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void reads_secondReadIsAHit_upstreamDoesNotMove() {
    String[] paths = {
      "/projects?scope=ongoing",
      "/projects/7",
      "/projects/7/stats",
      "/projects/7/daily-stats",
      "/projects/7/leaderboard/continuous",
      "/projects/7/leaderboard/total",
      "/projects/7/topics"
    };
    for (String path : paths) {
      long before = platform.calls();
      Reply first = app.get(path);
      assertEquals(200, first.status(), path + ": " + first.body());
      assertEquals(before + 1, platform.calls(), path + ": the first read calls the platform");
      Reply second = app.get(path);
      assertEquals(200, second.status());
      assertEquals(before + 1, platform.calls(), path + ": the second read is a hit");
      assertEquals(first.body(), second.body());
    }
    assertEquals(
        CheckinPlatform.LEADERBOARD_SIZE,
        app.get("/projects/7/leaderboard/total").json().get("rankings").size());
    assertEquals(
        CheckinPlatform.TOPICS_SIZE,
        app.get("/projects/7/topics").json().get("topics").size());
    assertEquals(2, app.app().tier().stats().get("leaderboard").misses());
  }

  @Test
  void batch_oneUpstreamCallForTheMissingOnes() {
    app.get("/projects/2");
    long before = platform.calls();
    Reply batch = app.get("/projects?ids=1,2,3,999");
    assertEquals(200, batch.status());
    assertEquals(3, batch.json().size(), batch.body());
    assertEquals(before + 1, platform.calls(), "1 and 3 come from one bulk call");
    app.get("/projects?ids=1,2,3,999");
    assertEquals(before + 1, platform.calls(), "999 is cached as absent");
  }

  @Test
  void checkIn_invalidatesThatProjectOnly() {
    for (long id : new long[] {1, 2}) {
      app.get("/projects/" + id);
      app.get("/projects/" + id + "/stats");
      app.get("/projects/" + id + "/topics");
    }
    long checkinsBefore = app.get("/projects/1").json().get("total_checkins").asLong();
    long before = platform.calls();

    Reply checkin =
        app.post("/projects/1/checkins", "{\"user_id\": 1001, \"text\": \"day 5\"}", null);
    assertEquals(201, checkin.status(), checkin.body());
    assertEquals(before + 1, platform.calls());

    for (String path : new String[] {"/projects/2", "/projects/2/stats", "/projects/2/topics"}) {
      app.get(path);
    }
    assertEquals(before + 1, platform.calls(), "project 2's keys were kept");

    Reply info = app.get("/projects/1");
    assertEquals(checkinsBefore + 1, info.json().get("total_checkins").asLong());
    assertEquals(
        "day 5",
        app.get("/projects/1/topics").json().get("topics").get(0).get("title").asText());
    app.get("/projects/1/stats");
    assertEquals(before + 4, platform.calls(), "project 1's info, topics and stats were reloaded");
  }

  @Test
  void unknownProject_404_cachedAsAbsent() {
    long before = platform.calls();
    Reply first = app.get("/projects/999");
    assertEquals(404, first.status());
    assertTrue(first.json().get("message").asText().contains("999"));
    assertEquals(404, app.get("/projects/999").status());
    assertEquals(404, app.get("/projects/999/stats").status());
    assertEquals(404, app.get("/projects/999/stats").status());
    assertEquals(before + 2, platform.calls(), "each absent key reached the platform once");
  }

  @Test
  void badInput_answers400or413WithAJsonError() {
    assertEquals(400, app.get("/projects/abc").status());
    assertEquals(400, app.get("/projects/-3").status());
    assertEquals(400, app.get("/projects?scope=someday").status());
    assertEquals(400, app.get("/projects?ids=1,x").status());
    assertEquals(400, app.get("/projects/1/leaderboard/weekly").status());
    assertEquals(400, app.post("/projects/1/checkins", "{not json", null).status());
    assertEquals(
        400, app.post("/projects/1/checkins", "{\"text\": \"no user\"}", null).status());
    Reply tooBig = app.post(
        "/projects/1/checkins", "{\"user_id\": 1, \"text\": \"" + "x".repeat(70_000) + "\"}", null);
    assertEquals(413, tooBig.status());
    assertEquals(413, tooBig.json().get("status").asInt());
    assertEquals(404, app.get("/nowhere").status());
    assertEquals(405, app.send("DELETE", "/projects/1", null, null).status());
    assertEquals(0, platform.calls(), "bad requests never reach the platform");
  }

  @Test
  void dailyStats_expireAtMidnight() throws InterruptedException {
    // Started again at the new time: moved 13 hours forward under a running app, the clock would
    // make a refresh-ahead pass due at once, and its reloads would race with the reads counted
    // here.
    app.close();
    clock.set(LocalDateTime.of(2025, 1, 15, 23, 59, 59).atZone(ZONE).toInstant());
    start();
    long before = platform.calls();
    Reply today = app.get("/projects/5/daily-stats");
    assertEquals("2025-01-15", today.json().get("date").asText());
    app.get("/projects/5");
    assertEquals(
        "2025-01-15", app.get("/projects/5/daily-stats").json().get("date").asText());
    assertEquals(before + 2, platform.calls(), "a hit before midnight");

    clock.set(LocalDateTime.of(2025, 1, 16, 0, 0, 1).atZone(ZONE).toInstant());
    Thread.sleep(1_300); // the entry lived at most the second left until midnight
    Reply tomorrow = app.get("/projects/5/daily-stats");
    assertEquals("2025-01-16", tomorrow.json().get("date").asText(), tomorrow.body());
    assertEquals(before + 3, platform.calls());
    app.get("/projects/5");
    assertEquals(before + 3, platform.calls(), "project info keeps its 2 h TTL across midnight");
  }

  @Test
  void redisStopped_everyReadStillAnswers_andRecovers() throws InterruptedException {
    assertEquals(200, app.get("/projects/1").status());
    redis.stop();
    try {
      for (int id = 1; id <= 5; id++) {
        assertEquals(200, app.get("/projects/" + id).status());
        assertEquals(200, app.get("/projects/" + id + "/stats").status());
      }
      assertEquals(200, app.get("/users/3").status());
      assertEquals(200, app.get("/stats/global").status());
      assertEquals(200, app.get("/articles/3").status());
      assertEquals(200, app.get("/cache/stats").status());
      assertEquals(401, app.get("/me").status());
    } finally {
      redis.restart();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!app.app().tier().isRedisAvailable() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(app.app().tier().isRedisAvailable());
    String token = app.login(7);
    assertEquals(200, app.get("/me", token).status());
  }
}
