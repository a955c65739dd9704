package io.tiercache.examples.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** One request: path parameters, query, headers, a body of at most {@link #MAX_BODY} bytes. */
public final class Request {

  /** The largest accepted body: 64 KiB; more answers 413. */
  public static final int MAX_BODY = 64 * 1024;

  private final HttpExchange exchange;
  private final Map<String, String> pathParams;
  private final Map<String, String> query;
  private final Map<String, Object> attributes = new HashMap<>();
  private byte[] body;

  Request(HttpExchange exchange, Map<String, String> pathParams) {
    this.exchange = exchange;
    this.pathParams = pathParams;
    this.query = parseQuery(exchange.getRequestURI().getRawQuery());
  }

  public String method() {
    return exchange.getRequestMethod();
  }

  public String path() {
    return exchange.getRequestURI().getPath();
  }

  /** A header, if sent. */
  public Optional<String> header(String name) {
    return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
  }

  /** The client's address, as text. */
  public String remoteAddress() {
    return exchange.getRemoteAddress().getAddress().getHostAddress();
  }

  /** A query parameter, if given. */
  public Optional<String> query(String name) {
    return Optional.ofNullable(query.get(name));
  }

  /** A path parameter as text. */
  public String param(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalArgumentException("route has no parameter {" + name + "}");
    }
    return value;
  }

  /** A path parameter as a positive id: 400 if it is not a number. */
  public long id(String name) {
    String text = param(name);
    try {
      long id = Long.parseLong(text);
      if (id <= 0) {
        throw HttpError.badRequest(name + " must be a positive number, was '" + text + "'");
      }
      return id;
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be a number, was '" + text + "'");
    }
  }

  /** The body, read once: 413 if it is longer than {@link #MAX_BODY}. */
  public byte[] body() throws IOException {
    if (body == null) {
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      if (length != null && parseLength(length) > MAX_BODY) {
        throw new HttpError(413, "body must be at most " + MAX_BODY + " bytes, was " + length);
      }
      // Not closed here: the router drains and closes the exchange after the answer.
      InputStream in = exchange.getRequestBody();
      byte[] read = in.readNBytes(MAX_BODY + 1);
      if (read.length > MAX_BODY) {
        throw new HttpError(413, "body must be at most " + MAX_BODY + " bytes");
      }
      body = read;
    }
    return body;
  }

  /** The body as JSON of {@code type}: 400 if it is missing or malformed. */
  public <T> T json(Class<T> type) throws IOException {
    byte[] bytes = body();
    if (bytes.length == 0) {
      throw HttpError.badRequest("a JSON body is required");
    }
    try {
      T value = Json.mapper().readValue(bytes, type);
      if (value == null) {
        throw HttpError.badRequest("a JSON object is required");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw HttpError.badRequest("malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** A value a filter attached (the authenticated user, for example). */
  @SuppressWarnings("unchecked")
  public <T> T attribute(String name) {
    T value = (T) attributes.get(name);
    if (value == null) {
      throw new IllegalStateException("no attribute '" + name + "': is the route protected?");
    }
    return value;
  }

  /** Attaches a value for the handler. */
  public void attribute(String name, Object value) {
    attributes.put(name, value);
  }

  private static long parseLength(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw HttpError.badRequest("Content-Length must be a number");
    }
  }

  private static Map<String, String> parseQuery(String raw) {
    Map<String, String> result = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return result;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      result.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value,
          StandardCharsets.UTF_8));
    }
    return result;
  }
}
