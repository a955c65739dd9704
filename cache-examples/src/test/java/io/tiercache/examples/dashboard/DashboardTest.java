package io.tiercache.examples.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiercache.examples.TestApp;
import io.tiercache.examples.TestApp.Reply;
import io.tiercache.test.RedisExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /cache/stats}, {@code GET /app/routes} and the page. */
class DashboardTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private TestApp app;

  @BeforeEach
  void start() {
    app = TestApp.start(redis.uri());
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void cacheStats_hasEveryCacheAndCountsReads() {
    app.get("/projects/3");
    app.get("/projects/3");
    app.get("/users/3");
    Reply reply = app.get("/cache/stats");
    assertEquals(200, reply.status());
    JsonNode caches = reply.json().get("caches");
    for (String name : List.of(
        "projects",
        "project-info",
        "project-stats",
        "daily-stats",
        "leaderboard",
        "topics",
        "users",
        "global-stats",
        "user-stats",
        "articles",
        "article-views")) {
      assertTrue(caches.has(name), "missing cache " + name + " in " + caches);
    }
    JsonNode info = caches.get("project-info");
    assertEquals(2, info.get("requests").asLong());
    assertEquals(1, info.get("misses").asLong());
    assertEquals(1, info.get("l1Hits").asLong());
    assertEquals(0.5, info.get("hitRate").asDouble(), 1e-9);
    assertTrue(reply.json().get("redis").get("available").asBoolean());
    assertEquals("zsxq", reply.json().get("keyPrefix").asText());
  }

  @Test
  void routes_reportLatencyPerRoute() {
    app.get("/projects/3");
    app.get("/projects/4");
    JsonNode routes = app.get("/app/routes").json();
    assertEquals(2, routes.get("GET /projects/{id}").get("requests").asLong(), routes.toString());
    assertTrue(routes.get("GET /projects/{id}").get("p99_micros").asLong() > 0);
    app.get("/");
    app.get("/cache/stats");
    app.get("/cluster/stats");
    routes = app.get("/app/routes").json();
    assertEquals(
        List.of("GET /projects/{id}"),
        List.copyOf(iterable(routes.fieldNames())),
        "the dashboard's own routes are not counted: " + routes);
  }

  private static <T> List<T> iterable(Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }

  @Test
  void instance_historyCountsAnIntervalsReadsAndItsP99() {
    app.app().dashboard().sample(); // ends the interval of the start-up
    app.get("/projects/3");
    app.get("/projects/3");
    app.get("/cache/stats"); // the dashboard's own: in neither figure
    app.app().dashboard().sample();
    JsonNode history = app.get("/app/instance").json().get("history");
    JsonNode last = history.get(history.size() - 1);
    assertEquals(2, last.get("reads").asLong(), history.toString());
    assertEquals(1, last.get("l1_hits").asLong());
    assertEquals(1, last.get("loads").asLong());
    assertEquals(0.5, last.get("hit_rate").asDouble(), 1e-9);
    assertEquals(2, last.get("http_requests").asLong());
    assertTrue(last.get("p99_micros").asLong() > 0);
  }

  @Test
  void clusterStats_namesEveryInstance_andOneThatDoesNotAnswer() throws IOException {
    int dead;
    try (ServerSocket free = new ServerSocket(0)) {
      dead = free.getLocalPort();
    }
    URI self = app.app().baseUri();
    app.app().dashboard().instances(self, List.of(self, URI.create("http://127.0.0.1:" + dead)));
    JsonNode instances = app.get("/cluster/stats").json().get("instances");
    assertEquals(2, instances.size());
    assertEquals("app-1", instances.get(0).get("name").asText());
    assertTrue(instances.get(0).get("stats").get("caches").has("project-info"));
    assertEquals("app-2", instances.get(1).get("name").asText());
    assertEquals("does not answer", instances.get(1).get("error").asText());
  }

  @Test
  void page_pollsTheStatsRoutes() {
    Reply page = app.get("/");
    assertEquals(200, page.status());
    assertTrue(page.header("Content-Type").startsWith("text/html"));
    assertTrue(page.body().contains("fetch('/cluster/stats')"));
    assertTrue(
        !page.body().contains("<script src") && !page.body().contains("https://"),
        "no external script");
    assertTrue(page.body().contains("setInterval(refresh"));
  }
}
