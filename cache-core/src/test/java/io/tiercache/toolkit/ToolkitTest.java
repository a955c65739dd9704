package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ToolkitTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  void constructor_badArguments_throwNamingTheArgument() {
    try (Fixture fixture = Fixture.open(redis)) {
      ObjectMapper mapper = new ObjectMapper();
      ScheduledExecutorService scheduler = fixture.scheduler;
      assertEquals(
          "redis must not be null",
          assertThrows(NullPointerException.class, () -> new Toolkit(null, "p", mapper, scheduler))
              .getMessage());
      assertEquals(
          "keyPrefix must not be empty",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> new Toolkit(fixture.tier, "", mapper, scheduler))
              .getMessage());
      assertEquals(
          "mapper must not be null",
          assertThrows(
                  NullPointerException.class, () -> new Toolkit(fixture.tier, "p", null, scheduler))
              .getMessage());
      assertEquals(
          "scheduler must not be null",
          assertThrows(
                  NullPointerException.class, () -> new Toolkit(fixture.tier, "p", mapper, null))
              .getMessage());
      assertEquals(
          "clock must not be null",
          assertThrows(
                  NullPointerException.class,
                  () -> new Toolkit(fixture.tier, "p", mapper, scheduler, null))
              .getMessage());
    }
  }

  @Test
  void everyTool_writesOnlyUnderPrefixAndKindSegment() {
    try (Fixture fixture = Fixture.open(redis)) {
      Toolkit toolkit = fixture.toolkit;
      toolkit.counters().increment("c");
      toolkit.rateLimiters().slidingWindow("r", 1, Duration.ofMinutes(1)).tryAcquire("s");
      toolkit.locks().acquire("l", Duration.ofSeconds(5), Duration.ZERO);
      toolkit.tokens().issue("u", null);
      toolkit.leaderboards().get("b").add("m", 1);
      toolkit.lists().get("q", 3, String.class).push("x");
      toolkit.hashes().strings("h").put("f", "v");
      toolkit.blobs().put("k", new Blob(new byte[1], "image/png"));
      try (Resp resp = redis.connect()) {
        List<String> keys = Fixture.keys(resp);
        assertEquals(10, keys.size(), keys.toString());
        for (String key : keys) {
          assertTrue(
              key.matches(
                  "t:__tk:(counter|rate|lock|lock_fence|token|token_sessions|lb|list|hash|blob):.+"),
              key);
        }
      }
    }
  }

  @Test
  void close_isIdempotent_andRefusesNewBatchedCounters() {
    try (Fixture fixture = Fixture.open(redis)) {
      fixture.toolkit.close();
      fixture.toolkit.close();
      assertThrows(
          IllegalStateException.class,
          () -> fixture.toolkit.counters(
              CounterSpec.defaults().withBatchInterval(Duration.ofSeconds(1))));
      assertThrows(
          IllegalStateException.class,
          () -> fixture.toolkit.locks().acquire("x", Duration.ofSeconds(1), Duration.ZERO));
    }
  }

  @Test
  void scheduler_isNotShutDownByClose() {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (Fixture fixture = Fixture.open(redis)) {
      new Toolkit(fixture.tier, "p", new ObjectMapper(), scheduler).close();
      assertTrue(!scheduler.isShutdown());
    } finally {
      scheduler.shutdownNow();
    }
  }
}
