package io.tiercache.examples.web;

import java.util.Map;

/**
 * An error answer: a 4xx or 5xx status and a message, sent as the app's one error shape,
 * {@code {"error": "not_found", "message": "project 999 does not exist", "status": 404}} (see
 * {@link Response#error}). The message is for people: it names fields and rules in the API's
 * terms, never a class, an exception or the text of a library.
 */
public final class HttpError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final Map<String, String> headers;

  public HttpError(int status, String message) {
    this(status, message, Map.of());
  }

  public HttpError(int status, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public static HttpError badRequest(String message) {
    return new HttpError(400, message);
  }

  public static HttpError unauthorized(String message) {
    return new HttpError(401, message, Map.of("WWW-Authenticate", "Bearer"));
  }

  public static HttpError forbidden(String message) {
    return new HttpError(403, message);
  }

  public static HttpError notFound(String message) {
    return new HttpError(404, message);
  }

  /**
   * The stable code of a status, the {@code "error"} of the error shape: {@code bad_request},
   * {@code unauthorized}, {@code forbidden}, {@code not_found}, {@code method_not_allowed},
   * {@code payload_too_large}, {@code too_many_requests}, {@code internal_error},
   * {@code unavailable}; {@code client_error} or {@code server_error} for any other.
   */
  public static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "payload_too_large";
      case 429 -> "too_many_requests";
      case 500 -> "internal_error";
      case 503 -> "unavailable";
      default -> status < 500 ? "client_error" : "server_error";
    };
  }
}
