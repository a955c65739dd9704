package io.tiercache.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Methods of one cache whose keys can coincide while their values or meanings differ are refused. */
class KeyCollisionTest {

  private static Compilation compile(String... lines) {
    JavaFileObject source = JavaFileObjects.forSourceLines("p.Svc", lines);
    return Compiler.javac().withProcessors(new TierCacheProcessor()).compile(source);
  }

  @Test
  void sameTemplate_differentValueTypes_isAnError() {
    Compilation compilation = compile("package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"u\", key = \"user:{id}\") String name(long id);",
        "  @Cached(cache = \"u\", key = \"user:{id}\") Integer age(long id);",
        "}");
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("[tiercache] key \"user:{id}\" of cache \"u\" can be the same Redis key "
        + "as \"user:{id}\" of name(), with another value type (java.lang.Integer against java.lang.String)")
        .inFile(JavaFileObjects.forSourceLines("p.Svc")).onLine(5);
  }

  @Test
  void twoReaders_fromArgumentsOfOtherTypes_isAnError() {
    Compilation compilation = compile("package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"u\", key = \"user:{id}\") String byId(long id);",
        "  @Cached(cache = \"u\", key = \"user:{name}\") String byName(String name);",
        "}");
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("can be the same Redis key as \"user:{id}\" of byId(), and both read "
        + "it from arguments of other types");
  }

  @Test
  void aReaderAndItsBulkForm_share() {
    Compilation compilation = compile("package p;",
        "import io.tiercache.annotation.Cached;",
        "import java.util.*;",
        "public interface Svc {",
        "  @Cached(cache = \"p\", key = \"project:{id}:info\") String info(long id);",
        "  @Cached(cache = \"p\", key = \"project:{ids[]}:info\") Map<Long, String> infos(Set<Long> ids);",
        "}");
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void readerAndWriter_ofOneValueType_andOtherCaches_share() {
    Compilation compilation = compile("package p;",
        "import io.tiercache.annotation.CachePut;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"u\", key = \"user:{id}\") String name(long id);",
        "  @CachePut(cache = \"u\", key = \"user:{id}\") String rename(long id, String name);",
        "  @Cached(cache = \"other\", key = \"user:{id}\") Integer age(long id);",
        "  @Cached(cache = \"u\", key = \"user:{id}:age\") Integer ageInU(long id);",
        "}");
    assertThat(compilation).succeededWithoutWarnings();
  }
}
