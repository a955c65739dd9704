package io.tiercache.processor;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A key template resolved against a method: its parts know which parameter and accessors give
 * each segment.
 *
 * @param template the template as written
 * @param parts the parts, in order
 */
record ResolvedKey(String template, List<Part> parts) {

  /** One part of a resolved key. */
  sealed interface Part permits Text, Wildcard, Segment {}

  /** Literal text. */
  record Text(String text) implements Part {}

  /** {@code *} of a pattern. */
  record Wildcard() implements Part {}

  /**
   * A value segment.
   *
   * @param param the parameter name
   * @param accessors member accessors applied in order: {@code getOwner()}, {@code id}
   * @param hash whether the value is hashed ({@code #hash})
   * @param bulk whether the parameter is a collection giving one key per element ({@code []})
   * @param direct whether the value is a primitive whose text needs no escaping
   * @param written the type whose text the segment writes (an element's for {@code []}, a
   *     property's after accessors), boxed and erased; {@code "#hash"} for a hashed value
   */
  record Segment(String param, List<String> accessors, boolean hash, boolean bulk, boolean direct,
      String written) implements Part {

    /** Whether the segment reads a property, so its base must not be null. */
    boolean readsProperty() {
      return !accessors.isEmpty();
    }

    /** The source form of the value read: {@code p.getOwner().id}. */
    String path(String base) {
      return accessors.stream().map(a -> "." + a).collect(Collectors.joining("", base, ""));
    }
  }

  /**
   * The key's shape: its text with each segment as the type it writes, so that {@code
   * project:{id}:info} and {@code project:{ids[]}:info} over {@code long} ids have one shape, and
   * {@code user:{id}} over a {@code long} and {@code user:{name}} over a {@code String} do not.
   */
  String shape() {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Text t) {
        out.append(t.text());
      } else if (part instanceof Wildcard) {
        out.append('*');
      } else {
        out.append('{').append(((Segment) part).written()).append('}');
      }
    }
    return out.toString();
  }

  /** Whether this is a pattern (has a {@code *}). */
  boolean isPattern() {
    return parts.stream().anyMatch(p -> p instanceof Wildcard);
  }

  /** The {@code []} segment, if any. */
  Segment bulkSegment() {
    for (Part part : parts) {
      if (part instanceof Segment s && s.bulk()) {
        return s;
      }
    }
    return null;
  }

  /** Whether any segment is hashed. */
  boolean usesHash() {
    return parts.stream().anyMatch(p -> p instanceof Segment s && s.hash());
  }
}
