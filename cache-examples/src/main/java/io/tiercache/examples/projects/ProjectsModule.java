package io.tiercache.examples.projects;

import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.examples.projects.Model.RankType;
import io.tiercache.examples.projects.Model.Scope;
import io.tiercache.examples.web.HttpError;
import io.tiercache.examples.web.Request;
import io.tiercache.examples.web.Response;
import io.tiercache.examples.web.Router;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The projects use case (seed 000): the routes over the check-in platform, read through the
 * generated {@code CachedProjectService}.
 *
 * <pre>
 * GET  /projects?scope=ongoing|ended     projects:list:{scope}            2h   refresh 1h
 * GET  /projects?ids=1,2,3               project:{id}:info (one read)      2h
 * GET  /projects/{id}                    project:{id}:info                2h   refresh 1h
 * GET  /projects/{id}/stats              project:{id}:stats               1h   refresh 30m
 * GET  /projects/{id}/daily-stats        project:{id}:daily_stats         30m  refresh 15m, expires at midnight
 * GET  /projects/{id}/leaderboard/{type} project:{id}:leaderboard:{type}  1h   refresh 30m
 * GET  /projects/{id}/topics             project:{id}:topics              10m  refresh 5m
 * POST /projects/{id}/checkins           invalidates project:{id}:*
 * </pre>
 */
public final class ProjectsModule {

  /** The most ids one {@code GET /projects?ids=} may ask for. */
  static final int MAX_BATCH = 100;

  private final CheckinPlatform platform;
  private final ProjectService service;

  private ProjectsModule(CheckinPlatform platform, ProjectService service) {
    this.platform = platform;
    this.service = service;
  }

  /**
   * Declares the caches of {@link ProjectService} (from its annotations) and makes daily stats
   * expire at the next midnight in {@code zone}.
   */
  public static TierCacheBuilder declareCaches(TierCacheBuilder builder, ZoneId zone) {
    CachedProjectService.declareCaches(builder);
    return builder.cache("daily-stats", spec -> spec.expireAtNextMidnight(zone.getId()));
  }

  /** The module over {@code platform}, cached in {@code tier}. */
  public static ProjectsModule create(CheckinPlatform platform, TierCache tier) {
    return new ProjectsModule(
        platform, new CachedProjectService(new PlatformProjectService(platform), tier));
  }

  /** The cached service. */
  public ProjectService service() {
    return service;
  }

  /** The upstream, with its call counter. */
  public CheckinPlatform platform() {
    return platform;
  }

  /** Adds the routes. */
  public void routes(Router router) {
    router
        .route("GET", "/projects", this::list)
        .route("GET", "/projects/{id}", r -> ok(service.info(r.id("id")), r))
        .route("GET", "/projects/{id}/stats", r -> ok(service.stats(r.id("id")), r))
        .route("GET", "/projects/{id}/daily-stats", r -> ok(service.dailyStats(r.id("id")), r))
        .route(
            "GET",
            "/projects/{id}/leaderboard/{type}",
            r -> ok(service.leaderboard(r.id("id"), rankType(r.param("type"))), r))
        .route("GET", "/projects/{id}/topics", r -> ok(service.topics(r.id("id")), r))
        .route("POST", "/projects/{id}/checkins", this::checkIn);
  }

  private Response list(Request request) {
    if (request.query("ids").isPresent()) {
      Set<Long> ids = new LinkedHashSet<>();
      for (String part : request.query("ids").get().split(",")) {
        try {
          ids.add(Long.parseLong(part.trim()));
        } catch (NumberFormatException e) {
          throw HttpError.badRequest("ids must be numbers separated by commas");
        }
      }
      if (ids.isEmpty() || ids.size() > MAX_BATCH) {
        throw HttpError.badRequest(
            "ids must name 1 to " + MAX_BATCH + " projects, was " + ids.size());
      }
      return Response.json(service.infos(ids));
    }
    String scope = request.query("scope").orElse("ongoing");
    try {
      return Response.json(service.projects(Scope.valueOf(scope.toLowerCase(Locale.ROOT))));
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("scope must be 'ongoing' or 'ended'");
    }
  }

  /** The body of {@code POST /projects/{id}/checkins}. */
  record CheckinRequest(Long userId, String text) {}

  private Response checkIn(Request request) throws Exception {
    long id = request.id("id");
    CheckinRequest body = request.json(CheckinRequest.class);
    if (body.userId() == null || body.userId() <= 0) {
      throw HttpError.badRequest("user_id must be a positive number");
    }
    String text = body.text() == null || body.text().isBlank() ? "Checked in" : body.text();
    if (text.length() > 500) {
      throw HttpError.badRequest("text must be at most 500 characters, was " + text.length());
    }
    return Response.json(201, found(service.checkIn(id, body.userId(), text), request));
  }

  private static RankType rankType(String type) {
    try {
      return RankType.valueOf(type);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("type must be 'continuous' or 'total'");
    }
  }

  private static Response ok(Object value, Request request) {
    return Response.json(found(value, request));
  }

  private static <T> T found(T value, Request request) {
    if (value == null) {
      throw HttpError.notFound("project " + request.id("id") + " does not exist");
    }
    return value;
  }
}
