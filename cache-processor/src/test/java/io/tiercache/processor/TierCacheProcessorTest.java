package io.tiercache.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.tiercache.processor.Compilations.assertNoCrash;
import static io.tiercache.processor.Compilations.compile;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import javax.annotation.processing.Processor;
import javax.lang.model.SourceVersion;
import org.junit.jupiter.api.Test;

/** Golden tests: the generated sources of the good examples, compared with expected/. */
class TierCacheProcessorTest {

  private static final String[] GOOD = {
    "good/test/ProjectService.java",
    "good/test/ProjectInfo.java",
    "good/test/RankType.java",
    "good/test/Filter.java",
    "good/test/ProjectRepository.java"
  };

  @Test
  void interface_generatesKeysAndDecorator() {
    Compilation compilation = compile(GOOD);
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("test.ProjectServiceKeys")
        .hasSourceEquivalentTo(
            JavaFileObjects.forResource("expected/test/ProjectServiceKeys.java"));
    assertThat(compilation)
        .generatedSourceFile("test.CachedProjectService")
        .hasSourceEquivalentTo(
            JavaFileObjects.forResource("expected/test/CachedProjectService.java"));
    assertNoCrash(compilation);
  }

  @Test
  void class_generatesSubclassMirroringConstructors() {
    Compilation compilation = compile(GOOD);
    assertThat(compilation)
        .generatedSourceFile("test.ProjectRepositoryKeys")
        .hasSourceEquivalentTo(
            JavaFileObjects.forResource("expected/test/ProjectRepositoryKeys.java"));
    assertThat(compilation)
        .generatedSourceFile("test.CachedProjectRepository")
        .hasSourceEquivalentTo(
            JavaFileObjects.forResource("expected/test/CachedProjectRepository.java"));
  }

  @Test
  void withParametersFlagAndAllLint_sameOutputAndNoWarning() {
    Compilation plain = compile(GOOD);
    Compilation withFlag = com.google.testing.compile.Compiler.javac()
        .withProcessors(new TierCacheProcessor())
        .withOptions("-parameters", "-Xlint:all", "-Werror")
        .compile(Arrays.stream(GOOD).map(JavaFileObjects::forResource).toList());
    assertThat(withFlag).succeededWithoutWarnings();
    assertThat(withFlag)
        .generatedSourceFile("test.CachedProjectService")
        .hasSourceEquivalentTo(
            JavaFileObjects.forResource("expected/test/CachedProjectService.java"));
    assertThat(plain.generatedSourceFiles().size())
        .isEqualTo(withFlag.generatedSourceFiles().size());
  }

  @Test
  void processor_isRegisteredAndIsolating() throws IOException {
    TierCacheProcessor processor = new TierCacheProcessor();
    assertThat(processor.getSupportedAnnotationTypes())
        .containsExactly(
            "io.tiercache.annotation.Cached", "io.tiercache.annotation.CachePut",
            "io.tiercache.annotation.Invalidate", "io.tiercache.annotation.Invalidate.List",
            "io.tiercache.annotation.CacheDefaults", "javax.annotation.processing.Generated");
    assertThat(processor.getSupportedSourceVersion()).isEqualTo(SourceVersion.latestSupported());
    assertThat(read("META-INF/services/" + Processor.class.getName()).trim())
        .isEqualTo(TierCacheProcessor.class.getName());
    Properties incremental = new Properties();
    try (InputStream in = getClass()
        .getClassLoader()
        .getResourceAsStream("META-INF/gradle/incremental.annotation.processors")) {
      assertThat(in).isNotNull();
      String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(Set.of(line.split(",")))
          .containsExactly(TierCacheProcessor.class.getName(), "isolating");
    }
  }

  private String read(String resource) throws IOException {
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
