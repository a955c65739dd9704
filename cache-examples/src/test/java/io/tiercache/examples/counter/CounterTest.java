package io.tiercache.examples.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.examples.TestApp;
import io.tiercache.examples.TestApp.Reply;
import io.tiercache.test.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The counter use case through HTTP: exact likes under concurrency, the per-user rate limit. */
class CounterTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  static final int CLIENTS = 8;
  static final int LIMIT = 40;

  private TestApp app;

  @BeforeEach
  void start() {
    app = TestApp.start(redis.uri(), c -> c.withLikeLimit(LIMIT, Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void likes_exactUnder8ConcurrentClients() throws Exception {
    List<String> tokens = new ArrayList<>();
    for (int user = 1; user <= CLIENTS; user++) {
      tokens.add(app.login(user));
    }
    // Each client likes articles 1..10, each twice: a second like by the same user changes nothing.
    runConcurrently(tokens, token -> {
      for (int round = 0; round < 2; round++) {
        for (int article = 1; article <= 10; article++) {
          Reply reply = app.post("/articles/" + article + "/like", null, token);
          assertEquals(200, reply.status(), reply.body());
        }
      }
    });
    for (int article = 1; article <= 10; article++) {
      assertEquals(
          CLIENTS,
          app.get("/articles/" + article).json().get("likes").asLong(),
          "article " + article);
    }
    // Half the clients unlike article 1, concurrently, twice each.
    runConcurrently(tokens.subList(0, CLIENTS / 2), token -> {
      for (int round = 0; round < 2; round++) {
        assertEquals(200, app.post("/articles/1/unlike", null, token).status());
      }
    });
    assertEquals(CLIENTS / 2, app.get("/articles/1").json().get("likes").asLong());
    assertEquals(CLIENTS, app.get("/articles/2").json().get("likes").asLong());
  }

  @Test
  void likes_overTheLimit429WithRetryAfter() {
    String token = app.login(9);
    String other = app.login(10);
    for (int i = 0; i < LIMIT; i++) {
      assertEquals(
          200,
          app.post("/articles/" + (1 + i % 5) + (i % 2 == 0 ? "/like" : "/unlike"), null, token)
              .status(),
          "request " + (i + 1));
    }
    Reply limited = app.post("/articles/1/like", null, token);
    assertEquals(429, limited.status());
    long retryAfter = Long.parseLong(limited.header("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 30, "Retry-After " + retryAfter);
    assertTrue(limited.json().get("message").asText().contains("retry in"));
    assertEquals(200, app.post("/articles/1/like", null, other).status(), "the limit is per user");
    assertEquals(200, app.get("/articles/1").status(), "reads are not limited");
  }

  @Test
  void articles_unknown404_badId400_likeNeedsToken() {
    assertEquals(404, app.get("/articles/99999").status());
    assertEquals(400, app.get("/articles/x").status());
    assertEquals(401, app.post("/articles/1/like", null, null).status());
    String token = app.login(1);
    assertEquals(404, app.post("/articles/99999/like", null, token).status());
  }

  private static void runConcurrently(List<String> tokens, Client client) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tokens.size());
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (String token : tokens) {
        Callable<Void> task = () -> {
          client.run(token);
          return null;
        };
        futures.add(pool.submit(task));
      }
      for (Future<Void> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  @FunctionalInterface
  private interface Client {
    void run(String token) throws Exception;
  }
}
