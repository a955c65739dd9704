package io.tiercache.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Services compiled as strict teams compile them, {@code -Xlint:all -Werror}: the processor claims
 * its annotations and the {@code @Generated} it writes, and generated code for deprecated methods
 * and types adds no deprecation warning.
 */
class StrictLintTest {

  private static Compilation strict(JavaFileObject... sources) {
    return Compiler.javac()
        .withProcessors(new TierCacheProcessor())
        .withOptions("-Xlint:all", "-Werror")
        .compile(sources);
  }

  @Test
  void annotatedService_withADeprecatedCachedMethod_compilesWithoutWarnings() {
    Compilation compilation = strict(JavaFileObjects.forSourceLines(
        "p.Projects",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.CachePut;",
        "import io.tiercache.annotation.Cached;",
        "import io.tiercache.annotation.Invalidate;",
        "@CacheDefaults(cache = \"projects\")",
        "public interface Projects {",
        "  @Cached(key = \"project:{id}\") String name(long id);",
        "  /** @deprecated use {@link #name} */",
        "  @Deprecated @Cached(key = \"project:{id}:title\") String title(long id);",
        "  @CachePut(key = \"project:{id}\") String rename(long id, String name);",
        "  @Invalidate(key = \"project:{id}\") @Invalidate(key = \"project:{id}:title\") void drop(long id);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("p.CachedProjects")
        .contentsAsUtf8String()
        .contains("@Deprecated");
  }

  @Test
  void deprecatedServiceType_compilesWithoutWarnings() {
    Compilation compilation = strict(
        JavaFileObjects.forSourceLines(
            "p.Old",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "/** @deprecated replaced */",
            "@Deprecated",
            "public interface Old {",
            "  @Cached(cache = \"old\", key = \"old:{id}\") String get(long id);",
            "}"),
        JavaFileObjects.forSourceLines(
            "p.User",
            "package p;",
            "public final class User {",
            "  @SuppressWarnings(\"deprecation\") private final Old old = null;",
            "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }
}
