package io.tiercache.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiercache.examples.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** The app on a free port for one test, and an HTTP client for it. */
public final class TestApp implements AutoCloseable {

  /** An answer: status, body as JSON (null if it is not JSON), headers. */
  public record Reply(int status, JsonNode json, String body, HttpResponse<String> response) {
    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final App app;

  private TestApp(App app) {
    this.app = app;
  }

  /**
   * The app on {@code redisUri}, port 0, no artificial latency, 500 users and 500 articles, after
   * {@code tweak}.
   */
  public static TestApp start(String redisUri, UnaryOperator<App.Config> tweak) {
    App.Config config =
        App.Config.defaults(redisUri).withPort(0).withLatency(0, 0).withData(500, 500);
    return new TestApp(App.start(tweak.apply(config)));
  }

  public static TestApp start(String redisUri) {
    return start(redisUri, c -> c);
  }

  public App app() {
    return app;
  }

  public Reply get(String path) {
    return send("GET", path, null, null);
  }

  public Reply get(String path, String token) {
    return send("GET", path, null, token);
  }

  public Reply post(String path, String body, String token) {
    return send("POST", path, body, token);
  }

  public Reply put(String path, String body, String token) {
    return send("PUT", path, body, token);
  }

  /** Logs user {@code n} in; returns the token. */
  public String login(long n) {
    Reply reply =
        post("/login", "{\"user\": \"user" + n + "\", \"password\": \"password" + n + "\"}", null);
    if (reply.status() != 200) {
      throw new AssertionError(
          "login of user" + n + " answered " + reply.status() + ": " + reply.body());
    }
    return reply.json().get("token").asText();
  }

  public Reply send(String method, String path, String body, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.baseUri() + path))
        .timeout(Duration.ofSeconds(10))
        .method(
            method,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
        json = Json.mapper().readTree(response.body());
      }
      return new Reply(response.statusCode(), json, response.body(), response);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    app.close();
  }
}
