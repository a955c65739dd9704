package io.tiercache.examples.web;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

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

  /** A path parameter as a positive id: 400 if it is not a positive number. */
  public long id(String name) {
    String text = param(name);
    long id;
    try {
      id = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be a positive whole number");
    }
    if (id <= 0) {
      throw HttpError.badRequest(name + " must be a positive whole number");
    }
    return id;
  }

  /**
   * The body, read once, at most {@link #MAX_BODY} bytes: 413 if it is longer (by its
   * {@code Content-Length} or as read), 400 if it cannot be read (a malformed chunked encoding, or
   * a stream that ends before its {@code Content-Length}). Both close the connection after the
   * answer: what is left of the body cannot be told from the next request.
   */
  public byte[] body() {
    if (body == null) {
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      if (length != null && parseLength(length) > MAX_BODY) {
        throw tooLarge();
      }
      // Not closed here: the router drains and closes the exchange after the answer.
      InputStream in = exchange.getRequestBody();
      byte[] read;
      try {
        read = in.readNBytes(MAX_BODY + 1);
      } catch (IOException | RuntimeException e) {
        // Some JDKs' chunked decoder throws an unchecked exception for a chunk size past int's
        // range (ffffffffff): it is the same malformed body.
        throw new HttpError(
            400,
            "the body could not be read: its chunked encoding is malformed or it ends "
                + "before its Content-Length",
            CLOSE);
      }
      if (read.length > MAX_BODY) {
        throw tooLarge();
      }
      body = read;
    }
    return body;
  }

  /**
   * The body as JSON of {@code type}: 400 if it is missing, not JSON, not an object, or a field
   * has the wrong type; the message names the field or the place in the body, never the classes
   * or the parser behind it.
   */
  public <T> T json(Class<T> type) {
    byte[] bytes = body();
    if (bytes.length == 0) {
      throw HttpError.badRequest("a JSON body is required");
    }
    T value;
    try {
      value = Json.mapper().readValue(bytes, type);
    } catch (IOException e) {
      throw jsonError(e);
    }
    if (value == null) {
      throw HttpError.badRequest("the body must be a JSON object");
    }
    return value;
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

  private static final Map<String, String> CLOSE = Map.of("Connection", "close");

  private static HttpError tooLarge() {
    return new HttpError(413, "the body must be at most " + MAX_BODY + " bytes", CLOSE);
  }

  private static long parseLength(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new HttpError(400, "Content-Length must be a number", CLOSE);
    }
  }

  /** A 400 that says what is wrong with a JSON body in the API's terms. */
  private static HttpError jsonError(IOException e) {
    Throwable cause = e;
    if (e instanceof JsonMappingException
        && e.getCause() instanceof JsonProcessingException parse
        && !(parse instanceof JsonMappingException)) {
      cause = parse;
    }
    String field = field(e);
    if (cause instanceof StreamConstraintsException) {
      return HttpError.badRequest(
          "the JSON body is nested too deeply or holds a value that is too long");
    }
    if (cause instanceof InputCoercionException) {
      return HttpError.badRequest(
          field == null ? "a number in the body is out of range" : field + " is out of range");
    }
    if (cause instanceof JsonEOFException) {
      return HttpError.badRequest("the JSON body ends before it is complete");
    }
    if (cause instanceof StreamReadException read) {
      JsonLocation at = read.getLocation();
      return HttpError.badRequest("the body is not valid JSON"
          + (at == null || at.getLineNr() < 1
              ? ""
              : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    }
    if (e instanceof MismatchedInputException mismatch) {
      return HttpError.badRequest(
          field == null
              ? "the body must be a JSON object"
              : field + " must be " + describe(mismatch.getTargetType()));
    }
    return HttpError.badRequest(
        field == null
            ? "the body does not fit this route"
            : field + " has a value this route does not accept");
  }

  /** The top-level field of the body that a mapping error is about, if it has a plain name. */
  private static String field(IOException e) {
    if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
      return null;
    }
    String name = mapping.getPath().get(0).getFieldName();
    return name != null && FIELD_NAME.matcher(name).matches() ? name : null;
  }

  private static final Pattern FIELD_NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");

  private static String describe(Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
      return "a number";
    }
    if (CharSequence.class.isAssignableFrom(type)) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "an object";
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
      try {
        result.putIfAbsent(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("the query string has a malformed %-escape");
      }
    }
    return result;
  }
}
