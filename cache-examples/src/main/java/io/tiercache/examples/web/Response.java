package io.tiercache.examples.web;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An answer: status, content type, body bytes and extra headers.
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}
 * @param body the body
 * @param headers extra headers
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

  private static final String JSON = "application/json; charset=utf-8";

  /** 200 with {@code value} as JSON. */
  public static Response json(Object value) {
    return json(200, value);
  }

  /** {@code status} with {@code value} as JSON. */
  public static Response json(int status, Object value) {
    return new Response(status, JSON, Json.write(value).getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** 200 with JSON text written elsewhere. */
  public static Response rawJson(String json) {
    return new Response(200, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** 200 with an HTML page. */
  public static Response html(String html) {
    return new Response(
        200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /**
   * The one error shape of the app, with {@code status}:
   * {@code {"error": HttpError.code(status), "message": message, "status": status}}.
   */
  public static Response error(int status, String message, Map<String, String> headers) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", HttpError.code(status));
    body.put("message", message);
    body.put("status", status);
    return new Response(status, JSON, Json.write(body).getBytes(StandardCharsets.UTF_8), headers);
  }
}
