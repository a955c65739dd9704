package io.tiercache.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The code in README.md, docs/getting-started.md and docs/spring.md is the consumer projects' code, so that the
 * docs cannot drift from what the build compiles and tests.
 *
 * <p>A code block is tied to a file by the line before it: {@code <!-- snippet: PATH -->} (the
 * whole file) or {@code <!-- snippet: PATH#NAME -->} (the lines between {@code tag::NAME[]} and
 * {@code end::NAME[]}, dedented). PATH is relative to the repository root. Lines holding tag
 * markers are left out of both. In a POM, {@code @name@} is replaced as maven-invoker-plugin
 * replaces it (the project version, plugin versions). A Java, XML or Kotlin block with neither a
 * snippet line nor {@code <!-- not built: why -->} before it fails the test.
 */
class DocSnippetsTest {
  private static final Pattern SNIPPET =
      Pattern.compile("<!-- snippet: ([^#\\s]+)(?:#(\\S+))? -->");
  private static final Pattern NOT_BUILT = Pattern.compile("<!-- not built: .+ -->");
  private static final Pattern FENCE = Pattern.compile("```(\\w*)");
  private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Za-z0-9.-]+)@");
  private static final Pattern TAG = Pattern.compile("(?://|<!--)\\s*(?:tag|end)::([\\w-]+)\\[\\]");
  private static final Set<String> CHECKED_LANGUAGES = Set.of("java", "xml", "kotlin", "groovy");

  private static final Path ROOT =
      Path.of(System.getProperty("tiercache.root", "..")).normalize();

  @ParameterizedTest
  @ValueSource(strings = {"README.md", "docs/getting-started.md", "docs/spring.md"})
  void snippets_matchTheConsumerProjects(String doc) throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve(doc), StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher fence = FENCE.matcher(lines.get(i));
      if (!fence.matches()) {
        continue;
      }
      int open = i;
      List<String> block = new ArrayList<>();
      for (i++; i < lines.size() && !lines.get(i).equals("```"); i++) {
        block.add(lines.get(i));
      }
      String marker = previousNonBlank(lines, open);
      Matcher snippet = SNIPPET.matcher(marker);
      if (snippet.matches()) {
        String expected = source(snippet.group(1), snippet.group(2));
        String actual = String.join("\n", block);
        if (!expected.equals(actual)) {
          problems.add(doc + ":" + (open + 1) + " differs from " + snippet.group(0)
              + "\n--- expected\n" + expected + "\n--- in the doc\n" + actual);
        }
        checked++;
      } else if (CHECKED_LANGUAGES.contains(fence.group(1))
          && !NOT_BUILT.matcher(marker).matches()) {
        problems.add(doc + ":" + (open + 1) + " has a " + fence.group(1)
            + " block with no <!-- snippet: cache-it/src/it/... --> line before it");
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n\n", problems));
    }
    assertTrue(checked > 0, doc + " has no snippet");
  }

  /** The version matrix names the versions the root pom builds with. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "Lettuce=lettuce.version",
        "Caffeine=caffeine.version",
        "Jackson=jackson.version",
        "SLF4J=slf4j.version",
        "JUnit=junit.version"
      })
  void versionMatrix_namesTheBuildsVersion(String row) throws IOException {
    String[] parts = row.split("=");
    String version = System.getProperty(parts[1]);
    String doc = Files.readString(ROOT.resolve("docs/getting-started.md"), StandardCharsets.UTF_8);
    assertTrue(
        doc.contains("| " + parts[0] + " | " + version + " "),
        "docs/getting-started.md's version matrix should say | " + parts[0] + " | " + version);
  }

  @Test
  void versionMatrix_namesTheEmbeddedRedisPackage() throws IOException {
    String doc = Files.readString(ROOT.resolve("docs/getting-started.md"), StandardCharsets.UTF_8);
    assertTrue(doc.contains(
        "`embedded-redis` " + System.getProperty("embedded-redis.version") + " package"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.3", "0.1.0-SNAPSHOT"})
  void filter_replacesPlaceholders(String version) {
    System.setProperty("it.test.version", version);
    assertEquals(
        "<version>" + version + "</version>", filter("<version>@it.test.version@</version>"));
  }

  private static String previousNonBlank(List<String> lines, int index) {
    for (int i = index - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i).trim();
      }
    }
    return "";
  }

  private static String source(String path, String region) throws IOException {
    Path file = ROOT.resolve(path);
    if (!Files.isRegularFile(file)) {
      fail("no file " + path + " for a snippet");
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (region != null) {
      int start = indexOf(lines, "tag::" + region + "[]", path);
      int end = indexOf(lines, "end::" + region + "[]", path);
      lines = dedent(lines.subList(start + 1, end));
    }
    List<String> kept = new ArrayList<>();
    for (String line : lines) {
      if (!TAG.matcher(line).find()) {
        kept.add(path.endsWith(".xml") ? filter(line) : line);
      }
    }
    return String.join("\n", kept).stripTrailing();
  }

  private static int indexOf(List<String> lines, String marker, String path) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(marker)) {
        return i;
      }
    }
    throw new AssertionError(path + " has no " + marker);
  }

  private static List<String> dedent(List<String> lines) {
    int indent = lines.stream()
        .filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length())
        .min()
        .orElse(0);
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      out.add(line.isBlank() ? "" : line.substring(indent));
    }
    return out;
  }

  private static String filter(String line) {
    Matcher m = PLACEHOLDER.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = System.getProperty(m.group(1));
      if (value == null) {
        throw new AssertionError("no value for @" + m.group(1)
            + "@: add it to cache-it's surefire systemPropertyVariables");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }
}
