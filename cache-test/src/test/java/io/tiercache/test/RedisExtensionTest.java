package io.tiercache.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisExtensionTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  @Order(1)
  void server_answersOnItsPort() {
    assertTrue(redis.port() <= EmbeddedRedisServer.MAX_PORT);
    assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
    try (Resp resp = redis.connect()) {
      assertEquals("PONG", resp.command("PING"));
      assertEquals("OK", resp.command("SET", "left", "over"));
      assertEquals("", resp.command("CONFIG", "GET", "save").toString().replaceAll("[^\"]", ""));
    }
  }

  @Test
  @Order(2)
  void beforeEach_flushesWhatTheLastTestWrote() {
    try (Resp resp = redis.connect()) {
      assertNull(resp.command("GET", "left"));
      assertEquals(0L, resp.command("DBSIZE"));
    }
  }

  @Test
  @Order(3)
  void stopAndRestart_keepThePort(EmbeddedRedisServer server) {
    int port = redis.port();
    try (Resp before = redis.connect()) {
      redis.stop();
      assertFalse(server.isRunning());
      // A connection made before the stop is broken (a new one could reach whatever took the port).
      assertThrows(UncheckedIOException.class, () -> before.command("PING"));
    }
    redis.restart();
    assertEquals(port, redis.port());
    try (Resp resp = redis.connect()) {
      assertEquals("PONG", resp.command("PING"));
    }
    redis.stop(); // left stopped on purpose: the next test must find it running again
  }

  @Test
  @Order(4)
  void beforeEach_startsAStoppedServer() {
    try (Resp resp = redis.connect()) {
      assertEquals("PONG", resp.command("PING"));
    }
  }

  @Test
  @Order(5)
  void errorReply_isThrown() {
    try (Resp resp = redis.connect()) {
      Resp.RespError error =
          assertThrows(Resp.RespError.class, () -> resp.command("NOSUCHCOMMAND"));
      assertTrue(error.getMessage().startsWith("ERR"), error.getMessage());
    }
  }

  @Test
  void close_deletesTheFolder() throws Exception {
    EmbeddedRedisServer server = EmbeddedRedisServer.launch(List.of("maxmemory 10mb"));
    Path folder;
    try (Resp resp = server.connect()) {
      List<?> reply = (List<?>) resp.command("CONFIG", "GET", "dir");
      folder = Path.of((String) reply.get(1));
      assertTrue(Files.isDirectory(folder));
      List<?> memory = (List<?>) resp.command("CONFIG", "GET", "maxmemory");
      assertEquals("10485760", memory.get(1));
    }
    server.close();
    assertFalse(Files.exists(folder), "temp folder left behind: " + folder);
    assertFalse(server.isRunning());
  }

  @Test
  void badArguments_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> new RedisExtension(null));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Resp.connect("127.0.0.1", 0));
    assertEquals("port must be in 1..65535, was 0", e.getMessage());
  }
}
