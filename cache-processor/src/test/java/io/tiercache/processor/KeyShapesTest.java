package io.tiercache.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyShapesTest {

  /** A resolved key from a template, every placeholder as a plain segment. */
  private static ResolvedKey key(String template) throws Exception {
    List<ResolvedKey.Part> parts = new ArrayList<>();
    for (KeyTemplate.Part part : KeyTemplate.parse(template, true).parts()) {
      if (part instanceof KeyTemplate.Literal literal) {
        parts.add(new ResolvedKey.Text(literal.text()));
      } else if (part instanceof KeyTemplate.Wildcard) {
        parts.add(new ResolvedKey.Wildcard());
      } else {
        parts.add(new ResolvedKey.Segment(
            ((KeyTemplate.Placeholder) part).param(),
            List.of(),
            false,
            false,
            false,
            "java.lang.String"));
      }
    }
    return new ResolvedKey(template, parts);
  }

  private static boolean overlap(String invalidate, String cached) throws Exception {
    return KeyShapes.overlap(key(invalidate), key(cached));
  }

  @Test
  void overlap_patternsAndPlaceholders() throws Exception {
    assertEquals(true, overlap("project:{id}:*", "project:{id}:info"));
    assertEquals(true, overlap("project:42:*", "project:{id}:info"));
    assertEquals(true, overlap("project:*", "project:{id}:leaderboard:{type}"));
    assertEquals(true, overlap("*", "user:{id}"));
    assertEquals(true, overlap("project:{id}:info", "project:{id}:info"));
    assertEquals(true, overlap("*:info", "project:{id}:info"));
  }

  @Test
  void overlap_none() throws Exception {
    assertEquals(false, overlap("projet:{id}:*", "project:{id}:info"));
    assertEquals(false, overlap("project:{id}", "project:{id}:info")); // a segment never holds ':'
    assertEquals(false, overlap("project:{id}:owner", "project:{id}:info"));
    assertEquals(false, overlap("user:*:x", "user:{id}"));
  }
}
