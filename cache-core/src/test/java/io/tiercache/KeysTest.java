package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeysTest {

  enum Plan {
    FREE,
    PRO;

    @Override
    public String toString() {
      return "plan"; // the same text for both: a key built from toString would be shared
    }
  }

  @Test
  void enumConstants_enterKeysByName_notByToString() {
    assertEquals("FREE", Keys.segment(Plan.FREE));
    assertNotEquals(Keys.of("user", 1, Plan.FREE), Keys.of("user", 1, Plan.PRO));
    assertEquals("user:1:PRO", Keys.of("user", 1, Plan.PRO));
  }

  @Test
  void segment_keepsSafeTextAsIs() {
    String plain = "project-42_a.b~c@d+e=f,g/h";
    assertSame(plain, Keys.segment(plain), "no allocation for text that needs no escaping");
    assertEquals("42", Keys.segment(42L));
  }

  @Test
  void segment_escapesSeparatorsGlobsBracesAndUnicode() {
    assertEquals("a%3Ab", Keys.segment("a:b"));
    assertEquals("%2A%3F%5B%5D%5C%7B%7D%25", Keys.segment("*?[]\\{}%"));
    assertEquals("%C3%A4", Keys.segment("ä"));
    assertEquals("%F0%9F%98%80", Keys.segment("\uD83D\uDE00"));
    assertEquals("%N", Keys.segment(null));
    assertEquals("%25N", Keys.segment("%N"));
  }

  @Test
  void segment_isInjective_randomStrings() {
    Random random = new Random(42);
    Map<String, String> seen = new HashMap<>();
    String alphabet = "ab:*?[]\\{}% %N日\uD83D\uDE00";
    for (int i = 0; i < 50_000; i++) {
      StringBuilder s = new StringBuilder();
      int len = random.nextInt(6);
      for (int j = 0; j < len; j++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String value = s.toString();
      String encoded = Keys.segment(value);
      String before = seen.putIfAbsent(encoded, value);
      assertTrue(
          before == null || before.equals(value),
          "'" + before + "' and '" + value + "' -> " + encoded);
      for (char c : encoded.toCharArray()) {
        assertFalse(":*?[]\\{}".indexOf(c) >= 0, "encoded '" + encoded + "' contains '" + c + "'");
      }
    }
  }

  @Test
  void of_joinsTuplesWithoutCollisions() {
    assertEquals("project:42:info", Keys.of("project", 42, "info"));
    assertNotEquals(Keys.of("a:b", "c"), Keys.of("a", "b:c"));
    assertNotEquals(Keys.of("a", ""), Keys.of("a"));
    assertEquals(
        "parts must hold at least one segment",
        assertThrows(IllegalArgumentException.class, () -> Keys.of()).getMessage());
  }

  @Test
  void encodedValues_neverWidenAPattern() {
    String pattern = "project:" + Keys.segment("*") + ":*";
    assertFalse(Glob.matches(pattern, "project:42:info"));
    assertTrue(Glob.matches(pattern, "project:%2A:info"));
  }

  @Test
  void escapeGlob_escapesEveryGlobCharacter() {
    assertEquals("a\\*b\\?\\[c\\]\\\\", Keys.escapeGlob("a*b?[c]\\"));
    assertTrue(Glob.matches(Keys.escapeGlob("x*") + "*", "x*y"));
    assertFalse(Glob.matches(Keys.escapeGlob("x*") + "*", "xy"));
  }

  @Test
  void bounded_keepsTheHeadAndHashesTheTail() {
    String longKey = "project:42:" + "x".repeat(1000);
    String bounded = Keys.bounded(longKey, 128);
    assertEquals(128, bounded.length());
    assertTrue(bounded.startsWith("project:42:"));
    assertTrue(bounded.contains("%H"));
    assertNotEquals(bounded, Keys.bounded(longKey + "y", 128));
    assertSame(longKey, Keys.bounded(longKey, 2000));
    assertEquals(
        "maxLength must be at least 64, was 40",
        assertThrows(IllegalArgumentException.class, () -> Keys.bounded(longKey, 40))
            .getMessage());
    assertEquals(
        "key must not be null",
        assertThrows(NullPointerException.class, () -> Keys.bounded(null, 128)).getMessage());
  }

  @Test
  void glob_matchesAsRedisDoes() {
    List<Object[]> cases = List.of(
        new Object[] {"project:1:*", "project:1:info", true},
        new Object[] {"project:1:*", "project:11:info", false},
        new Object[] {"project:?:info", "project:1:info", true},
        new Object[] {"project:[12]:info", "project:2:info", true},
        new Object[] {"project:[^12]:info", "project:2:info", false},
        new Object[] {"project:[a-c]:info", "project:b:info", true},
        new Object[] {"*:info", "a:b:info", true},
        new Object[] {"a\\*", "a*", true},
        new Object[] {"a\\*", "ab", false},
        new Object[] {"**", "", true});
    for (Object[] c : cases) {
      assertEquals(c[2], Glob.matches((String) c[0], (String) c[1]), c[0] + " vs " + c[1]);
    }
  }
}
