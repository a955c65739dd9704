package io.tiercache.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.tiercache.processor.Compilations.assertNoCrash;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 4: two methods whose keys can be one Redis key while their values or meanings
 * differ are refused, within a type and across the types of one compilation. Each cache has its
 * own key space, so methods of different caches never meet.
 */
class KeyCollisionTest {

  private static Compilation compile(JavaFileObject... sources) {
    return Compiler.javac().withProcessors(new TierCacheProcessor()).compile(sources);
  }

  private static JavaFileObject source(String name, String... lines) {
    return JavaFileObjects.forSourceLines(name, lines);
  }

  @Test
  void sameTemplate_oneCache_differentValueTypes_isAnError() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"u\", key = \"user:{id}\") String name(long id);",
        "  @Cached(cache = \"u\", key = \"user:{id}\") Integer age(long id);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.keysCollideValueTypes(
            "Svc.age()",
            "Svc.name()",
            "u",
            "user:{id}",
            "user:{id}",
            "java.lang.Integer",
            "java.lang.String"))
        .inFile(svc)
        .onLine(5);
    assertNoCrash(compilation);
  }

  @Test
  void twoReaders_ofOneCache_fromDifferentArguments_isAnError() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"u\", key = \"user:{id}\") String byId(long id);",
        "  @Cached(cache = \"u\", key = \"user:{name}\") String byName(String name);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.keysCollideArguments(
            "Svc.byName()", "Svc.byId()", "u", "user:{name}", "user:{id}"))
        .inFile(svc)
        .onLine(5);
  }

  @Test
  void readersOfOneShape_share_aBulkReaderAndAnAlias() {
    Compilation compilation = compile(source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "import java.util.*;",
        "public interface Svc {",
        "  record Project(long id) {}",
        "  @Cached(cache = \"info\", key = \"project:{id}:info\") String info(long id);",
        "  @Cached(cache = \"info\", key = \"project:{ids[]}:info\") Map<Long, String> infos(Set<Long> ids);",
        "  @Cached(cache = \"info\", key = \"project:{projectId}:info\") String alias(Long projectId);",
        "  @Cached(cache = \"info\", key = \"project:{p.id}:info\") String of(Project p);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void overlappingShapes_notJustEqualTemplates_collide() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"u\", key = \"user:{id}:age\") Integer age(long id);",
        "  @Cached(cache = \"u\", key = \"user:{id}:{field}\") String field(long id, String field);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining("(\"user:{id}:{field}\" and \"user:{id}:age\") for different "
            + "value types (java.lang.String and java.lang.Integer)")
        .inFile(svc)
        .onLine(5);
  }

  @Test
  void readerAndWriter_sameTemplate_twoCaches_andDisjointKeys_share() {
    Compilation compilation = compile(source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.CachePut;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  record User(long id, String name) {}",
        "  @Cached(cache = \"u\", key = \"user:{id}\") User user(long id);",
        "  @CachePut(cache = \"u\", key = \"user:{u.id}\") User save(User u);",
        "  @Cached(cache = \"u\", key = \"user:{id}\") User sameTemplateSameType(long id);",
        "  @Cached(cache = \"other\", key = \"user:{id}\") Integer age(long id);",
        "  @Cached(cache = \"u\", key = \"user:{id}:age\") Integer ageInU(long id);",
        "  @Cached(cache = \"u\", key = \"name:{name}\") String byName(String name);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void acrossTypesOfOneCompilation_isAnError_onTheLaterType() {
    JavaFileObject users = source(
        "p.Users",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Users {",
        "  @Cached(cache = \"u\", key = \"user:{id}\") String name(long id);",
        "}");
    JavaFileObject ages = source(
        "q.Ages",
        "package q;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.Cached;",
        "@CacheDefaults(cache = \"u\")",
        "public interface Ages {",
        "  @Cached(key = \"user:{userId}\")",
        "  Integer age(long userId);",
        "}");
    Compilation compilation = compile(users, ages);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.keysCollideValueTypes(
            "Ages.age()",
            "Users.name()",
            "u",
            "user:{userId}",
            "user:{id}",
            "java.lang.Integer",
            "java.lang.String"))
        .inFile(ages)
        .onLine(6);
  }

  @Test
  void aGenericBase_inTwoSubtypesOfOneCache_withDifferentValueTypes_isAnError_onTheSecondSubtype() {
    JavaFileObject names = source(
        "p.NameRepo",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "@CacheDefaults(cache = \"repo\") public interface NameRepo extends Repo<String> {}");
    JavaFileObject ages = source(
        "p.AgeRepo",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "@CacheDefaults(cache = \"repo\")",
        "public interface AgeRepo extends Repo<Integer> {}");
    Compilation compilation = compile(
        source(
            "p.Repo",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface Repo<T> { @Cached(key = \"item:{id}\") T find(long id); }"),
        names,
        ages);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.keysCollideValueTypes(
            "Repo.find() in AgeRepo",
            "Repo.find() in NameRepo",
            "repo",
            "item:{id}",
            "item:{id}",
            "java.lang.Integer",
            "java.lang.String"))
        .inFile(ages)
        .onLine(4);
  }

  @Test
  void aBaseAndItsSubtype_bothProcessed_doNotCollideWithThemselves() {
    Compilation compilation = compile(
        source(
            "p.Base",
            "package p;",
            "import io.tiercache.annotation.CachePut;",
            "import io.tiercache.annotation.Cached;",
            "public interface Base {",
            "  @Cached(cache = \"c\", key = \"x:{id}\") String x(long id);",
            "  @CachePut(cache = \"c\", key = \"x:{id}\") String setX(long id, String value);",
            "}"),
        source(
            "p.Sub",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface Sub extends Base {",
            "  @Cached(cache = \"c\", key = \"y:{id}\") String y(long id);",
            "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }
}
