package io.tiercache.spring;

import com.fasterxml.jackson.databind.cfg.PackageVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Checks at start-up that the libraries cache-core calls are at least the versions it needs. A
 * Spring Boot application gets the versions Boot's dependency management chooses, which may be
 * older than the ones Tiercache is built with; rather than a {@code NoSuchMethodError} at the
 * first cache call, start-up fails naming the library, both versions and the Maven property of
 * Boot's parent that sets it.
 */
public final class VersionCheck {

  /** One requirement. */
  record Requirement(String library, String className, String minimum, String property) {}

  static final List<Requirement> REQUIREMENTS = List.of(
      new Requirement(
          "Lettuce (io.lettuce:lettuce-core)",
          "io.lettuce.core.RedisClient",
          "6.8.0",
          "lettuce.version"),
      new Requirement(
          "Caffeine (com.github.ben-manes.caffeine:caffeine)",
          "com.github.benmanes.caffeine.cache.Caffeine",
          "3.2.0",
          "caffeine.version"),
      new Requirement(
          "Jackson (com.fasterxml.jackson.core:jackson-databind)",
          "com.fasterxml.jackson.databind.ObjectMapper",
          "2.21.0",
          "jackson-2-bom.version"),
      new Requirement(
          "Micrometer (io.micrometer:micrometer-core)",
          "io.micrometer.core.instrument.MeterRegistry",
          "1.16.0",
          "micrometer.version"));

  private VersionCheck() {}

  /**
   * @throws IllegalStateException naming every library found older than Tiercache needs
   */
  public static void check() {
    List<String> problems = problems(VersionCheck::versionOf);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Tiercache cannot run on these library versions: " + String.join("; ", problems));
    }
  }

  /** What is wrong with the versions {@code versionOf} finds for each requirement's class. */
  static List<String> problems(Function<String, String> versionOf) {
    List<String> problems = new ArrayList<>();
    for (Requirement r : REQUIREMENTS) {
      String found = versionOf.apply(r.className());
      if (found != null && compare(found, r.minimum()) < 0) {
        problems.add(r.library() + " " + found + " is on the class path; Tiercache needs "
            + r.minimum()
            + " or later: with Spring Boot's parent or BOM set <" + r.property() + ">" + r.minimum()
            + "</" + r.property() + "> (or later) in your pom's <properties>");
      }
    }
    return problems;
  }

  /** The version in the jar manifest of the class's package, null when absent or unknown. */
  static String versionOf(String className) {
    try {
      Class<?> type = Class.forName(className, false, VersionCheck.class.getClassLoader());
      Package p = type.getPackage();
      String version = p == null ? null : p.getImplementationVersion();
      if (version == null && className.startsWith("com.fasterxml.jackson.databind")) {
        version = PackageVersion.VERSION.toString();
      }
      return version;
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  /** Compares the leading numeric parts of two versions (6.8.1.RELEASE, 3.2.3, 1.16.0-M1). */
  static int compare(String a, String b) {
    String[] x = a.split("[.\\-]");
    String[] y = b.split("[.\\-]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? number(x[i]) : 0;
      int q = i < y.length ? number(y[i]) : 0;
      if (p < 0 || q < 0) {
        return 0;
      }
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private static int number(String part) {
    try {
      return Integer.parseInt(part);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
