package io.tiercache.examples.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tiercache.TierCache;
import io.tiercache.examples.web.Json;
import io.tiercache.examples.web.Response;
import io.tiercache.examples.web.RouteStats;
import io.tiercache.examples.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * What the caches of every instance are doing. None of these routes is counted in the route
 * table ({@link Router#untracked}): the page's own polling would otherwise be most of it.
 *
 * <pre>
 * GET /              a page that polls /cluster/stats every 2 s and shows, per instance, L1 / L2 /
 *                    loader hits, invalidations sent and received with their lag, and hit rate
 *                    and p99 over the last {@value History#SAMPLES} intervals as small SVG charts;
 *                    per cache and per instance the hits; per route and per instance requests and p99
 * GET /cache/stats   tier.snapshot().toJson(): every cache's counters, coherence, Redis facts
 * GET /app/routes    requests, p50 and p99 (µs) per route
 * GET /app/instance  this instance: {"stats": /cache/stats, "history": [...], "routes": /app/routes}
 * GET /cluster/stats {"instances": [{"name", "url", "stats", "history", "routes"} or {"name", "url",
 *                    "error"}]}, each instance's /app/instance, this one read directly
 * </pre>
 */
public final class DashboardModule {

  /** How often the history takes a sample. */
  public static final Duration SAMPLE_PERIOD = Duration.ofSeconds(2);

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(1))
      .build();

  private final TierCache tier;
  private final String page;
  private History history;
  private ScheduledFuture<?> sampling;
  private volatile List<URI> instances = List.of();
  private volatile URI self;

  public DashboardModule(TierCache tier) {
    this.tier = tier;
    try (InputStream in = DashboardModule.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from the jar");
      }
      this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds the routes; the route figures come from {@code router} itself. Starts the sampling. */
  public void routes(Router router, Clock clock) {
    RouteStats routes = router.stats();
    this.history = new History(tier, routes, clock);
    this.sampling = tier.scheduleEvery(SAMPLE_PERIOD, history::sample);
    router
        .untracked("GET", "/", r -> Response.html(page))
        .untracked("GET", "/cache/stats", r -> Response.rawJson(tier.snapshot().toJson()))
        .untracked("GET", "/app/routes", r -> Response.json(routes.snapshot()))
        .untracked("GET", "/app/instance", r -> Response.json(instance(routes)))
        .untracked("GET", "/cluster/stats", r -> Response.json(cluster(routes)));
  }

  /**
   * The instances the page shows, this one among them (by default this one alone), in order:
   * they are named {@code app-1}, {@code app-2}, ...
   */
  public void instances(URI self, List<URI> all) {
    this.self = self;
    this.instances = List.copyOf(all);
  }

  /** Ends the current history interval now (tests do, rather than wait for the period). */
  public void sample() {
    history.sample();
  }

  /** Stops the sampling. */
  public void stop() {
    if (sampling != null) {
      sampling.cancel(false);
    }
  }

  private ObjectNode instance(RouteStats routes) throws IOException {
    ObjectNode node = Json.mapper().createObjectNode();
    node.set("stats", Json.mapper().readTree(tier.snapshot().toJson()));
    node.set("history", Json.mapper().valueToTree(history.samples()));
    node.set("routes", Json.mapper().valueToTree(routes.snapshot()));
    return node;
  }

  private ObjectNode cluster(RouteStats routes) throws IOException {
    ObjectNode result = Json.mapper().createObjectNode();
    ArrayNode list = result.putArray("instances");
    List<URI> all = instances;
    if (all.isEmpty()) {
      ObjectNode node = instance(routes);
      node.put("name", "app-1");
      node.put("url", "");
      list.add(node);
      return result;
    }
    for (int i = 0; i < all.size(); i++) {
      URI uri = all.get(i);
      ObjectNode node;
      if (uri.equals(self)) {
        node = instance(routes);
      } else {
        node = Json.mapper().createObjectNode();
        try {
          HttpResponse<String> answer = HTTP.send(
              HttpRequest.newBuilder(uri.resolve("/app/instance"))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
          JsonNode body = Json.mapper().readTree(answer.body());
          if (answer.statusCode() == 200 && body.isObject()) {
            node = (ObjectNode) body;
          } else {
            node.put("error", "answered " + answer.statusCode());
          }
        } catch (IOException e) {
          node.put("error", "does not answer");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          node.put("error", "interrupted");
        }
      }
      node.put("name", "app-" + (i + 1));
      node.put("url", uri.toString());
      list.add(node);
    }
    return result;
  }
}
