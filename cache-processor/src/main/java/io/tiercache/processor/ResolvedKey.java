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
   * @param valueType the type of the value written, boxed and erased ({@code java.lang.Long} for
   *     {@code long id} and for an element of {@code Set<Long> ids}): what two templates compare to
   *     tell whether they read the same kind of value
   */
  record Segment(
      String param,
      List<String> accessors,
      boolean hash,
      boolean bulk,
      boolean direct,
      String valueType)
      implements Part {

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
   * The template with each placeholder replaced by the type of value it writes: {@code
   * user:{java.lang.Long}} for {@code user:{id}} with {@code long id} and for {@code user:{ids[]}}
   * with {@code Set<Long> ids}, but {@code user:{java.lang.String}} for {@code user:{name}}.
   */
  String shape() {
    StringBuilder shape = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Text text) {
        shape.append(text.text());
      } else if (part instanceof Wildcard) {
        shape.append('*');
      } else {
        Segment segment = (Segment) part;
        shape
            .append('{')
            .append(segment.hash() ? "#hash " : "")
            .append(segment.valueType())
            .append('}');
      }
    }
    return shape.toString();
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
