package io.tiercache.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static io.tiercache.processor.Compilations.assertNoCrash;
import static io.tiercache.processor.Compilations.compile;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** One bad source per compile-time error: the message, its file and its line. */
class TierCacheProcessorNegativeTest {

  @Test
  void unknownParameter() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/UnknownParameter.java");
    Compilation compilation = compile("bad/test/UnknownParameter.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(
            Messages.unknownParameter("project:{idd}:info", "idd", "info", List.of("id")))
        .inFile(file)
        .onLineContaining("{idd}");
    assertThat(compilation).hadErrorCount(1);
    assertNoCrash(compilation);
  }

  @Test
  void unknownProperty() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/UnknownProperty.java");
    Compilation compilation = compile("bad/test/UnknownProperty.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.unknownProperty(
            "project:{p.ident}:info", "p", "test.UnknownProperty.Project", "ident", "test"))
        .inFile(file)
        .onLineContaining("{p.ident}");
    assertNoCrash(compilation);
  }

  @Test
  void wildcard_inCachedAndCachePut() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/WildcardInCached.java");
    Compilation compilation = compile("bad/test/WildcardInCached.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.wildcardNotAllowed("project:{id}:*", "Cached"))
        .inFile(file)
        .onLineContaining("project:{id}:*");
    assertThat(compilation)
        .hadErrorContaining(Messages.wildcardNotAllowed("project:*", "CachePut"))
        .inFile(file)
        .onLineContaining("\"project:*\"");
    assertThat(compilation).hadErrorCount(2);
  }

  @Test
  void voidResult() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/VoidCached.java");
    Compilation compilation = compile("bad/test/VoidCached.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.voidResult("Cached", "refresh"))
        .inFile(file)
        .onLineContaining("@Cached");
    assertThat(compilation)
        .hadErrorContaining(Messages.voidResult("CachePut", "store"))
        .inFile(file)
        .onLineContaining("@CachePut");
  }

  @Test
  void privateStaticAndFinalMethods() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/BadModifiers.java");
    Compilation compilation = compile("bad/test/BadModifiers.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.badMethodModifier("Cached", "private", "hidden"))
        .inFile(file)
        .onLineContaining("private:{id}");
    assertThat(compilation)
        .hadErrorContaining(Messages.badMethodModifier("Cached", "static", "shared"))
        .inFile(file)
        .onLineContaining("static:{id}");
    assertThat(compilation)
        .hadErrorContaining(Messages.badMethodModifier("Invalidate", "final", "sealed"))
        .inFile(file)
        .onLineContaining("final:{id}");
    assertThat(compilation).hadErrorCount(3);
  }

  @Test
  void finalClass() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/FinalClass.java");
    Compilation compilation = compile("bad/test/FinalClass.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.finalClass("test.FinalClass"))
        .inFile(file)
        .onLineContaining("final class FinalClass");
  }

  @Test
  void badDurations_eachOnItsValue() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/BadDuration.java");
    Compilation compilation = compile("bad/test/BadDuration.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.badDuration("ttl", "2 hours"))
        .inFile(file)
        .onLineContaining("\"2 hours\"");
    assertThat(compilation)
        .hadErrorContaining(Messages.badDuration("nullTtl", "0s"))
        .inFile(file)
        .onLineContaining("\"0s\"");
    assertThat(compilation)
        .hadErrorContaining(Messages.badDuration("refresh", "soon"))
        .inFile(file)
        .onLineContaining("\"soon\"");
    assertThat(compilation).hadErrorCount(3);
  }

  @Test
  void refreshNotShorterThanTtl_onTheRefreshValue() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/RefreshTooLong.java");
    Compilation compilation = compile("bad/test/RefreshTooLong.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.refreshNotShorterThanTtl("stats", "2h", "1h"))
        .inFile(file)
        .onLineContaining("refresh = \"2h\"");
    assertThat(compilation).hadErrorCount(1);
  }

  @Test
  void unstableSegments() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/UnstableSegment.java");
    Compilation compilation = compile("bad/test/UnstableSegment.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(
            Messages.unstableSegment("tags:{tags}", "tags", "java.util.List<java.lang.String>"))
        .inFile(file)
        .onLineContaining("tags:{tags}");
    assertThat(compilation)
        .hadErrorContaining(Messages.unstableSegment("codes:{codes}", "codes", "int[]"))
        .inFile(file)
        .onLineContaining("codes:{codes}");
    assertThat(compilation)
        .hadErrorContaining(Messages.unstableSegment(
            "query:{query}", "query", "java.util.Map<java.lang.String,java.lang.String>"))
        .inFile(file)
        .onLineContaining("query:{query}");
    assertThat(compilation)
        .hadErrorContaining(
            Messages.unstableSegment("filter:{filter}", "filter", "test.UnstableSegment.Filter"))
        .inFile(file)
        .onLineContaining("filter:{filter}");
    // {filter.category} and {filter#hash} are the fixes: no error on that line.
    assertThat(compilation).hadErrorCount(4);
  }

  @Test
  void bulkWithUnmappableReturnOrNoCollection() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/UnmappableReturn.java");
    Compilation compilation = compile("bad/test/UnmappableReturn.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.unmappableReturn(
            "joined:{ids[]}", "ids", "joined", "java.lang.Long", "java.lang.String"))
        .inFile(file)
        .onLineContaining("joined:{ids[]}");
    assertThat(compilation)
        .hadErrorContaining(Messages.unmappableReturn(
            "byName:{ids[]}",
            "ids",
            "byName",
            "java.lang.Long",
            "java.util.Map<java.lang.String,java.lang.String>"))
        .inFile(file)
        .onLineContaining("byName:{ids[]}");
    assertThat(compilation)
        .hadErrorContaining(Messages.unmappableReturn(
            "later:{ids[]}",
            "ids",
            "later",
            "java.lang.Long",
            "java.util.concurrent.CompletableFuture<java.util.List<java.lang.String>>"))
        .inFile(file)
        .onLineContaining("later:{ids[]}");
    assertThat(compilation)
        .hadErrorContaining(Messages.bulkNotCollection("user:{id[]}", "id", "long"))
        .inFile(file)
        .onLineContaining("user:{id[]}");
    assertThat(compilation).hadErrorCount(4);
  }

  @Test
  void conflictingAnnotations_onTheSecondAnnotation() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/ConflictingAnnotations.java");
    Compilation compilation = compile("bad/test/ConflictingAnnotations.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.conflictingAnnotations("readAndDrop", "Cached", "Invalidate"))
        .inFile(file)
        .onLineContaining("@Invalidate");
    assertThat(compilation)
        .hadErrorContaining(Messages.conflictingAnnotations("readAndWrite", "Cached", "CachePut"))
        .inFile(file)
        .onLineContaining("@CachePut");
  }

  @Test
  void conflictingTtl_sameDurationAgrees() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/ConflictingTtl.java");
    Compilation compilation = compile("bad/test/ConflictingTtl.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.conflictingSetting("info", "ttl", "1h", "2h", "a"))
        .inFile(file)
        .onLineContaining("\"1h\"");
    assertThat(compilation).hadErrorCount(1); // "120m" is "2h"
  }

  @Test
  void templateSyntaxAndCacheName() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/BadTemplate.java");
    Compilation compilation = compile("bad/test/BadTemplate.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.badTemplate("project:{id:info", Messages.UNCLOSED_PLACEHOLDER))
        .inFile(file)
        .onLineContaining("project:{id:info");
    assertThat(compilation)
        .hadErrorContaining(
            Messages.badTemplate("project {id}", String.format(Messages.BAD_LITERAL, "\\u0020")))
        .inFile(file)
        .onLineContaining("project {id}");
    assertThat(compilation)
        .hadErrorContaining(
            Messages.badTemplate("project:{id.}", String.format(Messages.BAD_PLACEHOLDER, "id.")))
        .inFile(file)
        .onLineContaining("project:{id.}");
    assertThat(compilation)
        .hadErrorContaining(Messages.badTemplate(
            "user:{ids[]}", String.format(Messages.BULK_NOT_ALLOWED, "Invalidate")))
        .inFile(file)
        .onLineContaining("user:{ids[]}");
    assertThat(compilation)
        .hadErrorContaining(Messages.badCacheName("no spaces"))
        .inFile(file)
        .onLineContaining("\"no spaces\"");
    assertThat(compilation)
        .hadErrorContaining(Messages.badCacheName("__internal"))
        .inFile(file)
        .onLineContaining("\"__internal\"");
    assertThat(compilation)
        .hadErrorContaining(Messages.badTemplate("__meta:{id}", Messages.RESERVED_PREFIX))
        .inFile(file)
        .onLineContaining("__meta:{id}");
    assertThat(compilation)
        .hadErrorContaining(Messages.badTemplate(
            "pair:{a}{b}", String.format(Messages.UNSEPARATED, "a", "b", "a", "b")))
        .inFile(file)
        .onLineContaining("pair:{a}{b}");
    assertThat(compilation).hadErrorCount(8);
  }

  @Test
  void missingCache() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/MissingCache.java");
    Compilation compilation = compile("bad/test/MissingCache.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.missingCache("Cached", "info", "MissingCache"))
        .inFile(file)
        .onLineContaining("@Cached");
  }

  @Test
  void checkedException() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/CheckedException.java");
    Compilation compilation = compile("bad/test/CheckedException.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.checkedException("info", "java.io.IOException"))
        .inFile(file)
        .onLineContaining("@Cached");
  }

  @Test
  void typesThatCannotBeDecorated_everyErrorReported() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/BadTypes.java");
    Compilation compilation = compile("bad/test/BadTypes.java");
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(Messages.innerClass("test.BadTypes.Inner"))
        .inFile(file)
        .onLineContaining("class Inner");
    assertThat(compilation)
        .hadErrorContaining(Messages.privateType("test.BadTypes.Hidden"))
        .inFile(file)
        .onLineContaining("interface Hidden");
    assertThat(compilation)
        .hadNoteContaining(Messages.genericType("test.BadTypes.Generic"))
        .inFile(file)
        .onLineContaining("interface Generic<T>");
    assertThat(compilation)
        .hadErrorContaining(Messages.unsupportedType("test.BadTypes.Kind", "an enum"))
        .inFile(file)
        .onLineContaining("enum Kind");
    assertThat(compilation)
        .hadErrorContaining(Messages.noConstructor("test.BadTypes.NoConstructor"))
        .inFile(file)
        .onLineContaining("class NoConstructor");
    assertThat(compilation)
        .hadErrorContaining(Messages.abstractInClass("Cached", "info"))
        .inFile(file)
        .onLineContaining("abstract:{id}");
    assertThat(compilation)
        .hadErrorContaining(Messages.genericMethod("Cached", "info"))
        .inFile(file)
        .onLineContaining("genericMethod:{id}");
    assertThat(compilation).hadErrorCount(6);
    assertNoCrash(compilation);
  }

  @Test
  void invalidateMatchingNoCachedKey_isAWarning() {
    JavaFileObject file = JavaFileObjects.forResource("bad/test/UnmatchedInvalidate.java");
    Compilation compilation = compile("bad/test/UnmatchedInvalidate.java");
    assertThat(compilation).succeeded();
    assertThat(compilation)
        .hadWarningContaining(
            Messages.invalidateMatchesNothing("projet:{id}:*", "UnmatchedInvalidate", ""))
        .inFile(file)
        .onLineContaining("projet:{id}:*");
    assertThat(compilation)
        .hadWarningContaining(
            Messages.invalidateMatchesNothing("project:{id}:info", "UnmatchedInvalidate", "other"))
        .inFile(file)
        .onLineContaining("\"other\"");
    assertThat(compilation).hadWarningCount(2);
    assertThat(compilation.generatedSourceFile("test.CachedUnmatchedInvalidate"))
        .isPresent();
  }
}
