package io.tiercache.processor;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the annotation durations: {@code 500ms}, {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}. */
final class Durations {

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * A parsed duration.
   *
   * @param amount the number, positive
   * @param unit one of {@code ms s m h d}
   */
  record Parsed(long amount, String unit) {

    /** The name of the {@code java.time.Duration} factory method for the unit. */
    String factory() {
      return switch (unit) {
        case "ms" -> "ofMillis";
        case "s" -> "ofSeconds";
        case "m" -> "ofMinutes";
        case "h" -> "ofHours";
        default -> "ofDays";
      };
    }

    /** The duration. */
    Duration toDuration() {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
  }

  /** The parsed duration, or empty if the text is malformed or not positive. */
  static Optional<Parsed> parse(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(m.group(1));
    return amount > 0 ? Optional.of(new Parsed(amount, m.group(2))) : Optional.empty();
  }
}
