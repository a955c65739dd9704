package io.tiercache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** The {@link InvalidationEvents} of one {@link TierCache}. */
final class EventRegistry implements InvalidationEvents {

  /** One pattern template, split into literal text and placeholder names. */
  record Template(String source, List<String> literals, List<String> placeholders) {

    static Template parse(String source) {
      Objects.requireNonNull(source, "pattern must not be null");
      if (source.isEmpty()) {
        throw new IllegalArgumentException("pattern must not be empty");
      }
      List<String> literals = new ArrayList<>();
      List<String> names = new ArrayList<>();
      int i = 0;
      StringBuilder literal = new StringBuilder();
      while (i < source.length()) {
        char c = source.charAt(i);
        if (c == '{') {
          int close = source.indexOf('}', i);
          if (close < 0) {
            throw new IllegalArgumentException(
                "pattern '" + source + "' has an unclosed '{' at " + i);
          }
          String name = source.substring(i + 1, close);
          if (!name.matches("[A-Za-z0-9_.]+")) {
            throw new IllegalArgumentException("pattern '" + source
                + "' has an invalid placeholder '{" + name + "}': use letters, digits, '_' or '.'");
          }
          literals.add(literal.toString());
          literal.setLength(0);
          names.add(name);
          i = close + 1;
        } else if (c == '}') {
          throw new IllegalArgumentException(
              "pattern '" + source + "' has a '}' without '{' at " + i);
        } else {
          literal.append(c);
          i++;
        }
      }
      literals.add(literal.toString());
      return new Template(source, List.copyOf(literals), List.copyOf(names));
    }

    String fill(String event, Map<String, ?> payload) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < placeholders.size(); i++) {
        out.append(literals.get(i));
        String name = placeholders.get(i);
        if (!payload.containsKey(name)) {
          throw new IllegalArgumentException(
              "event '" + event + "' needs a value for '{" + name + "}' of pattern '" + source
                  + "'; the payload has " + new TreeSet<>(payload.keySet()));
        }
        out.append(Keys.segment(payload.get(name)));
      }
      String filled = out.append(literals.get(literals.size() - 1)).toString();
      if (!Glob.hasSpecial(filled) && (filled.isEmpty() || filled.startsWith("__"))) {
        throw new IllegalArgumentException(
            "event '" + event + "': pattern '" + source + "' filled with the payload "
                + "gives the key '" + filled + "', which "
                + (filled.isEmpty()
                    ? "is empty"
                    : "starts with '__' (reserved for Tiercache's own data)"));
      }
      return filled;
    }
  }

  private final Map<String, List<Template>> events = new ConcurrentHashMap<>();
  private final ToLongFunction<String> invalidatePattern;
  private final Function<String, Boolean> invalidateKey;

  EventRegistry(ToLongFunction<String> invalidatePattern, Function<String, Boolean> invalidateKey) {
    this.invalidatePattern = invalidatePattern;
    this.invalidateKey = invalidateKey;
  }

  @Override
  public InvalidationEvents register(String event, String... patterns) {
    List<Template> parsed = parse(event, patterns);
    events.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).addAll(parsed);
    return this;
  }

  /** Checks an event's name and patterns; shared with {@link TierCacheBuilder#event}. */
  static List<Template> parse(String event, String... patterns) {
    checkEvent(event);
    Objects.requireNonNull(patterns, "patterns must not be null");
    if (patterns.length == 0) {
      throw new IllegalArgumentException("event '" + event + "' needs at least one pattern");
    }
    List<Template> parsed = new ArrayList<>();
    for (String pattern : patterns) {
      parsed.add(Template.parse(pattern));
    }
    return parsed;
  }

  @Override
  public long publish(String event, Map<String, ?> payload) {
    checkEvent(event);
    Objects.requireNonNull(payload, "payload must not be null");
    List<Template> templates = events.get(event);
    if (templates == null) {
      throw new IllegalArgumentException("unknown event '" + event + "'; registered: " + events());
    }
    List<String> filled = new ArrayList<>(templates.size());
    for (Template template : templates) {
      filled.add(template.fill(event, payload)); // every pattern checked before anything is deleted
    }
    long deleted = 0;
    for (String pattern : filled) {
      if (Glob.hasSpecial(pattern)) {
        deleted += invalidatePattern.applyAsLong(pattern);
      } else if (invalidateKey.apply(pattern)) {
        deleted++;
      }
    }
    return deleted;
  }

  @Override
  public Set<String> events() {
    return Collections.unmodifiableSet(new TreeSet<>(events.keySet()));
  }

  private static void checkEvent(String event) {
    Objects.requireNonNull(event, "event must not be null");
    if (event.isEmpty()) {
      throw new IllegalArgumentException("event must not be empty");
    }
  }
}
