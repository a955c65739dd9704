package io.tiercache.examples.projects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProjectsDemoTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  void demo_savesUpstreamCallsAndSurvivesTheOutage() {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    CheckinPlatform platform = new CheckinPlatform(0);
    ProjectsDemo.Result result = new ProjectsDemo(
            new PrintStream(text, true, StandardCharsets.UTF_8), platform)
        .run(redis.uri(), new ProjectsDemo.Outage() {
          @Override
          public void stop() {
            redis.stop();
          }

          @Override
          public void start() {
            redis.restart();
          }
        });
    // 20 cold loads, 0 for warm reads and pod 2, 1 bulk call, 1 for the unknown project,
    // 1 check-in + 1 reload, then during the outage only the 10 projects L1 does not hold (21..30).
    assertEquals(
        20 + 1 + 1 + 2 + 10, result.upstreamCalls(), text.toString(StandardCharsets.UTF_8));
    // Each of the 10 loads during the outage lost Redis for its read, and for its write of the
    // loaded value too unless that write was skipped without an attempt; L1 hits never touch
    // Redis: at least one and at most two degraded calls per load.
    long degraded = result.degradedDuringOutage();
    assertTrue(degraded >= 10 && degraded <= 20, "degraded calls during the outage: " + degraded);
    assertTrue(result.redisBackAfterRestart());
    assertTrue(text.toString(StandardCharsets.UTF_8).contains("30 requests, 0 failed"));
  }
}
