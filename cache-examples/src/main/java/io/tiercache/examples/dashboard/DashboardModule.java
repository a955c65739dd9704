package io.tiercache.examples.dashboard;

import io.tiercache.TierCache;
import io.tiercache.examples.web.Response;
import io.tiercache.examples.web.RouteStats;
import io.tiercache.examples.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * What the caches are doing.
 *
 * <pre>
 * GET /             a page that shows, per cache, hit rate, the L1/L2/miss split and load latency,
 *                   and per route p50/p99; it polls the two JSON routes every 2 s
 * GET /cache/stats  tier.snapshot().toJson(): every cache's counters, coherence, Redis facts
 * GET /app/routes   requests, p50 and p99 (µs) per route
 * </pre>
 */
public final class DashboardModule {

  private final TierCache tier;
  private final String page;

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

  /** Adds the routes; the route figures come from {@code router} itself. */
  public void routes(Router router) {
    RouteStats routes = router.stats();
    router.route("GET", "/", r -> Response.html(page))
        .route("GET", "/cache/stats", r -> Response.rawJson(tier.snapshot().toJson()))
        .route("GET", "/app/routes", r -> Response.json(routes.snapshot()));
  }
}
