package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LeaderboardTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private Fixture fixture;
  private Leaderboards boards;

  @BeforeEach
  void open() {
    fixture = Fixture.open(redis);
    boards = fixture.toolkit.leaderboards();
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void add_beyondCapacity_keepsTheBestInOrder() {
    Leaderboard board = boards.get("weekly", 5);
    for (int i = 1; i <= 20; i++) {
      board.add("m" + i, i);
    }
    assertEquals(5, board.size());
    assertEquals(
        List.of(
            new RankedMember(1, "m20", 20),
            new RankedMember(2, "m19", 19),
            new RankedMember(3, "m18", 18),
            new RankedMember(4, "m17", 17),
            new RankedMember(5, "m16", 16)),
        board.top(10));
    assertFalse(board.add("low", 1), "a score below the top 5 is trimmed at once");
    assertTrue(board.add("high", 100));
    assertEquals(new RankedMember(1, "high", 100), board.top(1).get(0));
    assertEquals(Optional.empty(), board.rank("m16"));
  }

  @Test
  void defaultCapacity_is100() {
    Leaderboard board = boards.get("big");
    Map<String, Double> scores = new LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      scores.put("m" + i, (double) i);
    }
    board.addAll(scores);
    assertEquals(100, board.capacity());
    assertEquals(100, board.size());
    assertEquals(new RankedMember(100, "m50", 50), board.top(100).get(99));
  }

  @Test
  void increment_reordersAndRankReportsPlace() {
    Leaderboard board = boards.get("checkins");
    board.add("alice", 3);
    board.add("bob", 5);
    assertEquals(6.5, board.increment("alice", 3.5));
    assertEquals(1.0, board.increment("carol", 1));
    assertEquals(Optional.of(new RankedMember(1, "alice", 6.5)), board.rank("alice"));
    assertEquals(Optional.of(new RankedMember(3, "carol", 1)), board.rank("carol"));
    assertEquals(Optional.empty(), board.rank("nobody"));
    assertTrue(board.remove("bob"));
    assertEquals(2, board.size());
  }

  @Test
  void increment_concurrentWriters_neverExceedCapacity() throws Exception {
    Leaderboard board = boards.get("race", 10);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        for (int i = 0; i < 200; i++) {
          board.increment("m" + thread + "-" + i, i);
        }
      }));
    }
    try (Resp resp = redis.connect()) {
      for (int i = 0; i < 50; i++) {
        assertTrue((Long) resp.command("ZCARD", "t:__tk:lb:race") <= 10);
      }
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(10, board.size());
    assertEquals(199.0, board.top(1).get(0).score());
  }

  @Test
  void expire_setsTtlOnBoard() {
    Leaderboard board = boards.get("hourly");
    assertFalse(board.expire(Duration.ofHours(1)), "no board yet");
    board.add("a", 1);
    assertTrue(board.expire(Duration.ofHours(1)));
    try (Resp resp = redis.connect()) {
      assertTrue(Fixture.pttl(resp, "t:__tk:lb:hourly") > 3_500_000);
    }
    board.clear();
    assertEquals(0, board.size());
  }

  @Test
  void badArguments_throwNamingTheRule() {
    assertEquals(
        "capacity must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> boards.get("x", 0)).getMessage());
    Leaderboard board = boards.get("x");
    assertEquals(
        "score must be finite, was NaN",
        assertThrows(IllegalArgumentException.class, () -> board.add("m", Double.NaN))
            .getMessage());
    assertEquals(
        "member must not be empty",
        assertThrows(IllegalArgumentException.class, () -> board.increment("", 1))
            .getMessage());
    assertEquals(
        "n must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> board.top(0)).getMessage());
    assertEquals(
        "name must not be null",
        assertThrows(NullPointerException.class, () -> boards.get(null)).getMessage());
  }
}
