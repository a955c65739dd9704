package io.tiercache.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.tiercache.processor.Compilations.assertNoCrash;

import com.google.common.truth.Truth;
import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.util.Locale;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Valid Java the generated code must compile with, and types the processor must refuse with its
 * own message rather than generated code that does not compile or an internal error.
 */
class EdgeCaseTest {

  private static Compilation compile(JavaFileObject... sources) {
    return Compiler.javac().withProcessors(new TierCacheProcessor()).compile(sources);
  }

  private static JavaFileObject source(String name, String... lines) {
    return JavaFileObjects.forSourceLines(name, lines);
  }

  @Test
  void everyTypeJavacAccepts_inAClassDecorator_isDelegated() {
    Compilation compilation = compile(source(
        "p.OddRepo",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "import java.util.*;",
        "public class OddRepo<T extends Comparable<? super T>> {",
        "  @Cached(cache = \"o\", key = \"name:{id}\") public String name(long id) { return \"\" + id; }",
        "  public <N extends Number & Comparable<N>> N biggest(List<N> xs) { return Collections.max(xs); }",
        "  public List<? extends Number> wild(Map<? super String, ? extends T> m) { return List.of(); }",
        "  public <E extends Exception> void fails(T[] items, int[][] grid) throws E { }",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertNoCrash(compilation);
  }

  @Test
  void everyTypeJavacAccepts_onAnUnannotatedMethod_isDelegated() {
    Compilation compilation = compile(source(
        "p.Odd",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "import java.util.*;",
        "public interface Odd<T extends Comparable<? super T>> {",
        "  @Cached(cache = \"o\", key = \"name:{id}\") String name(long id);",
        "  <N extends Number & Comparable<N>> N biggest(List<N> xs);",
        "  List<? extends Number> wild(Map<? super String, ? extends T> m);",
        "  @SuppressWarnings(\"rawtypes\") List raw(Class c);",
        "  <E extends Exception> void fails(T[] items, int[][] grid) throws E;",
        "  T first(List<T> xs, String... more);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertNoCrash(compilation);
  }

  @Test
  void everyTypeJavacAccepts_inTheParametersOfAnnotatedMethods_isDecorated() {
    // issue 17 item 1: the key reads one parameter; the others may have any type
    Compilation compilation = compile(source(
        "p.Odd",
        "package p;",
        "import io.tiercache.annotation.CachePut;",
        "import io.tiercache.annotation.Cached;",
        "import io.tiercache.annotation.Invalidate;",
        "import java.util.*;",
        "public interface Odd {",
        "  @Cached(cache = \"o\", key = \"a:{id}\") String a(long id, Map<? super String, ? extends Number> m);",
        "  @SuppressWarnings(\"rawtypes\") @Cached(cache = \"o\", key = \"b:{id}\") List<String> b(long id, List raw);",
        "  @Cached(cache = \"o\", key = \"c:{id}\") int[][] c(long id, int[][] grid, String... more);",
        "  @CachePut(cache = \"o\", key = \"a:{id}\") String d(long id, Comparable<? extends CharSequence> c);",
        "  @Invalidate(key = \"a:{id}\") void e(long id, List<? extends Comparable<?>> xs, Object[]... nested);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertNoCrash(compilation);
  }

  @Test
  void arrayResults_compile() {
    Compilation compilation = compile(source(
        "p.Arrays",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Arrays {",
        "  @Cached(cache = \"a\", key = \"tags:{id}\") String[] tags(long id);",
        "  @Cached(cache = \"a\", key = \"blob:{id}\") byte[] blob(long id);",
        "  @Cached(cache = \"a\", key = \"grid:{id}\") int[][] grid(long id);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void aMethodInheritedFromTwoSupertypes_isDecoratedOnce() {
    Compilation compilation = compile(
        source("p.A", "package p;", "public interface A { String name(); }"),
        source("p.B", "package p;", "public interface B { String name(); }"),
        source(
            "p.Svc",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface Svc extends A, B {",
            "  @Cached(cache = \"c\", key = \"x:{id}\") String x(long id);",
            "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertNoCrash(compilation);
  }

  @Test
  void bulkOverloadsAndAUserMethodNamedLikeTheElementKey_getDistinctHelpers() {
    Compilation compilation = compile(source(
        "p.Users",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "import java.util.*;",
        "public interface Users {",
        "  @Cached(cache = \"u\", key = \"user:{ids[]}\") Map<Long, String> users(Set<Long> ids);",
        "  @Cached(cache = \"u\", key = \"user:{ids[]}\") List<String> users(Collection<Long> ids);",
        "  @Cached(cache = \"u\", key = \"user:{ids}:k\") String usersKey(Long ids);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("p.UsersKeys")
        .contentsAsUtf8String()
        .contains("usersKey2(");
    assertThat(compilation)
        .generatedSourceFile("p.UsersKeys")
        .contentsAsUtf8String()
        .contains("usersKey3(");
  }

  @Test
  void nestedTypesNamedLikeTheDecoratorsImports_doNotHideThem() {
    Compilation compilation = compile(source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  record Cache(String name) {}",
        "  enum Duration { SHORT, LONG }",
        "  @Cached(cache = \"c\", key = \"x:{id}\", ttl = \"1h\") String x(long id);",
        "  Cache describe(Duration d);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void aClassDecorator_letsTheSuperclassConstructorCallAnAnnotatedMethod() throws Exception {
    Compilation compilation = compile(source(
        "p.Repo",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public class Repo {",
        "  final String first;",
        "  public Repo() { first = name(0); }",
        "  @Cached(cache = \"names\", key = \"name:{id}\") public String name(int id) { return \"n\" + id; }",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("p.CachedRepo")
        .contentsAsUtf8String()
        .contains("if (this.tierCache == null) {");
  }

  @Test
  void aGenericConstructor_isMirroredWithItsTypeParameters() {
    Compilation compilation = compile(source(
        "p.Repo",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public class Repo {",
        "  public <T extends CharSequence> Repo(T prefix) {}",
        "  @Cached(cache = \"c\", key = \"x:{id}\") public String x(long id) { return \"\" + id; }",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void aGenericSupertype_isLeftToItsConcreteSubtypes() {
    JavaFileObject repo = source(
        "p.Repo",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Repo<T> { @Cached(cache = \"repo\", key = \"item:{id}\") T find(long id); }");
    Compilation compilation = compile(
        repo,
        source(
            "p.NameRepo",
            "package p;",
            "import io.tiercache.annotation.CacheDefaults;",
            "@CacheDefaults(cache = \"repo\") public interface NameRepo extends Repo<String> {}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation).hadNoteContaining(Messages.genericType("p.Repo")).inFile(repo);
    assertThat(compilation)
        .generatedSourceFile("p.CachedNameRepo")
        .contentsAsUtf8String()
        .contains("public String find(long id)");
    assertNoCrash(compilation);
  }

  @Test
  void aTypeJavacCannotFind_isReportedByJavacAlone() {
    Compilation compilation = compile(source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"c\", key = \"x:{id}\") Missing x(long id);",
        "  @Cached(cache = \"c\", key = \"y:{m}\") String y(Missing2 m);",
        "  @Cached(cache = \"c\", key = \"z:{m.id}\") String z(Missing3 m);",
        "}"));
    assertThat(compilation).failed();
    for (var diagnostic : compilation.errors()) {
      Truth.assertThat(diagnostic.getMessage(Locale.ROOT)).doesNotContain("[tiercache]");
    }
    assertNoCrash(compilation);
  }

  @Test
  void aRefreshLongerThanTheTtl_isReportedOnce_onTheMethodThatSetsIt() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"c\", key = \"x:{id}\", ttl = \"1h\", refresh = \"2h\") String x(long id);",
        "  @Cached(cache = \"c\", key = \"x:{name}:n\") String x(String name);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation)
        .hadErrorContaining("refreshes every 2h but its ttl is 1h")
        .inFile(svc)
        .onLineContaining("refresh = \"2h\"");
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void anErrorInAnInheritedMethod_isReportedOnce() {
    JavaFileObject base = source(
        "p.Base",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Base { @Cached(cache = \"c\", key = \"x:{idd}\") String x(long id); }");
    Compilation compilation = compile(
        base,
        source(
            "p.Sub",
            "package p;",
            "import io.tiercache.annotation.CacheDefaults;",
            "@CacheDefaults(cache = \"c\") public interface Sub extends Base {}"));
    assertThat(compilation).hadErrorContaining("{idd} names no parameter").inFile(base);
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void aSealedType_isRefusedWithItsOwnMessage() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public sealed interface Svc permits Impl {",
        "  @Cached(cache = \"c\", key = \"x:{id}\") String x(long id);",
        "}");
    Compilation compilation = compile(
        svc,
        source(
            "p.Impl",
            "package p;",
            "public final class Impl implements Svc { public String x(long id) { return \"\"; } }"));
    assertThat(compilation).hadErrorContaining(Messages.sealedType("p.Svc")).inFile(svc);
    assertThat(compilation).hadErrorCount(1);
    assertNoCrash(compilation);
  }

  @Test
  void aGetterThrowingACheckedException_isNotAKeyProperty() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  class Doc { public String getPath() throws java.io.IOException { return \"p\"; } }",
        "  @Cached(cache = \"c\", key = \"doc:{d.path}\") String read(Doc d);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation)
        .hadErrorContaining("has no property 'path'")
        .inFile(svc)
        .onLineContaining("doc:{d.path}");
    assertThat(compilation).hadErrorContaining("throwing no checked exception");
    assertThat(compilation).hadErrorCount(1);
    assertNoCrash(compilation);
  }

  @Test
  void twoTypesWithTheSameGeneratedNames_areReportedNotCrashedOn() {
    Compilation compilation = compile(
        source(
            "p.Outer",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public class Outer {",
            "  public interface Inner { @Cached(cache = \"c\", key = \"a:{id}\") String a(long id); }",
            "}"),
        source(
            "p.Outer_Inner",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface Outer_Inner { @Cached(cache = \"c\", key = \"b:{id}\") String b(long id); }"));
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("would both generate p.Outer_InnerKeys");
    assertNoCrash(compilation);
  }
}
