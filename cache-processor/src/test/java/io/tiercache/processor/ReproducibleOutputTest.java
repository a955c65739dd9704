package io.tiercache.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 6: generated sources are byte-identical across runs and supported JDKs, for
 * reproducible builds. The golden files are compared byte for byte (on whatever JDK runs the
 * tests), and when a second JDK is installed its {@code javac} runs the processor too.
 */
class ReproducibleOutputTest {

  private static final String[] GOOD = {
    "good/test/ProjectService.java",
    "good/test/ProjectInfo.java",
    "good/test/RankType.java",
    "good/test/Filter.java",
    "good/test/ProjectRepository.java"
  };
  private static final List<String> GENERATED = List.of(
      "ProjectServiceKeys",
      "CachedProjectService",
      "ProjectRepositoryKeys",
      "CachedProjectRepository");
  /** Where the other supported JDK may be: {@code -Dtiercache.otherJdk=...}, or these homes. */
  private static final List<String> OTHER_JDKS = List.of(
      "/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/java-25-openjdk-amd64",
      "/usr/lib/jvm/java-17-openjdk-amd64", "/usr/lib/jvm/temurin-17-jdk-amd64");

  private static Compilation compile(List<JavaFileObject> sources) {
    return Compiler.javac().withProcessors(new TierCacheProcessor()).compile(sources);
  }

  private static List<JavaFileObject> good() {
    return Arrays.stream(GOOD).map(JavaFileObjects::forResource).toList();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ReproducibleOutputTest.class.getClassLoader().getResourceAsStream(name)) {
      assertWithMessage("resource %s", name).that(in).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Map<String, String> generatedSources(Compilation compilation) throws IOException {
    Map<String, String> sources = new TreeMap<>();
    for (JavaFileObject file : compilation.generatedSourceFiles()) {
      sources.put(file.getName(), file.getCharContent(false).toString());
    }
    return sources;
  }

  @Test
  void generatedSources_areByteIdenticalToTheGoldenFiles() throws IOException {
    Compilation compilation = compile(good());
    assertThat(compilation).succeededWithoutWarnings();
    for (String name : GENERATED) {
      assertThat(compilation)
          .generatedSourceFile("test." + name)
          .contentsAsUtf8String()
          .isEqualTo(resource("expected/test/" + name + ".java"));
    }
  }

  @Test
  void generatedSources_doNotDependOnTheOrderOfTheSources() throws IOException {
    List<JavaFileObject> reversed = new ArrayList<>(good());
    Collections.reverse(reversed);
    assertThat(generatedSources(compile(reversed))).isEqualTo(generatedSources(compile(good())));
  }

  @Test
  void aDiamond_namesTheFirstSupertypeAsDeclared_onEveryJdk() {
    // getAllMembers gives A's x first on JDK 17 and B's on JDK 25; the walk of the supertypes as
    // declared gives A's on both
    Compilation compilation = compile(List.of(
        JavaFileObjects.forSourceLines(
            "p.A",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface A { @Cached(cache = \"c\", key = \"x:{id}\") String x(long id); String y(); }"),
        JavaFileObjects.forSourceLines(
            "p.B",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface B { @Cached(cache = \"c\", key = \"x:{id}\") String x(long id); String y(); }"),
        JavaFileObjects.forSourceLines(
            "p.Svc",
            "package p;",
            "import io.tiercache.annotation.CacheDefaults;",
            "@CacheDefaults(cache = \"c\") public interface Svc extends A, B {}")));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("p.SvcKeys")
        .contentsAsUtf8String()
        .contains("Returns the key of {@link A#x}");
  }

  @Test
  void anotherJdksJavac_writesTheSameBytes(@TempDir Path out) throws Exception {
    Path javac = otherJavac();
    Assumptions.assumeTrue(
        javac != null, "no second JDK installed (set -Dtiercache.otherJdk=<home>): skipped");
    Path sources = out.resolve("src");
    List<String> command = new ArrayList<>(List.of(
        javac.toString(),
        "-proc:only",
        "-implicit:none",
        "-encoding",
        "UTF-8",
        "-s",
        out.resolve("gen").toString(),
        "-d",
        out.resolve("classes").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        "-processorpath",
        System.getProperty("java.class.path"),
        "-processor",
        TierCacheProcessor.class.getName()));
    for (String name : GOOD) {
      Path file = sources.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, resource(name));
      command.add(file.toString());
    }
    Files.createDirectories(out.resolve("gen"));
    Files.createDirectories(out.resolve("classes"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertWithMessage("javac did not finish")
        .that(process.waitFor(120, TimeUnit.SECONDS))
        .isTrue();
    assertWithMessage("%s said: %s", javac, output).that(process.exitValue()).isEqualTo(0);
    for (String name : GENERATED) {
      assertWithMessage("%s from %s", name, javac)
          .that(Files.readString(out.resolve("gen/test/" + name + ".java")))
          .isEqualTo(resource("expected/test/" + name + ".java"));
    }
  }

  /** A {@code javac} of another major version than the one running the tests, or null. */
  private static Path otherJavac() {
    List<String> homes = new ArrayList<>();
    String configured = System.getProperty("tiercache.otherJdk");
    if (configured != null && !configured.isBlank()) {
      homes.add(configured);
    }
    homes.addAll(OTHER_JDKS);
    Path running = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize();
    for (String home : homes) {
      Path javac = Path.of(home, "bin", "javac");
      Path normalized = Path.of(home).toAbsolutePath().normalize();
      if (Files.isExecutable(javac)
          && !running.startsWith(normalized)
          && !sameVersion(normalized)) {
        return javac;
      }
    }
    return null;
  }

  private static boolean sameVersion(Path home) {
    try {
      String release = Files.readString(home.resolve("release"));
      return release.contains("JAVA_VERSION=\"" + Runtime.version().feature() + ".")
          || release.contains("JAVA_VERSION=\"" + Runtime.version().feature() + "\"");
    } catch (IOException e) {
      return false;
    }
  }
}
