package io.tiercache.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Checks {@code @Cached}, {@code @CachePut}, {@code @Invalidate} and {@code @CacheDefaults} at
 * compile time and writes, for each type that uses them, {@code {Type}Keys} (the key builders) and
 * {@code Cached{Type}} (the caching decorator). See the {@code io.tiercache.annotation} package
 * for the template grammar.
 *
 * <p>Each type goes through validate ({@link ServiceValidator}, {@link MethodValidator}) → model
 * ({@link ServiceModel}) → generate ({@link KeysWriter}, {@link DecoratorWriter}). Errors are
 * reported on the annotation value at fault; a type with errors generates nothing, and the other
 * types are still processed. A type whose signatures refer to classes not generated yet (by
 * another processor) is deferred to the next round.
 *
 * <p>The processor is isolating for Gradle's incremental compilation: each generated file
 * depends only on its own type and that type's supertypes. It takes no {@code -A} options.
 */
@AutoService(Processor.class)
public final class TierCacheProcessor extends AbstractProcessor {

  private Elements elements;
  private Types types;
  private Filer filer;
  private Reporter reporter;
  private ServiceValidator validator;
  private Optional<AnnotationSpec> generated;
  /** Types whose signatures were not complete yet, by name. */
  private final Set<String> deferred = new LinkedHashSet<>();
  /** Generated class name → the type it was generated for, across rounds. */
  private final Map<String, String> generatedBy = new HashMap<>();

  @Override
  public synchronized void init(ProcessingEnvironment processingEnv) {
    super.init(processingEnv);
    elements = processingEnv.getElementUtils();
    types = processingEnv.getTypeUtils();
    filer = processingEnv.getFiler();
    reporter = new Reporter(processingEnv.getMessager());
    Annotations annotations = new Annotations(elements);
    validator = new ServiceValidator(
        elements,
        types,
        reporter,
        annotations,
        new MethodValidator(elements, types, reporter, annotations));
    generated = elements.getTypeElement("javax.annotation.processing.Generated") == null
        ? Optional.empty()
        : Optional.of(
            AnnotationSpec.builder(ClassName.get("javax.annotation.processing", "Generated"))
                .addMember("value", "$S", TierCacheProcessor.class.getCanonicalName())
                .build());
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return SUPPORTED;
  }

  /**
   * Tiercache's annotations, and {@code @Generated}, which the generated sources carry: both are
   * claimed, so that {@code -Xlint:processing} (part of {@code -Xlint:all}) does not warn that no
   * processor claimed them, which {@code -Werror} turns into a failed build.
   */
  private static final Set<String> SUPPORTED;

  static {
    Set<String> supported = new LinkedHashSet<>(Annotations.ALL);
    supported.add("javax.annotation.processing.Generated");
    SUPPORTED = Collections.unmodifiableSet(supported);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotationTypes, RoundEnvironment round) {
    try {
      Map<String, TypeElement> pending = new LinkedHashMap<>();
      for (String name : deferred) {
        TypeElement type = elements.getTypeElement(name);
        if (type != null) {
          pending.put(name, type);
        }
      }
      deferred.clear();
      for (TypeElement annotationType : annotationTypes) {
        if (!Annotations.ALL.contains(annotationType.getQualifiedName().toString())) {
          continue; // @Generated: claimed, not processed
        }
        for (Element element : round.getElementsAnnotatedWith(annotationType)) {
          TypeElement type = element instanceof TypeElement t
              ? t
              : element.getEnclosingElement() instanceof TypeElement t ? t : null;
          if (type != null) {
            pending.putIfAbsent(key(type), type);
          }
        }
      }
      for (Map.Entry<String, TypeElement> entry : pending.entrySet()) {
        TypeElement type = entry.getValue();
        if (!round.processingOver() && isIncomplete(type)) {
          deferred.add(entry.getKey());
        } else {
          processType(type);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      reporter.error(Messages.internalError("this round", trace(e)), null);
    }
    return true; // the annotations are Tiercache's: claimed (see SUPPORTED)
  }

  private void processType(TypeElement type) {
    try {
      Optional<ServiceModel> model = validator.validate(type);
      if (model.isPresent() && claimNames(type, model.get())) {
        write(KeysWriter.write(model.get(), generated), type);
        write(DecoratorWriter.write(types, model.get(), generated), type);
      }
    } catch (RuntimeException | LinkageError e) {
      reporter.error(Messages.internalError(type.getQualifiedName().toString(), trace(e)), type);
    }
  }

  /**
   * Records which type the generated names belong to; false after reporting a clash with another
   * type, such as {@code Outer.Inner} and {@code Outer_Inner}, which both give {@code Outer_InnerKeys}.
   */
  private boolean claimNames(TypeElement type, ServiceModel model) {
    String source = type.getQualifiedName().toString();
    for (ClassName name : List.of(model.keysName(), model.cachedName())) {
      String owner = generatedBy.putIfAbsent(name.canonicalName(), source);
      if (owner != null && !owner.equals(source)) {
        reporter.error(Messages.generatedNameClash(source, owner, name.canonicalName()), type);
        return false;
      }
    }
    return true;
  }

  private void write(JavaFile file, TypeElement type) {
    try {
      file.writeTo(filer);
    } catch (IOException e) {
      reporter.error(
          Messages.internalError(
              type.getQualifiedName().toString(),
              "cannot write " + file.packageName() + "." + file.typeSpec().name() + ": " + e),
          type);
    }
  }

  /** A key that tells apart anonymous and local classes, which have no qualified name. */
  private static String key(TypeElement type) {
    String name = type.getQualifiedName().toString();
    return name.isEmpty() ? "local@" + System.identityHashCode(type) : name;
  }

  /** Whether an annotated method refers to a type that does not exist yet. */
  private boolean isIncomplete(TypeElement type) {
    if (type.getQualifiedName().length() == 0) {
      return false;
    }
    for (TypeMirror supertype : types.directSupertypes(type.asType())) {
      if (supertype.getKind() == TypeKind.ERROR) {
        return true;
      }
    }
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      if (method.getReturnType().getKind() == TypeKind.ERROR) {
        return true;
      }
      for (var parameter : method.getParameters()) {
        if (parameter.asType().getKind() == TypeKind.ERROR) {
          return true;
        }
      }
    }
    return false;
  }

  private static String trace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
