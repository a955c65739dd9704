package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tiercache.internal.redis.RedisEndpoint;
import io.tiercache.test.RedisExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No password reaches a message, a log line or a {@code toString}, whatever characters it holds:
 * every character RFC 3986 allows in user information (unreserved, sub-delims, ':'), those it
 * wants percent-encoded but people type as they are ({@code / @ ? # [ ] %}), both raw and
 * percent-encoded, in every URI form.
 */
class RedactionTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final String SECRET = "Zq7Secret";
  private static final String ALLOWED = "-._~!$&'()*+,;=:";
  private static final String TYPED = "/@?#[]%";

  /** Passwords that hold {@link #SECRET} split around each character, raw and percent-encoded. */
  private static List<String> passwords() {
    List<String> passwords = new ArrayList<>();
    for (char c : (ALLOWED + TYPED).toCharArray()) {
      passwords.add(SECRET + c + SECRET);
      passwords.add(c + SECRET);
      passwords.add(SECRET + URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8) + SECRET);
    }
    passwords.add(SECRET);
    return passwords;
  }

  private static List<String> uris(String password, int port) {
    return List.of(
        "redis://user:" + password + "@127.0.0.1:" + port,
        "redis://:" + password + "@127.0.0.1:" + port + "/0",
        "rediss://user:" + password + "@127.0.0.1:" + port,
        "redis://user:" + password + "@127.0.0.1:" + "99999",
        "redis://user:" + password + "@:" + port,
        "redis-sentinel://" + password + "@127.0.0.1:26379#mymaster",
        "redis-sentinel://" + password + "@127.0.0.1:26379",
        "http://user:" + password + "@127.0.0.1:" + port);
  }

  private static void assertHidden(String text, String where) {
    if (text != null) {
      assertFalse(
          text.contains(SECRET) || text.contains(SECRET.substring(2)),
          where + " shows the password: " + text);
    }
  }

  private static void assertHidden(Throwable e, String where) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      assertHidden(t.getMessage(), where);
      assertHidden(t.toString(), where);
    }
  }

  @Test
  void everyPasswordCharacter_isHiddenInMessagesAndDescriptions() {
    int checked = 0;
    for (String password : passwords()) {
      for (String uri : uris(password, redis.port())) {
        assertHidden(RedisEndpoint.redact(uri), "redact(" + uri + ")");
        try {
          RedisEndpoint endpoint = RedisEndpoint.of(uri);
          assertHidden(endpoint.describe(), "describe of " + uri);
          assertHidden(endpoint.toString(), "toString of " + uri);
        } catch (RuntimeException e) {
          assertHidden(e, "RedisEndpoint.of(" + uri + ")");
        }
        try {
          TierCache.builder().redisUri(uri);
        } catch (RuntimeException e) {
          assertHidden(e, "redisUri(" + uri + ")");
        }
        try {
          TierCache.builder().redisCluster(List.of(uri));
        } catch (RuntimeException e) {
          assertHidden(e, "redisCluster(" + uri + ")");
        }
        checked++;
      }
    }
    assertFalse(checked < 100, "only " + checked + " URIs checked");
  }

  /** A wrong password at build(): the exception and every log line hide it. */
  @Test
  void rejectedPassword_isHiddenInTheExceptionAndTheLog() {
    PrintStream original = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      for (char c : "/@:#%".toCharArray()) {
        String uri = "redis://user:" + SECRET + c + SECRET + "@127.0.0.1:" + redis.port();
        try (TierCache tier = TierCache.builder()
            .redisUri(uri)
            .connectTimeout(Duration.ofSeconds(2))
            .cache("c", s -> s.valueType(String.class))
            .build()) {
          assertHidden(tier.toString(), "toString");
          assertHidden(tier.snapshot().toString(), "snapshot");
        } catch (RuntimeException e) {
          assertHidden(e, "build() with " + uri);
        }
        IllegalStateException e = assertThrows(
            IllegalStateException.class,
            () -> TierCache.builder()
                .redisUri("redis://127.0.0.1:" + redis.port())
                .redisCredentials("user", SECRET + c + SECRET)
                .cache("c", s -> s.valueType(String.class))
                .build());
        assertHidden(e, "build() with redisCredentials");
      }
    } finally {
      System.setErr(original);
    }
    assertHidden(log.toString(StandardCharsets.UTF_8), "the log");
  }
}
