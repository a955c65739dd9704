package io.tiercache.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.tiercache.processor.Compilations.assertNoCrash;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 3: an annotated base type that is not compiled with its subtype (a library jar,
 * or an unchanged file an incremental build does not recompile) is read from its class file. With
 * {@code -parameters} its parameter names are there and the subtype is decorated; without, javac
 * names them {@code arg0, ...}, and the subtype gets one error that names the cause and the fix.
 */
class InheritedFromClassFileTest {

  private static final JavaFileObject REPO = JavaFileObjects.forSourceLines(
      "lib.Repo",
      "package lib;",
      "import io.tiercache.annotation.Cached;",
      "public interface Repo<T> {",
      "  @Cached(key = \"item:{id}\") T find(long id);",
      "  @Cached(key = \"items:{owner}:{page}\") java.util.List<T> page(String owner, int page);",
      "}");
  private static final JavaFileObject BASE = JavaFileObjects.forSourceLines(
      "lib.Base",
      "package lib;",
      "import io.tiercache.annotation.Cached;",
      "public interface Base {",
      "  @Cached(cache = \"names\", key = \"name:{id}\") String name(long id);",
      "}");
  private static final String[] NAME_REPO = {
    "package app;",
    "import io.tiercache.annotation.CacheDefaults;",
    "",
    "@CacheDefaults(cache = \"names\")",
    "public interface NameRepo extends lib.Repo<String>, lib.Base {}"
  };

  @TempDir
  Path dir;

  /** The library as its own build compiles it: with the processor, with or without {@code -parameters}. */
  private Path compileLibrary(boolean parameters) throws IOException {
    Compiler javac = Compiler.javac().withProcessors(new TierCacheProcessor());
    Compilation library =
        (parameters ? javac.withOptions("-parameters") : javac).compile(REPO, BASE);
    assertThat(library).succeeded();
    Path classes = Files.createDirectories(dir.resolve(parameters ? "with-parameters" : "without"));
    for (JavaFileObject file : library.generatedFiles()) {
      if (file.getKind() == JavaFileObject.Kind.CLASS) {
        Path target = classes.resolve(file.toUri().getPath().replaceFirst("^/CLASS_OUTPUT/", ""));
        Files.createDirectories(target.getParent());
        try (InputStream in = file.openInputStream()) {
          Files.write(target, in.readAllBytes());
        }
      }
    }
    return classes;
  }

  private Path jar(Path classes) throws IOException {
    Path jar = dir.resolve(classes.getFileName() + ".jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out);
        var files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        jarOut.putNextEntry(
            new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
        jarOut.write(Files.readAllBytes(file));
        jarOut.closeEntry();
      }
    }
    return jar;
  }

  /** Compiles the subtype alone, with the library's classes on the class path. */
  private static Compilation compileSubtype(Path library, JavaFileObject subtype) {
    List<File> classpath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classpath.add(new File(entry));
    }
    classpath.add(library.toFile());
    return Compiler.javac()
        .withProcessors(new TierCacheProcessor())
        .withClasspath(classpath)
        .compile(subtype);
  }

  private static void assertOneErrorOnTheSubtype(Compilation compilation, JavaFileObject subtype) {
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.missingParameterNames(
            "NameRepo", "Repo.find(long) and 2 more methods", "lib.Repo, lib.Base"))
        .inFile(subtype)
        .onLine(5);
    assertNoCrash(compilation);
  }

  @Test
  void fromAJar_withoutParameterNames_isOneErrorOnTheSubtype() throws IOException {
    JavaFileObject subtype = JavaFileObjects.forSourceLines("app.NameRepo", NAME_REPO);
    assertOneErrorOnTheSubtype(compileSubtype(jar(compileLibrary(false)), subtype), subtype);
  }

  @Test
  void fromAnEarlierCompilation_withoutParameterNames_isOneErrorOnTheSubtype() throws IOException {
    // an incremental build recompiles the changed subtype only; the base comes from the class
    // output
    JavaFileObject subtype = JavaFileObjects.forSourceLines("app.NameRepo", NAME_REPO);
    assertOneErrorOnTheSubtype(compileSubtype(compileLibrary(false), subtype), subtype);
  }

  @Test
  void fromAJar_compiledWithParameters_isDecorated() throws IOException {
    Compilation compilation = compileSubtype(
        jar(compileLibrary(true)), JavaFileObjects.forSourceLines("app.NameRepo", NAME_REPO));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("app.NameRepoKeys")
        .contentsAsUtf8String()
        .contains("public static String find(long id) {");
    assertThat(compilation)
        .generatedSourceFile("app.CachedNameRepo")
        .contentsAsUtf8String()
        .contains("this.delegate.page(owner, page)");
  }

  @Test
  void fromAnEarlierCompilation_compiledWithParameters_isDecorated() throws IOException {
    Compilation compilation = compileSubtype(
        compileLibrary(true), JavaFileObjects.forSourceLines("app.NameRepo", NAME_REPO));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("app.CachedNameRepo")
        .contentsAsUtf8String()
        .contains("public String name(long id) {");
  }
}
