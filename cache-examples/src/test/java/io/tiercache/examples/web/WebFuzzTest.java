package io.tiercache.examples.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tiercache.examples.TestApp;
import io.tiercache.test.RedisExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mutated requests over a raw socket against every route of the app: random methods, paths,
 * queries, headers, tokens, Content-Length values that lie, malformed chunked bodies, truncated and
 * garbage JSON, bodies over the limit and bytes that are not UTF-8. Every answer must be 2xx or
 * 4xx, and every 4xx the one error shape ({@code {"error", "message", "status"}}) with no internal
 * names in it. The seed and the count are fixed, so a failure replays.
 *
 * <p>Request heads stay within what the JDK server passes to the app (a request line with a valid
 * URI, valid header names, one {@code Host}, one numeric {@code Content-Length} or
 * {@code Transfer-Encoding: chunked}): the server answers malformed heads itself, before any
 * handler runs (see the README, "Bad input and outages").
 */
class WebFuzzTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final long SEED = 20_250_115L;
  private static final int REQUESTS = 1_500;
  private static final int USER = 42;

  /** Every route of the app, as the router labels them. */
  static final List<String> ROUTES = List.of(
      "GET /",
      "GET /cache/stats",
      "GET /app/routes",
      "GET /app/instance",
      "GET /cluster/stats",
      "GET /projects",
      "GET /projects/{id}",
      "GET /projects/{id}/stats",
      "GET /projects/{id}/daily-stats",
      "GET /projects/{id}/leaderboard/{type}",
      "GET /projects/{id}/topics",
      "POST /projects/{id}/checkins",
      "GET /users/{id}",
      "PUT /users/{id}",
      "GET /stats/global",
      "GET /stats/users/{id}",
      "POST /login",
      "GET /me",
      "POST /logout",
      "POST /logout-all",
      "GET /articles/{id}",
      "POST /articles/{id}/like",
      "POST /articles/{id}/unlike",
      "GET /images/{id}");

  private static final Map<Integer, String> CODES = Map.ofEntries(
      Map.entry(400, "bad_request"),
      Map.entry(401, "unauthorized"),
      Map.entry(403, "forbidden"),
      Map.entry(404, "not_found"),
      Map.entry(405, "method_not_allowed"),
      Map.entry(413, "payload_too_large"),
      Map.entry(429, "too_many_requests"));

  private static final String[] LEAKS = {
    "$", "exception", "com.", "io.tiercache", "jackson", "java.", "\tat "
  };

  private static final String[] METHODS = {
    "GET",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "HEAD",
    "OPTIONS",
    "TRACE",
    "PROPFIND",
    "get",
    "Post",
    "X-FUZZ",
    "G\u00e9T"
  };

  private static final String[] IDS = {
    "1",
    "2",
    "7",
    "42",
    "199",
    "200",
    "201",
    "999",
    "99999",
    "0",
    "-1",
    "+5",
    "007",
    "abc",
    "1.5",
    "1e3",
    "0x10",
    "99999999999999999999",
    "9223372036854775807",
    "%24x",
    "%00",
    "%ff%fe",
    "%E2%82%AC",
    "%20",
    "Exception",
    "com.example.X",
    "io.tiercache$Inner",
    "%3Cscript%3E",
    "null"
  };

  private static final String[] TYPES = {
    "continuous", "total", "TOTAL", "weekly", "%24", "", "java.lang.String"
  };

  private static final String[] JSON_BODIES = {
    "{\"user\": \"user42\", \"password\": \"password42\"}",
    "{\"user\": \"user42\", \"password\": \"wrong\"}",
    "{\"user\": \"user42\"}",
    "{\"user_id\": 7001, \"text\": \"fuzzed check-in\"}",
    "{\"user_id\": 7001}",
    "{\"city\": \"Lisbon\"}",
    "{\"display_name\": \"Ana\", \"email\": \"ana@example.org\"}",
    "{\"user\": {}, \"password\": \"x\"}",
    "{\"user\": [1, 2], \"password\": \"x\"}",
    "{\"user\": \"user42\", \"password\": {\"$ne\": 1}}",
    "{\"user_id\": \"seven\"}",
    "{\"user_id\": {}}",
    "{\"user_id\": [7001]}",
    "{\"user_id\": 1e400}",
    "{\"user_id\": 99999999999999999999}",
    "{\"user_id\": 1.5}",
    "{\"user_id\": true}",
    "{\"user_id\": -5}",
    "{\"user_id\": 7001, \"text\": 12}",
    "{\"user_id\": 7001, \"text\": {\"a\": 1}}",
    "{\"user_id\": 7001, \"text\": \"" + "x".repeat(600) + "\"}",
    "{\"city\": 5}",
    "{\"city\": {\"a\": 1}}",
    "{\"city\": \"\"}",
    "{\"display_name\": []}",
    "{\"email\": \"" + "e".repeat(200) + "\"}",
    "[]",
    "[1, 2]",
    "\"text\"",
    "5",
    "-0",
    "null",
    "true",
    "{}",
    "{}{}",
    "{} trailing",
    "{\"a\": NaN}",
    "{\"$type\": \"com.example.Evil\", \"@class\": \"java.lang.Runtime\"}",
    "{\"user\": \"Exception\", \"password\": \"com.x$y\"}",
    "{\"user\": \"user42\", \"user\": \"user43\", \"password\": \"password42\"}",
    "{/* comment */ \"user\": \"user42\"}",
    "{'user': 'user42'}",
    "{\"user\": \"user42\\u0000\", \"password\": \"\\ud800\"}",
    "{\"user\": \"bad escape \\q\"}",
  };

  private TestApp app;
  private String token;

  @BeforeEach
  void start() throws InterruptedException {
    // A generous command timeout: on a busy machine a slow Redis reply would answer 503, which is
    // right for an outage but not what this test is about.
    app = TestApp.start(redis.uri(), c -> c.withRedisTimeout(Duration.ofSeconds(5)));
    for (int i = 0; i < 100 && !app.app().tier().isRedisAvailable(); i++) {
      Thread.sleep(50);
    }
    token = app.login(USER);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  @Test
  void everyRoute_mutatedRequests_answer2xxOr4xxInTheOneErrorShape() throws IOException {
    assertEquals(
        new TreeSet<>(ROUTES), new TreeSet<>(app.app().router().routes()), "every route is fuzzed");
    Random random = new Random(SEED);
    List<String> failures = new ArrayList<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      String route = ROUTES.get(i % ROUTES.size());
      Fuzzed request = fuzz(random, route);
      Answer answer = exchange(request.bytes(), request.head());
      String problem = check(answer, request.head());
      statuses.merge(answer == null ? -1 : answer.status(), 1, Integer::sum);
      if (problem != null && failures.size() < 20) {
        failures.add("#" + i + " " + request.summary() + ": " + problem);
      }
      if (answer != null
          && answer.status() == 200
          && route.startsWith("POST /logout")
          && request.summary().contains("token=valid")) {
        token = app.login(USER);
      }
    }
    System.out.println("WebFuzzTest: " + REQUESTS + " requests, answers by status " + statuses);
    assertTrue(
        failures.isEmpty(),
        failures.size() + " bad answers, the first:\n" + String.join("\n", failures));
    assertTrue(
        statuses.keySet().stream().anyMatch(s -> s >= 200 && s < 300), "some requests succeeded");
    assertTrue(
        statuses.keySet().containsAll(Set.of(400, 401, 404, 405, 413)), "statuses " + statuses);
  }

  @Test
  void malformedChunkedLogin_answers400InTheErrorShape() throws IOException {
    byte[] request =
        ("POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\n{\"user\": 1}\r\n0\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    Answer answer = exchange(request, false);
    assertEquals(400, answer.status(), answer.body());
    assertEquals(null, check(answer, false));
  }

  // --- the requests ---

  /** A request's bytes, a summary of its mutations for a failure message, and whether it is a HEAD. */
  record Fuzzed(byte[] bytes, String summary, boolean head) {}

  private Fuzzed fuzz(Random random, String route) {
    List<String> notes = new ArrayList<>();
    int space = route.indexOf(' ');
    String method = random.nextInt(4) == 0 ? pick(random, METHODS) : route.substring(0, space);
    String path = path(random, route.substring(space + 1), notes);
    StringBuilder head = new StringBuilder();
    head.append(method)
        .append(' ')
        .append(path)
        .append(random.nextInt(20) == 0 ? " HTTP/1.0" : " HTTP/1.1")
        .append("\r\n");
    head.append("Host: 127.0.0.1:").append(app.app().port()).append("\r\n");
    headers(random, head, notes);

    boolean withBody = method.equals("POST") || method.equals("PUT")
        ? random.nextInt(10) < 8
        : random.nextInt(6) == 0;
    byte[] body = withBody ? body(random, notes) : new byte[0];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!withBody) {
      if (random.nextBoolean()) {
        head.append("Content-Length: 0\r\n");
      }
      head.append("\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    } else {
      frame(random, head, body, out, notes);
    }
    return new Fuzzed(out.toByteArray(), method + " " + path + " " + notes, method.equals("HEAD"));
  }

  private String path(Random random, String pattern, List<String> notes) {
    StringBuilder path = new StringBuilder();
    for (String segment : pattern.substring(1).split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      String value = switch (segment) {
        case "{id}" ->
          random.nextInt(3) == 0
              ? pick(random, IDS)
              : Integer.toString(
                  pattern.startsWith("/users") || pattern.startsWith("/stats")
                      ? USER
                      : 1 + random.nextInt(200));
        case "{type}" -> pick(random, TYPES);
        default -> segment;
      };
      path.append('/').append(value);
    }
    if (path.length() == 0) {
      path.append('/');
    }
    if (random.nextInt(4) == 0) {
      int mutation = random.nextInt(8);
      notes.add("path" + mutation);
      int second = path.indexOf("/", 1);
      switch (mutation) {
        case 0 -> path.append('/');
        case 1 -> path.append("/extra");
        case 2 -> path.insert(second > 0 ? second : path.length(), "/");
        case 3 -> path.setLength(Math.max(1, path.lastIndexOf("/")));
        case 4 -> path.replace(0, path.length(), path.toString().toUpperCase(Locale.ROOT));
        case 5 -> path.append("/..");
        case 6 -> path.append(";jsessionid=1");
        default -> path.append('/').append(encode(randomBytes(random, 1 + random.nextInt(12))));
      }
      // A target that starts with "//" is one the server refuses itself.
      while (path.length() > 1 && path.charAt(1) == '/') {
        path.deleteCharAt(0);
      }
    }
    if (random.nextInt(4) == 0) {
      path.append('?').append(query(random, notes));
    }
    return path.toString();
  }

  private String query(Random random, List<String> notes) {
    int kind = random.nextInt(6);
    notes.add("query" + kind);
    return switch (kind) {
      case 0 ->
        "scope="
            + pick(random, new String[] {"ongoing", "ended", "ENDED", "someday", "", "%ff%24"});
      case 1 ->
        "ids="
            + pick(random, new String[] {
              "1,2,3",
              "1,x",
              "",
              ",,,",
              "-1",
              "99999999999999999999",
              "%24",
              "1%2C2",
              String.join(",", Collections.nCopies(150, "7")),
              "1,,2"
            });
      case 2 -> "ids=1&ids=2&scope=ended";
      case 3 -> "&&==&a=%ff%fe&=x";
      case 4 ->
        encode(randomBytes(random, random.nextInt(40))) + "=" + encode(randomBytes(random, 10));
      default -> "scope";
    };
  }

  private void headers(Random random, StringBuilder head, List<String> notes) {
    int auth = random.nextInt(10);
    if (auth < 5) {
      head.append(random.nextInt(8) == 0 ? "authorization: bearer " : "Authorization: Bearer ")
          .append(token)
          .append("\r\n");
      notes.add("token=valid");
    } else if (auth == 5) {
      head.append("Authorization: Bearer forged.")
          .append(Long.toHexString(random.nextLong()))
          .append("\r\n");
      notes.add("token=forged");
    } else if (auth == 6) {
      head.append(pick(random, new String[] {
        "Authorization: Bearer \r\n",
        "Authorization: Basic dXNlcjpwYXNz\r\n",
        "Authorization: Bearer \u00ff\u00fe\u0080\r\n",
        "Authorization:\r\n"
      }));
      notes.add("token=bad");
    }
    if (random.nextInt(3) == 0) {
      head.append("Connection: close\r\n");
    }
    if (random.nextInt(3) == 0) {
      head.append("Content-Type: ")
          .append(pick(random, new String[] {
            "application/json",
            "text/plain",
            "application/json; charset=utf-16",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "\u00ff/\u00fe"
          }))
          .append("\r\n");
    }
    if (random.nextInt(20) == 0) {
      head.append("Expect: 100-continue\r\n");
      notes.add("expect");
    }
    int extra = random.nextInt(4);
    for (int i = 0; i < extra; i++) {
      String name = pick(random, new String[] {
        "User-Agent",
        "Accept",
        "X-Forwarded-For",
        "Accept-Encoding",
        "Cookie",
        "X-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36)
      });
      head.append(name).append(": ").append(headerValue(random)).append("\r\n");
    }
  }

  /** Printable ASCII and bytes over 0x7f: what the server lets through in a header value. */
  private static String headerValue(Random random) {
    StringBuilder value = new StringBuilder();
    int length = random.nextInt(60);
    for (int i = 0; i < length; i++) {
      int c = random.nextInt(4) == 0 ? 0x80 + random.nextInt(0x80) : 0x20 + random.nextInt(0x5f);
      value.append((char) c);
    }
    return value.toString().trim();
  }

  private byte[] body(Random random, List<String> notes) {
    int kind = random.nextInt(10);
    notes.add("body" + kind);
    return switch (kind) {
      case 0, 1, 2 -> utf8(pick(random, JSON_BODIES));
      case 3 -> {
        byte[] whole = utf8(pick(random, JSON_BODIES));
        yield Arrays.copyOf(whole, random.nextInt(whole.length));
      }
      case 4 -> randomBytes(random, random.nextInt(300));
      case 5 ->
        pick(random, new byte[][] {
          {'{', '"', 'u', 's', 'e', 'r', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'},
          {
            '{',
            '"',
            't',
            'e',
            'x',
            't',
            '"',
            ':',
            '"',
            (byte) 0xc3,
            (byte) 0x28,
            '"',
            ',',
            '"',
            'u',
            's',
            'e',
            'r',
            '_',
            'i',
            'd',
            '"',
            ':',
            '1',
            '}'
          },
          {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'},
          {(byte) 0xc0, (byte) 0x80},
          {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}
        });
      case 6 ->
        pick(random, JSON_BODIES)
            .getBytes(random.nextBoolean() ? StandardCharsets.UTF_16 : StandardCharsets.UTF_16LE);
      case 7 ->
        utf8(pick(random, new String[] {
          "[".repeat(5_000),
          "{\"user_id\": " + "[".repeat(3_000),
          "{\"a\":".repeat(2_000) + "1" + "}".repeat(2_000),
          "{\"user_id\": " + "9".repeat(5_000) + "}",
          "{\"user\": \"" + "\\u0041".repeat(5_000) + "\"}"
        }));
      case 8 -> {
        int size = Request.MAX_BODY + 1 + random.nextInt(Request.MAX_BODY / 2);
        yield utf8("{\"user_id\": 1, \"text\": \"" + "y".repeat(size) + "\"}");
      }
      default -> new byte[0];
    };
  }

  /** Writes the head's framing headers and the body: honest, lying or malformed. */
  private static void frame(
      Random random,
      StringBuilder head,
      byte[] body,
      ByteArrayOutputStream out,
      List<String> notes) {
    int kind = random.nextInt(20);
    notes.add("frame" + kind);
    if (kind < 8) {
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      out.writeBytes(ascii(head.toString()));
      out.writeBytes(body);
    } else if (kind < 10) {
      // Longer than the body: the server reads to the end of the stream.
      head.append("Content-Length: ")
          .append(body.length + 1 + random.nextInt(1_000))
          .append("\r\n\r\n");
      out.writeBytes(ascii(head.toString()));
      out.writeBytes(body);
    } else if (kind < 11) {
      // Shorter than the body: the rest would be the next request on the connection.
      head.append("Content-Length: ").append(body.length / 2).append("\r\n\r\n");
      out.writeBytes(ascii(head.toString()));
      out.writeBytes(body);
    } else if (kind < 12) {
      head.append("Content-Length: ")
          .append(pick(random, new String[] {
            "65537", "1000000000000", Long.toString(Long.MAX_VALUE), "00000000000000000000012"
          }))
          .append("\r\n\r\n");
      out.writeBytes(ascii(head.toString()));
      out.writeBytes(body);
    } else if (kind < 16) {
      head.append(
              random.nextBoolean() ? "Transfer-Encoding: chunked" : "transfer-encoding: Chunked")
          .append("\r\n\r\n");
      out.writeBytes(ascii(head.toString()));
      int at = 0;
      while (at < body.length) {
        int n = Math.min(body.length - at, 1 + random.nextInt(Math.max(1, body.length / 2 + 1)));
        String size = Integer.toHexString(n);
        out.writeBytes(ascii((random.nextBoolean() ? size.toUpperCase(Locale.ROOT) : size)
            + (random.nextInt(5) == 0 ? ";ext=1" : "") + "\r\n"));
        out.write(body, at, n);
        out.writeBytes(ascii("\r\n"));
        at += n;
      }
      out.writeBytes(ascii("0\r\n\r\n"));
    } else {
      head.append("Transfer-Encoding: chunked\r\n\r\n");
      out.writeBytes(ascii(head.toString()));
      int n = body.length;
      String hex = Integer.toHexString(n);
      int mutation = random.nextInt(10);
      notes.add("chunk" + mutation);
      switch (mutation) {
        case 0 -> out.writeBytes(ascii("zz\r\n"));
        case 1 -> out.writeBytes(ascii(Integer.toHexString(n + 10) + "\r\n"));
        case 2 -> out.writeBytes(ascii(hex + "\r\n"));
        case 3 -> out.writeBytes(ascii("ffffffffff\r\n"));
        case 4 -> out.writeBytes(ascii("-1\r\n"));
        case 5 -> out.writeBytes(ascii("\r\n"));
        case 6 -> out.writeBytes(ascii(hex + " \r\n"));
        case 7 -> out.writeBytes(ascii(hex + "\n"));
        case 8 -> out.writeBytes(ascii(hex + "\r\n"));
        default -> out.writeBytes(ascii("0x" + hex + "\r\n"));
      }
      out.writeBytes(body);
      switch (mutation) {
        case 2 -> out.writeBytes(ascii("XX0\r\n\r\n"));
        case 8 -> out.writeBytes(ascii("\r\n0\r\nTrailer: \u00ff\r\n\r\n"));
        case 1, 3 -> {} // the stream ends inside the chunk
        default -> out.writeBytes(ascii("\r\n0\r\n\r\n"));
      }
    }
  }

  // --- the exchange and the checks ---

  /** One answer as the client saw it. */
  record Answer(int status, Map<String, String> headers, String body) {}

  /**
   * Sends {@code request}, half-closes, and reads the first final answer; null if the connection
   * ended without one.
   */
  private Answer exchange(byte[] request, boolean head) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), app.app().port()), 2_000);
      socket.setSoTimeout(5_000);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // The server may answer and close before it read the whole request: read what it said.
      }
      InputStream in = socket.getInputStream();
      try {
        while (true) {
          String statusLine = line(in);
          if (statusLine == null) {
            return null;
          }
          int status = Integer.parseInt(statusLine.split(" ")[1]);
          Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
          for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(
                line.substring(0, colon).trim(), line.substring(colon + 1).trim());
          }
          if (status < 200) {
            continue;
          }
          byte[] body;
          if (head) {
            body = new byte[0];
          } else if (headers.containsKey("Content-Length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("Content-Length")));
          } else {
            body = in.readNBytes(1 << 20);
          }
          return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
        }
      } catch (SocketTimeoutException e) {
        return new Answer(-2, Map.of(), "no answer within 5 s");
      } catch (IOException e) {
        return null;
      }
    }
  }

  /** What is wrong with the answer, or null. */
  private static String check(Answer answer, boolean head) {
    if (answer == null) {
      return "the connection closed without an answer";
    }
    if (answer.status() == -2) {
      return answer.body();
    }
    if (answer.status() >= 500
        || answer.status() < 200
        || (answer.status() >= 300 && answer.status() < 400)) {
      return "answered " + answer.status() + ": " + answer.body();
    }
    if (answer.status() < 400 || head) {
      return null;
    }
    String type = answer.headers().getOrDefault("Content-Type", "");
    if (!type.startsWith("application/json")) {
      return answer.status() + " with Content-Type '" + type + "': " + answer.body();
    }
    String lower = answer.body().toLowerCase(Locale.ROOT);
    for (String leak : LEAKS) {
      if (lower.contains(leak)) {
        return answer.status() + " names '" + leak.trim() + "': " + answer.body();
      }
    }
    JsonNode json;
    try {
      json = Json.mapper().readTree(answer.body());
    } catch (IOException e) {
      return answer.status() + " is not JSON: " + answer.body();
    }
    if (json == null
        || !json.isObject()
        || json.size() != 3
        || !json.path("error").isTextual()
        || !json.path("message").isTextual()
        || !json.path("status").isInt()) {
      return answer.status() + " is not {\"error\", \"message\", \"status\"}: " + answer.body();
    }
    if (!json.get("error").asText().equals(CODES.get(answer.status()))
        || json.get("status").asInt() != answer.status()
        || json.get("message").asText().isBlank()) {
      return answer.status() + " has the wrong code, status or an empty message: " + answer.body();
    }
    return null;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  private static String encode(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return out.toString();
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }
}
