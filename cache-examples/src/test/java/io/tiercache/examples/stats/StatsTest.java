package io.tiercache.examples.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.examples.TestApp;
import io.tiercache.examples.TestApp.Reply;
import io.tiercache.test.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stats use case through HTTP: the user cache, cached aggregations, write-back views. */
class StatsTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private TestApp app;
  private Database db;

  @BeforeEach
  void start() {
    app = TestApp.start(redis.uri());
    db = app.app().db();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void user_secondReadIsAHit_andUpdateEvicts() {
    long before = db.statements();
    Reply first = app.get("/users/42");
    assertEquals(200, first.status());
    assertEquals("user42", first.json().get("name").asText());
    assertEquals(before + 1, db.statements());
    assertEquals(first.body(), app.get("/users/42").body());
    assertEquals(before + 1, db.statements(), "the second read is a hit");

    String token = app.login(42);
    Reply update =
        app.put("/users/42", "{\"city\": \"Lisbon\", \"display_name\": \"Forty-Two\"}", token);
    assertEquals(200, update.status(), update.body());
    Reply after = app.get("/users/42");
    assertEquals("Lisbon", after.json().get("city").asText(), "the old entry was evicted");
    assertEquals("Forty-Two", after.json().get("display_name").asText());
  }

  @Test
  void login_writesTheUserEntry() {
    app.login(77);
    long before = db.statements();
    assertEquals(200, app.get("/users/77").status());
    assertEquals(before, db.statements(), "user:77 was written at login");
  }

  @Test
  void update_onlyByThatUser_withAValidBody() {
    String token = app.login(5);
    assertEquals(401, app.put("/users/5", "{\"city\": \"X\"}", null).status());
    assertEquals(403, app.put("/users/6", "{\"city\": \"X\"}", token).status());
    assertEquals(400, app.put("/users/5", "{\"city\": ", token).status());
    assertEquals(400, app.put("/users/5", "{\"city\": \"\"}", token).status());
  }

  @Test
  void aggregations_cached_unknownUser404() {
    long before = db.statements();
    Reply global = app.get("/stats/global");
    assertEquals(200, global.status());
    assertEquals(500, global.json().get("users").asLong());
    assertEquals(500, global.json().get("articles").asLong());
    Reply user = app.get("/stats/users/9");
    assertEquals(200, user.status());
    long afterFirst = db.statements();
    assertTrue(afterFirst > before);
    app.get("/stats/global");
    app.get("/stats/users/9");
    assertEquals(afterFirst, db.statements(), "both aggregations came from the cache");
    assertEquals(404, app.get("/stats/users/9999").status());
    assertEquals(404, app.get("/users/9999").status());
    assertEquals(400, app.get("/users/nine").status());
  }

  @Test
  void articleViews_writtenBackInBatches() {
    long initial = dbViews(11);
    for (int i = 0; i < 20; i++) {
      assertEquals(200, app.get("/articles/11").status());
      assertEquals(200, app.get("/articles/12").status());
    }
    Reply article = app.get("/articles/11");
    assertEquals(initial + 21, article.json().get("views").asLong(), "reads see the pending count");
    Articles articles = app.app().stats().articles();
    articles.flush();
    assertEquals(initial + 21, dbViews(11));
    assertTrue(
        articles.flushedRows() < 41, "coalesced: " + articles.flushedRows() + " rows for 41 views");

    app.get("/articles/11");
    app.app().tier().close(); // what App.close() does first: drains the queue
    assertEquals(initial + 22, dbViews(11));
  }

  private long dbViews(long id) {
    return db.query(
        "SELECT views FROM articles WHERE id = ?",
        rows -> {
          rows.next();
          return rows.getLong(1);
        },
        id);
  }
}
