package io.tiercache.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.tiercache.processor.Compilations.assertNoCrash;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 7: {@code @Cached} and {@code @CacheDefaults} declare every setting a cache needs
 * (TTLs, jitter, L1, L1 size, strategy, distributed load, compression); one cache has one policy
 * within a type and across the types of one compilation.
 */
class CacheSettingsTest {

  private static Compilation compile(JavaFileObject... sources) {
    return Compiler.javac().withProcessors(new TierCacheProcessor()).compile(sources);
  }

  private static JavaFileObject source(String name, String... lines) {
    return JavaFileObjects.forSourceLines(name, lines);
  }

  @Test
  void everySetting_reachesDeclareCaches_andCacheDefaultsFillsWhatNoMethodSets() {
    Compilation compilation = compile(source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.Cached;",
        "import io.tiercache.annotation.WriteStrategy;",
        "@CacheDefaults(cache = \"a\", ttl = \"10m\", strategy = WriteStrategy.WRITE_BACK, l1 = false)",
        "public interface Svc {",
        "  @Cached(key = \"x:{id}\", ttl = \"1h\", ttlJitter = 0.1, localMaxSize = 20, distributedLoad = \"500ms\",",
        "      compressionThreshold = 4096, bloomGuard = 1000000)",
        "  String x(long id);",
        "  @Cached(cache = \"b\", key = \"y:{id}\", l1 = true, strategy = WriteStrategy.WRITE_THROUGH)",
        "  String y(long id);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("p.CachedSvc")
        .contentsAsUtf8String()
        .contains(""
            + "            .cacheDefaults(\"a\", spec -> spec\n"
            + "                .ttl(Duration.ofHours(1))\n"
            + "                .ttlJitter(0.1)\n"
            + "                .l1(false)\n"
            + "                .l1MaxSize(20L)\n"
            + "                .strategy(Strategy.WRITE_BACK)\n"
            + "                .distributedLoad(Duration.ofMillis(500))\n"
            + "                .compressionThreshold(4096)\n"
            + "                .bloomGuard(1000000L))\n"
            + "            .cacheDefaults(\"b\", spec -> spec\n"
            + "                .ttl(Duration.ofMinutes(10))\n"
            + "                .l1(true)\n"
            + "                .strategy(Strategy.WRITE_THROUGH));");
  }

  @Test
  void cacheDefaults_withoutACache_givesSettingsOnly() {
    Compilation compilation = compile(source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.Cached;",
        "@CacheDefaults(ttlJitter = 0.05)",
        "public interface Svc {",
        "  @Cached(cache = \"a\", key = \"x:{id}\") String x(long id);",
        "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("p.CachedSvc")
        .contentsAsUtf8String()
        .contains(".cacheDefaults(\"a\", spec -> spec.ttlJitter(0.05));");
  }

  @Test
  void twoMethodsOfOneCache_withDifferentSettings_isAnError_onTheSecond() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface Svc {",
        "  @Cached(cache = \"a\", key = \"x:{id}\", l1 = false) String x(long id);",
        "  @Cached(cache = \"a\", key = \"y:{id}\",",
        "      l1 = true) String y(long id);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.conflictingSetting("a", "l1", "true", "false", "x"))
        .inFile(svc)
        .onLine(6);
    assertNoCrash(compilation);
  }

  @Test
  void twoTypesOfOneCompilation_withDifferentSettingsForOneCache_isAnError_onTheLaterType() {
    JavaFileObject first = source(
        "p.First",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "import io.tiercache.annotation.WriteStrategy;",
        "public interface First {",
        "  @Cached(cache = \"shared\", key = \"first:{id}\", strategy = WriteStrategy.WRITE_THROUGH) String x(long id);",
        "}");
    JavaFileObject second = source(
        "q.Second",
        "package q;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.Cached;",
        "@CacheDefaults(cache = \"shared\",",
        "    compressionThreshold = 0)",
        "public interface Second {",
        "  @Cached(key = \"second:{id}\", compressionThreshold = 0,",
        "      strategy = io.tiercache.annotation.WriteStrategy.WRITE_BACK)",
        "  String y(long id);",
        "}");
    Compilation compilation = compile(first, second);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.conflictingSettingFrom(
            "shared", "strategy", "WRITE_BACK", "WRITE_THROUGH", "First.x()"))
        .inFile(second)
        .onLine(8);
  }

  @Test
  void aCacheDefaultsSetting_againstAnotherTypesMethod_isAnError_onTheCacheDefaults() {
    JavaFileObject first = source(
        "p.First",
        "package p;",
        "import io.tiercache.annotation.Cached;",
        "public interface First {",
        "  @Cached(cache = \"shared\", key = \"first:{id}\", ttl = \"2h\") String x(long id);",
        "}");
    JavaFileObject second = source(
        "p.Second",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.Cached;",
        "@CacheDefaults(cache = \"shared\", ttl = \"1h\")",
        "public interface Second {",
        "  @Cached(key = \"second:{id}\") String y(long id);",
        "}");
    Compilation compilation = compile(first, second);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(
            Messages.conflictingSettingFrom("shared", "ttl", "1h", "2h", "First.x()"))
        .inFile(second)
        .onLine(4);
  }

  @Test
  void typesThatAgree_orLeaveASettingOut_compile() {
    Compilation compilation = compile(
        source(
            "p.First",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface First {",
            "  @Cached(cache = \"shared\", key = \"first:{id}\", ttl = \"120m\", l1 = false) String x(long id);",
            "}"),
        source(
            "p.Second",
            "package p;",
            "import io.tiercache.annotation.Cached;",
            "public interface Second {",
            "  @Cached(cache = \"shared\", key = \"second:{id}\", ttl = \"2h\") String y(long id);",
            "}"));
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void valuesOutOfRange_areErrors_onTheirValue() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.Cached;",
        "@CacheDefaults(cache = \"a\",",
        "    ttlJitter = 1.0)",
        "public interface Svc {",
        "  @Cached(key = \"x:{id}\",",
        "      localMaxSize = 0,",
        "      compressionThreshold = -1,",
        "      distributedLoad = \"soon\",",
        "      bloomGuard = -5)",
        "  String x(long id);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation).hadErrorCount(5);
    assertThat(compilation)
        .hadErrorContaining(Messages.badSetting("bloomGuard", "-5", "must be positive"))
        .inFile(svc)
        .onLine(11);
    assertThat(compilation)
        .hadErrorContaining(Messages.badSetting("ttlJitter", "1.0", "must be in [0, 1)"))
        .inFile(svc)
        .onLine(5);
    assertThat(compilation)
        .hadErrorContaining(Messages.badSetting("localMaxSize", "0", "must be positive"))
        .inFile(svc)
        .onLine(8);
    assertThat(compilation)
        .hadErrorContaining(
            Messages.badSetting("compressionThreshold", "-1", "must not be negative"))
        .inFile(svc)
        .onLine(9);
    assertThat(compilation)
        .hadErrorContaining(Messages.badDuration("distributedLoad", "soon"))
        .inFile(svc)
        .onLine(10);
    assertNoCrash(compilation);
  }

  @Test
  void aRefreshFromCacheDefaults_notShorterThanTheTtl_isAnError_onCacheDefaults() {
    JavaFileObject svc = source(
        "p.Svc",
        "package p;",
        "import io.tiercache.annotation.CacheDefaults;",
        "import io.tiercache.annotation.Cached;",
        "@CacheDefaults(cache = \"a\", refresh = \"30m\")",
        "public interface Svc {",
        "  @Cached(key = \"x:{id}\", ttl = \"10m\") String x(long id);",
        "}");
    Compilation compilation = compile(svc);
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation)
        .hadErrorContaining(Messages.refreshNotShorterThanTtl("a", "30m", "10m"))
        .inFile(svc)
        .onLine(4);
  }

  @Test
  void theDocsExample_compiles() {
    Compilation compilation = compile(
        source("p.Product", "package p;", "public record Product(long id) {}"),
        source(
            "p.CatalogService",
            "package p;",
            "import io.tiercache.annotation.CacheDefaults;",
            "import io.tiercache.annotation.Cached;",
            "import io.tiercache.annotation.WriteStrategy;",
            "@CacheDefaults(cache = \"catalog\", ttl = \"1h\", ttlJitter = 0.1, distributedLoad = \"3s\")",
            "public interface CatalogService {",
            "  @Cached(key = \"product:{id}\", localMaxSize = 50_000, compressionThreshold = 0)",
            "  Product product(long id);",
            "  @Cached(cache = \"stock\", key = \"stock:{id}\", ttl = \"10s\", l1 = false,",
            "      strategy = WriteStrategy.WRITE_THROUGH)",
            "  Integer stock(long id);",
            "}"));
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("p.CachedCatalogService")
        .contentsAsUtf8String()
        .contains(""
            + "            .cacheDefaults(\"stock\", spec -> spec\n"
            + "                .ttl(Duration.ofSeconds(10))\n"
            + "                .ttlJitter(0.1)\n"
            + "                .l1(false)\n"
            + "                .strategy(Strategy.WRITE_THROUGH)\n"
            + "                .distributedLoad(Duration.ofSeconds(3)));");
  }
}
