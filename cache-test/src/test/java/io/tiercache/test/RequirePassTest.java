package io.tiercache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server with {@code requirepass}: the extension starts, flushes and connects with the password. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RequirePassTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension(List.of("requirepass s3cret"));

  @Test
  @Order(1)
  void connect_authenticates() {
    assertEquals("s3cret", redis.password());
    try (Resp resp = redis.connect()) {
      assertEquals("OK", resp.command("SET", "left", "over"));
    }
  }

  @Test
  @Order(2)
  void beforeEach_flushesWithThePassword() {
    try (Resp resp = redis.connect()) {
      assertNull(resp.command("GET", "left"));
    }
  }

  @Test
  @Order(3)
  void aClientWithoutThePassword_isRefused() {
    try (Resp resp = Resp.connect(redis.port())) {
      Resp.RespError e = assertThrows(Resp.RespError.class, () -> resp.command("GET", "x"));
      assertTrue(e.getMessage().startsWith("NOAUTH"), e.getMessage());
    }
  }

  @Test
  @Order(4)
  void restart_waitsForTheServerAlthoughPingNeedsThePassword() {
    redis.restart();
    try (Resp resp = redis.connect()) {
      assertEquals("PONG", resp.command("PING"));
    }
  }
}
