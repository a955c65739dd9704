package io.tiercache.processor;

import java.util.HashSet;
import java.util.Set;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Reports messages on the narrowest element (the annotation value where there is one) and counts
 * errors, so that a validator reports every problem of a type and then skips only that type.
 */
final class Reporter {
  private final Messager messager;
  private int errors;
  /**
   * Messages already printed, by element: an annotated method inherited by several processed
   * types is checked once for each, and its error is printed once, counted each time.
   */
  private final Set<String> printed = new HashSet<>();

  Reporter(Messager messager) {
    this.messager = messager;
  }

  /** The number of errors reported so far. */
  int errorCount() {
    return errors;
  }

  void error(String message, Element element) {
    errors++;
    if (firstTime(message, element)) {
      messager.printMessage(Diagnostic.Kind.ERROR, message, element);
    }
  }

  void error(String message, Element element, AnnotationMirror annotation) {
    errors++;
    if (firstTime(message, element)) {
      messager.printMessage(Diagnostic.Kind.ERROR, message, element, annotation);
    }
  }

  /** An error on one value of an annotation; on the annotation when the value was not written. */
  void error(String message, Element element, AnnotationMirror annotation, AnnotationValue value) {
    errors++;
    if (!firstTime(message, element)) {
      return;
    }
    if (value == null) {
      messager.printMessage(Diagnostic.Kind.ERROR, message, element, annotation);
    } else {
      messager.printMessage(Diagnostic.Kind.ERROR, message, element, annotation, value);
    }
  }

  private boolean firstTime(String message, Element element) {
    return printed.add(
        message + "\u0000" + (element == null ? "" : System.identityHashCode(element)));
  }

  /**
   * Counts an error without a message, for a type javac could not resolve: javac already said
   * so, and a second message about the same type would only mislead.
   */
  void errorAlreadyReported() {
    errors++;
  }

  /** Information only: never fails a build, even with -Werror. */
  void note(String message, Element element) {
    messager.printMessage(Diagnostic.Kind.NOTE, message, element);
  }

  void warning(
      String message, Element element, AnnotationMirror annotation, AnnotationValue value) {
    if (value == null) {
      messager.printMessage(Diagnostic.Kind.WARNING, message, element, annotation);
    } else {
      messager.printMessage(Diagnostic.Kind.WARNING, message, element, annotation, value);
    }
  }
}
