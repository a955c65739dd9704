package io.tiercache.processor;

import static com.google.common.truth.Truth.assertWithMessage;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.util.Arrays;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/** Runs the processor over test sources held as resources. */
final class Compilations {

  private Compilations() {}

  /** Compiles resources such as {@code "bad/test/FinalClass.java"} with the processor. */
  static Compilation compile(String... resources) {
    JavaFileObject[] sources =
        Arrays.stream(resources).map(JavaFileObjects::forResource).toArray(JavaFileObject[]::new);
    return Compiler.javac().withProcessors(new TierCacheProcessor()).compile(sources);
  }

  /** Fails if the processor crashed or reported an internal error. */
  static void assertNoCrash(Compilation compilation) {
    for (Diagnostic<? extends JavaFileObject> diagnostic : compilation.diagnostics()) {
      String message = diagnostic.getMessage(Locale.ROOT);
      assertWithMessage("processor crash: %s", message)
          .that(message.contains("internal error")
              || message.contains("threw an uncaught exception")
              || message.contains("Exception"))
          .isFalse();
    }
  }
}
