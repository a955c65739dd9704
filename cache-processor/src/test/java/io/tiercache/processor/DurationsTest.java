package io.tiercache.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parse_everyUnit() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms").orElseThrow().toDuration());
    assertEquals(Duration.ofSeconds(90), Durations.parse("90s").orElseThrow().toDuration());
    assertEquals(Duration.ofMinutes(30), Durations.parse("30m").orElseThrow().toDuration());
    assertEquals(Duration.ofHours(2), Durations.parse("2h").orElseThrow().toDuration());
    assertEquals(Duration.ofDays(1), Durations.parse("1d").orElseThrow().toDuration());
    assertEquals("ofHours", Durations.parse("2h").orElseThrow().factory());
  }

  @Test
  void parse_rejectsMalformedAndNonPositive() {
    for (String bad :
        new String[] {"", "0s", "2", "h", "2 h", "2H", "-1s", "1.5h", "1h30m", "9999999999s"}) {
      assertEquals(Optional.empty(), Durations.parse(bad), bad);
    }
  }
}
