package io.tiercache.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.processor.KeyTemplate.Literal;
import io.tiercache.processor.KeyTemplate.Placeholder;
import io.tiercache.processor.KeyTemplate.Wildcard;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyTemplateTest {

  @Test
  void parse_everyPlaceholderForm() throws Exception {
    KeyTemplate template = KeyTemplate.parse("a:{id}:{p.owner.id}:{f#hash}:{ids[]}:*", true);
    assertEquals(
        List.of(
            new Literal("a:"), new Placeholder("id", "id", false, List.of(), false),
            new Literal(":"),
                new Placeholder("p.owner.id", "p", false, List.of("owner", "id"), false),
            new Literal(":"), new Placeholder("f#hash", "f", false, List.of(), true),
            new Literal(":"), new Placeholder("ids[]", "ids", true, List.of(), false),
            new Literal(":"), new Wildcard()),
        template.parts());
    assertTrue(template.hasWildcard());
  }

  @Test
  void parse_wildcardOutsideInvalidate() {
    assertThrows(KeyTemplate.WildcardException.class, () -> KeyTemplate.parse("a:*", false));
  }

  @Test
  void parse_syntaxErrors() {
    assertEquals(Messages.EMPTY_KEY, syntaxError(""));
    assertEquals(Messages.UNCLOSED_PLACEHOLDER, syntaxError("a:{id"));
    assertEquals(Messages.UNCLOSED_PLACEHOLDER, syntaxError("a:{i{d}"));
    assertEquals(Messages.UNOPENED_PLACEHOLDER, syntaxError("a:id}"));
    assertEquals(String.format(Messages.BAD_PLACEHOLDER, ""), syntaxError("a:{}"));
    assertEquals(String.format(Messages.BAD_PLACEHOLDER, "1id"), syntaxError("a:{1id}"));
    assertEquals(String.format(Messages.BAD_PLACEHOLDER, "id#sha"), syntaxError("a:{id#sha}"));
    assertEquals(Messages.BULK_TWICE, syntaxError("{a[]}:{b[]}"));
    assertEquals(String.format(Messages.BAD_LITERAL, "?"), syntaxError("a?b"));
    assertEquals(String.format(Messages.BAD_LITERAL, "é"), syntaxError("café"));
    assertEquals(String.format(Messages.BAD_LITERAL, "%"), syntaxError("a%2A"));
  }

  @Test
  void placeholders_needAColonBetweenThem() throws Exception {
    assertEquals(
        String.format(Messages.UNSEPARATED, "a", "b", "a", "b"), syntaxError("pair:{a}{b}"));
    assertEquals(
        String.format(Messages.UNSEPARATED, "first", "last", "first", "last"),
        syntaxError("full:{first}.{last}"));
    assertEquals(
        String.format(Messages.UNSEPARATED, "p.id", "f#hash", "p.id", "f#hash"),
        syntaxError("x:{p.id}-v2-{f#hash}"));
    KeyTemplate.parse("full:{first}.:{last}.json", false);
    KeyTemplate.parse("v{major}:{minor}", false);
    KeyTemplate.parse("user:{id}*{tail}", true); // a pattern: '*' matches across anyway
  }

  @Test
  void placeholders_nameAnyJavaIdentifier() throws Exception {
    KeyTemplate template = KeyTemplate.parse("size:{größe}:{p.höhe}", false);
    assertEquals("größe", ((KeyTemplate.Placeholder) template.parts().get(1)).param());
    assertEquals(String.format(Messages.BAD_PLACEHOLDER, "1st"), syntaxError("a:{1st}"));
  }

  @Test
  void keysStartingWithTwoUnderscores_areReserved() throws Exception {
    assertEquals(Messages.RESERVED_PREFIX, syntaxError("__meta:{id}"));
    KeyTemplate.parse("_meta:{id}", false);
    KeyTemplate.parse("meta__:{id}", false);
  }

  private static String syntaxError(String text) {
    return assertThrows(KeyTemplate.SyntaxException.class, () -> KeyTemplate.parse(text, true))
        .getMessage();
  }
}
