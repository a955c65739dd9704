package io.tiercache.examples.token;

import io.tiercache.examples.stats.Model.User;
import io.tiercache.examples.stats.StatsModule;
import io.tiercache.examples.web.HttpError;
import io.tiercache.examples.web.Principal;
import io.tiercache.examples.web.Request;
import io.tiercache.examples.web.Response;
import io.tiercache.examples.web.Router;
import io.tiercache.toolkit.IssuedToken;
import io.tiercache.toolkit.TokenVerification;
import io.tiercache.toolkit.Tokens;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The token use case (seed 002) on the toolkit's token store: {@code token:{hash}} holds a
 * session, {@code token_list:{user}} the user's sessions; a token is valid only while both say
 * so. {@link #filter()} verifies the bearer token of every protected route through the store.
 *
 * <pre>
 * POST /login        {"user": "user42", "password": "password42"} → {"token": ...}; writes user:{id}
 * GET  /me           Bearer token → the user (from user:{id}) and their sessions
 * POST /logout       revokes this token
 * POST /logout-all   revokes every token of the user
 * </pre>
 */
public final class TokenModule {

  /** How long a token lives. */
  public static final Duration TOKEN_TTL = Duration.ofHours(12);

  /** What the store keeps with each session (never the token itself). */
  public record Login(String ip, String agent) {}

  /** The body of {@code POST /login}. */
  record Credentials(String user, String password) {}

  private final Tokens tokens;
  private final StatsModule users;

  public TokenModule(Tokens tokens, StatsModule users) {
    this.tokens = tokens;
    this.users = users;
  }

  /**
   * The filter of protected routes: 401 without a valid bearer token, 503 when the store cannot
   * be asked (fail closed: an unverifiable token is not trusted).
   */
  public Router.Filter filter() {
    return request -> {
      String token =
          bearer(request).orElseThrow(() -> HttpError.unauthorized("a Bearer token is required"));
      TokenVerification<Login> check = tokens.verify(token, Login.class);
      switch (check.status()) {
        case VALID ->
          request.attribute(
              Principal.ATTRIBUTE,
              new Principal(Long.parseLong(check.session().orElseThrow().userId()), token));
        case INVALID -> throw HttpError.unauthorized("the token is unknown, expired or revoked");
        case UNAVAILABLE ->
          throw new HttpError(
              503, "the token store is unavailable; try again", Map.of("Retry-After", "1"));
        default -> throw new IllegalStateException("unexpected status " + check.status());
      }
    };
  }

  /** Adds the routes. */
  public void routes(Router router) {
    Router.Filter auth = filter();
    router
        .route("POST", "/login", this::login)
        .route("GET", "/me", auth, this::me)
        .route("POST", "/logout", auth, r -> {
          boolean revoked = tokens.revoke(Principal.of(r).token());
          return Response.json(Map.of("revoked", revoked ? 1 : 0));
        })
        .route(
            "POST",
            "/logout-all",
            auth,
            r -> Response.json(
                Map.of("revoked", tokens.revokeAll(Long.toString(Principal.of(r).userId())))));
  }

  private Response login(Request request) throws Exception {
    Credentials credentials = request.json(Credentials.class);
    if (credentials.user() == null || credentials.password() == null) {
      throw HttpError.badRequest("user and password are required");
    }
    User user = users
        .authenticate(credentials.user(), credentials.password())
        .orElseThrow(() -> HttpError.unauthorized("unknown user or wrong password"));
    IssuedToken issued = tokens.issue(
        Long.toString(user.id()),
        new Login(request.remoteAddress(), request.header("User-Agent").orElse("unknown")),
        TOKEN_TTL);
    users.users().remember(user);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("token", issued.token());
    body.put("token_type", "Bearer");
    body.put("expires_at", issued.expiresAt().toString());
    body.put("user", user);
    return Response.json(body);
  }

  private Response me(Request request) {
    Principal principal = Principal.of(request);
    User user = users.users().find(principal.userId());
    if (user == null) {
      throw HttpError.notFound("user " + principal.userId() + " no longer exists");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user", user);
    body.put(
        "sessions",
        tokens.sessions(Long.toString(principal.userId()), Login.class).size());
    return Response.json(body);
  }

  private static Optional<String> bearer(Request request) {
    return request
        .header("Authorization")
        .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(h -> h.substring(7).trim())
        .filter(t -> !t.isEmpty());
  }
}
