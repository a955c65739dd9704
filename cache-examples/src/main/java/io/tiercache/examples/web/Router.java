package io.tiercache.examples.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tiercache.RedisUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes requests by method and path pattern ({@code /projects/{id}/stats}) to handlers; a
 * protected route runs a {@link Filter} first. Every failure becomes the one JSON error shape of
 * {@link Response#error}: an {@link HttpError} its own status, a path no route has 404, a method
 * the path's routes do not take 405 (with {@code Allow}), Redis unavailable 503, anything else 500
 * with a message that names nothing internal (the log has the details).
 */
public final class Router implements HttpHandler {

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** Answers a request. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  /** Runs before a protected route's handler; throws an {@link HttpError} to refuse the call. */
  @FunctionalInterface
  public interface Filter {
    void check(Request request) throws Exception;
  }

  private record Route(
      String method,
      String pattern,
      String[] segments,
      Filter filter,
      Handler handler,
      boolean tracked) {}

  private final List<Route> routes = new ArrayList<>();
  private final RouteStats stats = new RouteStats();

  /** Adds a public route. */
  public Router route(String method, String pattern, Handler handler) {
    return route(method, pattern, null, handler);
  }

  /** Adds a route guarded by {@code filter} (null: public). */
  public Router route(String method, String pattern, Filter filter, Handler handler) {
    routes.add(new Route(method, pattern, split(pattern), filter, handler, true));
    return this;
  }

  /**
   * Adds a public route whose requests {@link #stats()} does not count: the dashboard's own
   * polling, which would otherwise fill the route table and the latency history it shows.
   */
  public Router untracked(String method, String pattern, Handler handler) {
    routes.add(new Route(method, pattern, split(pattern), null, handler, false));
    return this;
  }

  /** Latency per route. */
  public RouteStats stats() {
    return stats;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String label = "unmatched";
    boolean tracked = true;
    Response response;
    try {
      String[] path = split(exchange.getRequestURI().getPath());
      Optional<Map.Entry<Route, Map<String, String>>> match =
          match(exchange.getRequestMethod(), path);
      if (match.isEmpty()) {
        throw unmatched(path);
      }
      Route route = match.get().getKey();
      label = route.method() + " " + route.pattern();
      tracked = route.tracked();
      Request request = new Request(exchange, match.get().getValue());
      if (route.filter() != null) {
        route.filter().check(request);
      }
      response = route.handler().handle(request);
    } catch (HttpError e) {
      response = Response.error(e.status(), e.getMessage(), e.headers());
    } catch (RedisUnavailableException e) {
      log.debug("{} answered 503: {}", label, e.getMessage());
      response = Response.error(503, "Redis is unavailable; try again", Map.of("Retry-After", "1"));
    } catch (Exception e) {
      log.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      response = Response.error(500, "internal error; the server log has the details", Map.of());
    }
    try {
      send(exchange, response);
    } catch (IOException | RuntimeException e) {
      log.debug(
          "answer to {} {} not sent", exchange.getRequestMethod(), exchange.getRequestURI(), e);
    }
    if (tracked) {
      stats.record(label, System.nanoTime() - start);
    }
  }

  /** Every route, as {@code "GET /projects/{id}"}, in the order they were added. */
  public List<String> routes() {
    return routes.stream().map(r -> r.method() + " " + r.pattern()).toList();
  }

  /** 405 with {@code Allow} if another method has a route for the path, else 404. */
  private HttpError unmatched(String[] path) {
    Set<String> allowed = new TreeSet<>();
    for (Route route : routes) {
      if (params(route, path) != null) {
        allowed.add(route.method());
      }
    }
    if (allowed.isEmpty()) {
      return HttpError.notFound("no route matches this path");
    }
    String allow = String.join(", ", allowed);
    return new HttpError(405, "this path accepts " + allow + " only", Map.of("Allow", allow));
  }

  private Optional<Map.Entry<Route, Map<String, String>>> match(String method, String[] path) {
    for (Route route : routes) {
      if (route.method().equals(method)) {
        Map<String, String> params = params(route, path);
        if (params != null) {
          return Optional.of(Map.entry(route, params));
        }
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> params(Route route, String[] path) {
    if (route.segments().length != path.length) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < path.length; i++) {
      String segment = route.segments()[i];
      if (segment.startsWith("{") && segment.endsWith("}")) {
        params.put(segment.substring(1, segment.length() - 1), path[i]);
      } else if (!segment.equals(path[i])) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String path) {
    String trimmed = path.replaceAll("^/+|/+$", "");
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/+");
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    try (exchange) {
      // Drain a little of what the handler did not read, so that the connection can be reused;
      // the server closes a connection whose body is longer.
      try {
        exchange.getRequestBody().readNBytes(Request.MAX_BODY + 1);
      } catch (IOException | RuntimeException e) {
        // a malformed chunked body may throw unchecked on some JDKs: the answer still goes out
        log.debug("request body of {} not drained", exchange.getRequestURI(), e);
      }
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      // A HEAD answer has the headers only: the server sends no body for it whatever the length.
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(
          response.status(), head || response.body().length == 0 ? -1 : response.body().length);
      if (!head && response.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    }
  }
}
