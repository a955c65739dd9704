package io.tiercache.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;

/** Reads the Tiercache annotations through mirrors, so that errors can point at their values. */
final class Annotations {
  // Names, not class literals: the processor then runs without cache-annotations on the
  // processor path (AnnotationsTest checks that they match the classes).
  static final String CACHED = "io.tiercache.annotation.Cached";
  static final String CACHE_PUT = "io.tiercache.annotation.CachePut";
  static final String INVALIDATE = "io.tiercache.annotation.Invalidate";
  static final String INVALIDATE_LIST = "io.tiercache.annotation.Invalidate.List";
  static final String CACHE_DEFAULTS = "io.tiercache.annotation.CacheDefaults";

  /** Every annotation the processor claims. */
  static final Set<String> ALL =
      Set.of(CACHED, CACHE_PUT, INVALIDATE, INVALIDATE_LIST, CACHE_DEFAULTS);

  private final Elements elements;

  Annotations(Elements elements) {
    this.elements = elements;
  }

  /** The annotation of this type on the element, if present. */
  Optional<AnnotationMirror> find(Element element, String annotationType) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement type = (TypeElement) mirror.getAnnotationType().asElement();
      if (type.getQualifiedName().contentEquals(annotationType)) {
        return Optional.of(mirror);
      }
    }
    return Optional.empty();
  }

  /** The {@code @Invalidate} annotations of a method, written one by one or in their container. */
  List<AnnotationMirror> invalidations(Element element) {
    List<AnnotationMirror> result = new ArrayList<>();
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      String name = ((TypeElement) mirror.getAnnotationType().asElement())
          .getQualifiedName()
          .toString();
      if (name.equals(INVALIDATE)) {
        result.add(mirror);
      } else if (name.equals(INVALIDATE_LIST)) {
        AnnotationValue value = explicitValue(mirror, "value");
        if (value != null && value.getValue() instanceof List<?> list) {
          for (Object item : list) {
            if (((AnnotationValue) item).getValue() instanceof AnnotationMirror nested) {
              result.add(nested);
            }
          }
        }
      }
    }
    return result;
  }

  /** Whether the element carries any of the method annotations. */
  boolean hasMethodAnnotation(Element element) {
    return find(element, CACHED).isPresent()
        || find(element, CACHE_PUT).isPresent()
        || !invalidations(element).isEmpty();
  }

  /** The value as written, or null if the default applies. */
  static AnnotationValue explicitValue(AnnotationMirror mirror, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        mirror.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /** A string value, written or default; empty if the value is missing or erroneous. */
  String string(AnnotationMirror mirror, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        elements.getElementValuesWithDefaults(mirror).entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) {
        Object value = e.getValue().getValue();
        return value instanceof String s ? s : "";
      }
    }
    return "";
  }

  /** The simple name of the annotation type, for messages: {@code Cached}. */
  static String simpleName(AnnotationMirror mirror) {
    return mirror.getAnnotationType().asElement().getSimpleName().toString();
  }
}
