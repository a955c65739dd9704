package io.tiercache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
