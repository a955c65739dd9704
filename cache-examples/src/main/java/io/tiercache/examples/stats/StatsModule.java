package io.tiercache.examples.stats;

import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.examples.stats.Model.User;
import io.tiercache.examples.stats.Model.UserUpdate;
import io.tiercache.examples.web.HttpError;
import io.tiercache.examples.web.Principal;
import io.tiercache.examples.web.Request;
import io.tiercache.examples.web.Response;
import io.tiercache.examples.web.Router;
import java.time.Clock;
import java.util.Optional;

/**
 * The stats use case (seed 003) over the H2 database.
 *
 * <pre>
 * GET /users/{id}          user:{id}          1h  (written at login, evicted on PUT)
 * PUT /users/{id}          the user themself (Bearer token); evicts user:{id}
 * GET /stats/global        stats:global       5m  refresh 1m
 * GET /stats/users/{id}    stats:user:{id}    10m
 * </pre>
 */
public final class StatsModule {

  private final Database db;
  private final JdbcUserService jdbcUsers;
  private final UserService users;
  private final StatsService stats;
  private final Articles articles;

  private StatsModule(Database db, TierCache tier, Clock clock, Articles.Flushes flushes) {
    this.db = db;
    this.jdbcUsers = new JdbcUserService(db);
    this.users = new CachedUserService(jdbcUsers, tier);
    this.stats = new CachedStatsService(new JdbcStatsService(db, clock), tier);
    this.articles = Articles.create(db, tier, flushes);
  }

  /** Declares the module's caches; call {@link #create} with the same database. */
  public static Articles.Flushes declareCaches(TierCacheBuilder builder, Database db) {
    CachedUserService.declareCaches(builder);
    CachedStatsService.declareCaches(builder);
    return Articles.declareCaches(builder, db);
  }

  /** The module. */
  public static StatsModule create(
      Database db, TierCache tier, Clock clock, Articles.Flushes flushes) {
    return new StatsModule(db, tier, clock, flushes);
  }

  /** The cached users. */
  public UserService users() {
    return users;
  }

  /** Articles and their write-back view counts. */
  public Articles articles() {
    return articles;
  }

  /** The database. */
  public Database db() {
    return db;
  }

  /** The user with this name and password, read from the database (never from a cache). */
  public Optional<User> authenticate(String name, String password) {
    return jdbcUsers.authenticate(name, password);
  }

  /** Adds the routes; {@code auth} guards {@code PUT /users/{id}}. */
  public void routes(Router router, Router.Filter auth) {
    router
        .route("GET", "/users/{id}", r -> Response.json(found(users.find(r.id("id")), "user", r)))
        .route("PUT", "/users/{id}", auth, this::update)
        .route("GET", "/stats/global", r -> Response.json(stats.global()))
        .route(
            "GET",
            "/stats/users/{id}",
            r -> Response.json(found(stats.user(r.id("id")), "user", r)));
  }

  private Response update(Request request) throws Exception {
    long id = request.id("id");
    if (Principal.of(request).userId() != id) {
      throw HttpError.forbidden("a user can only update themself");
    }
    UserUpdate update = request.json(UserUpdate.class);
    check("display_name", update.displayName(), 128);
    check("email", update.email(), 128);
    check("city", update.city(), 64);
    return Response.json(found(users.update(id, update), "user", request));
  }

  private static void check(String field, String value, int max) {
    if (value != null && (value.isBlank() || value.length() > max)) {
      throw HttpError.badRequest(field + " must be 1 to " + max + " characters");
    }
  }

  private static <T> T found(T value, String what, Request request) {
    if (value == null) {
      throw HttpError.notFound(what + " " + request.id("id") + " does not exist");
    }
    return value;
  }
}
