package io.tiercache.examples.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tiercache.examples.TestApp;
import io.tiercache.test.RedisExtension;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: the dashboard of two instances on one Redis, rendered by headless Chromium (Debian's
 * {@code chromium} package): the page renders its tables and charts, and every number it shows per
 * instance and per cache is the one that instance's {@code /cache/stats} gives.
 */
class DashboardPageTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Pattern CELL = Pattern.compile(
      "<td data-instance=\"([^\"]+)\"(?: data-cache=\"([^\"]+)\")?(?: data-route=\"[^\"]+\")? data-field=\"([^\"]+)\">([^<]*)</td>");

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  void page_rendersInChromium_andItsNumbersMatchCacheStats() throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM),
        "skipped: " + CHROMIUM + " is not installed (apt-get install chromium)");
    try (TestApp one = TestApp.start(redis.uri());
        TestApp two = TestApp.start(redis.uri())) {
      List<URI> uris = List.of(one.app().baseUri(), two.app().baseUri());
      one.app().dashboard().instances(uris.get(0), uris);
      two.app().dashboard().instances(uris.get(1), uris);
      one.get("/projects/3"); // app-1 loads
      two.get("/projects/3"); // app-2: an L2 hit
      two.get("/projects/3"); // app-2: an L1 hit
      one.post(
          "/projects/3/checkins", "{\"user_id\": 7, \"text\": \"day 1\"}", null); // app-1 sends
      one.get("/users/5");
      two.get("/users/5");
      one.app().dashboard().sample();
      two.app().dashboard().sample();
      JsonNode[] stats = stable(one, two);

      String dom = dumpDom(one.app().baseUri() + "/");
      assertTrue(dom.contains("<svg class=\"chart\""), dom);
      assertTrue(!dom.contains("data-refreshes=\"0\""), "the script ran: " + dom);
      Map<String, String> cells = new HashMap<>();
      Matcher m = CELL.matcher(dom);
      while (m.find()) {
        cells.put(
            m.group(1) + "/" + (m.group(2) == null ? "" : m.group(2)) + "/" + m.group(3),
            m.group(4));
      }
      for (int i = 0; i < 2; i++) {
        String name = "app-" + (i + 1);
        JsonNode caches = stats[i].get("caches");
        for (String field : List.of("requests", "l1Hits", "l2Hits", "loads", "degradedCalls")) {
          long total = 0;
          for (JsonNode c : caches) {
            total += c.get(field).asLong();
          }
          assertEquals(
              String.valueOf(total),
              cells.get(name + "//" + field),
              name + " " + field + " in " + cells);
        }
        JsonNode coherence = stats[i].get("coherence");
        assertEquals(coherence.get("sent").asText(), cells.get(name + "//sent"), name + " sent");
        assertEquals(
            coherence.get("received").asText(), cells.get(name + "//received"), name + " received");
        caches.fields().forEachRemaining(e -> {
          for (String field : List.of("l1Hits", "l2Hits", "loads")) {
            assertEquals(
                e.getValue().get(field).asText(),
                cells.get(name + "/" + e.getKey() + "/" + field),
                name + " " + e.getKey() + " " + field);
          }
        });
      }
      // What the scenario made of the two levels and of coherence, as the page shows it.
      assertEquals("1", cells.get("app-2/project-info/l2Hits"));
      assertEquals("1", cells.get("app-2/project-info/l1Hits"));
      assertTrue(
          Long.parseLong(cells.get("app-1//sent")) > 0
              && Long.parseLong(cells.get("app-2//received")) > 0,
          "invalidations sent by app-1 reach app-2: " + cells);
      assertTrue(
          !dom.contains("GET /cache/stats") && !dom.contains("GET /cluster/stats"),
          "the dashboard's polling is not in the route table");
    }
  }

  /** Both instances' /cache/stats once two reads in a row agree (the invalidations have arrived). */
  private static JsonNode[] stable(TestApp one, TestApp two) throws InterruptedException {
    JsonNode[] last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      JsonNode[] now = {counters(one), counters(two)};
      if (last != null && last[0].equals(now[0]) && last[1].equals(now[1])) {
        return now;
      }
      last = now;
      Thread.sleep(100);
    }
    throw new AssertionError("the stats did not settle");
  }

  private static JsonNode counters(TestApp app) {
    JsonNode stats = app.get("/cache/stats").json();
    ((ObjectNode) stats).remove(List.of("takenAt", "redis"));
    return stats;
  }

  private static String dumpDom(String url) throws Exception {
    Path profile = Files.createTempDirectory("tiercache-chromium-");
    try {
      Process process = new ProcessBuilder(
              CHROMIUM.toString(),
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-dev-shm-usage",
              "--no-first-run",
              "--user-data-dir=" + profile,
              "--virtual-time-budget=5000",
              "--dump-dom",
              url)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      String dom = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
      return dom;
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
