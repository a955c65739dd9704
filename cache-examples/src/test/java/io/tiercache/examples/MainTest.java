package io.tiercache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void parse_defaultsServeOn8080() {
    Main.Options options = Main.Options.parse();
    assertFalse(options.demo());
    assertEquals(8080, options.port());
    assertEquals(15, options.seconds());
  }

  @Test
  void parse_demoWithPortAndSeconds() {
    Main.Options options = Main.Options.parse("--demo", "--port", "9090", "--seconds", "5", "--serve");
    assertTrue(options.demo());
    assertTrue(options.serveAfterDemo());
    assertEquals(9090, options.port());
    assertEquals(5, options.seconds());
  }

  @Test
  void parse_badArguments() {
    assertEquals("unknown option '--dmeo'",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--dmeo")).getMessage());
    assertEquals("--port must be a number, was 'eighty'",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--port", "eighty")).getMessage());
    assertEquals("--port needs a number",
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--port")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--script", "--demo"));
    assertThrows(IllegalArgumentException.class, () -> Main.Options.parse("--serve"));
  }

  @Test
  void portInUse_failsBeforeAnythingStarts_withOneLine() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      // No Redis listens on port 1: the start must fail at the port, before it connects anywhere.
      App.Config config = App.Config.defaults("redis://127.0.0.1:1").withPort(port);
      long threadsBefore = Thread.activeCount();
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> App.start(config));
      assertTrue(e.getCause() instanceof BindException, String.valueOf(e.getCause()));
      String line = Main.cannotListen(e);
      assertTrue(line.startsWith("cannot listen on 127.0.0.1:" + port + ": "), line);
      assertTrue(line.endsWith("; choose another port with --port N (0: any free one)"), line);
      assertFalse(line.contains("\n") || line.contains("Exception"), line);
      assertTrue(Thread.activeCount() <= threadsBefore, "no thread was left running");
    }
  }
}
