package io.tiercache.processor;

import com.palantir.javapoet.ClassName;
import io.tiercache.processor.MethodModel.Operation;
import io.tiercache.processor.ServiceModel.CacheSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Validates a type that carries Tiercache annotations and builds its {@link ServiceModel}: the
 * type itself (kind, visibility, finality, constructors), each annotated method through {@link
 * MethodValidator}, then the checks across methods (one policy per cache, invalidations that
 * match a cached key, keys that cannot collide: {@link KeyCollisions}).
 */
final class ServiceValidator {
  private final Elements elements;
  private final Types types;
  private final Reporter reporter;
  private final Annotations annotations;
  private final MethodValidator methods;
  private final KeyCollisions collisions;

  ServiceValidator(Elements elements, Types types, Reporter reporter, Annotations annotations,
      MethodValidator methods) {
    this.elements = elements;
    this.types = types;
    this.reporter = reporter;
    this.annotations = annotations;
    this.methods = methods;
    this.collisions = new KeyCollisions(types, reporter, annotations);
  }

  /** The type's model, or empty after reporting every problem found. */
  Optional<ServiceModel> validate(TypeElement type) {
    if (isDecoratable(type) && !type.getTypeParameters().isEmpty()) {
      // its type variables are known only in a subtype, which checks and decorates the methods
      reporter.note(Messages.genericType(type.getQualifiedName().toString()), type);
      return Optional.empty();
    }
    int before = reporter.errorCount();
    checkType(type);
    if (reporter.errorCount() > before && !isDecoratable(type)) {
      return Optional.empty(); // an enum, record or local class: its members need no more checks
    }
    Optional<AnnotationMirror> defaults = annotations.find(type, Annotations.CACHE_DEFAULTS);
    String defaultCache = null;
    if (defaults.isPresent()) {
      defaultCache = annotations.string(defaults.get(), "cache");
      if (!MethodValidator.CACHE_NAME.matcher(defaultCache).matches()) {
        reporter.error(Messages.badCacheName(defaultCache), type, defaults.get(),
            Annotations.explicitValue(defaults.get(), "cache"));
      }
    }

    DeclaredType declared = (DeclaredType) type.asType();
    boolean isInterface = type.getKind() == ElementKind.INTERFACE;
    List<MethodModel> models = new ArrayList<>();
    List<ExecutableElement> passThrough = new ArrayList<>();
    List<ExecutableElement> nameless = new ArrayList<>();
    for (ExecutableElement method : orderedMethods(type)) {
      if (annotations.hasMethodAnnotation(method)) {
        if (!method.getEnclosingElement().equals(type) && lacksParameterNames(method)) {
          nameless.add(method); // its templates name parameters that javac cannot name: one error below
        } else {
          methods.validate(method, type, declared, defaultCache).ifPresent(models::add);
        }
      } else if (isInterface && !method.getModifiers().contains(Modifier.STATIC)
          && !method.getModifiers().contains(Modifier.PRIVATE)) {
        passThrough.add(method);
      }
    }
    if (!nameless.isEmpty()) {
      reportMissingParameterNames(type, nameless);
    }
    List<CacheSettings> caches = cacheSettings(models);
    warnUnmatchedInvalidations(type, models);
    collisions.check(type, models);
    if (reporter.errorCount() > before) {
      return Optional.empty();
    }

    List<ExecutableElement> constructors = new ArrayList<>();
    if (!isInterface) {
      for (ExecutableElement constructor : ElementFilter.constructorsIn(type.getEnclosedElements())) {
        if (!constructor.getModifiers().contains(Modifier.PRIVATE)) {
          constructors.add(constructor);
        }
      }
    }
    String pkg = elements.getPackageOf(type).getQualifiedName().toString();
    String flat = String.join("_", ClassName.get(type).simpleNames());
    return Optional.of(new ServiceModel(type, declared, ClassName.get(pkg, flat + "Keys"),
        ClassName.get(pkg, "Cached" + flat), isInterface, List.copyOf(models), List.copyOf(passThrough),
        List.copyOf(constructors), caches));
  }

  private static boolean isDecoratable(TypeElement type) {
    return (type.getKind() == ElementKind.INTERFACE || type.getKind() == ElementKind.CLASS)
        && (type.getNestingKind() == NestingKind.TOP_LEVEL || type.getNestingKind() == NestingKind.MEMBER);
  }

  private void checkType(TypeElement type) {
    String name = type.getQualifiedName().toString();
    if (name.isEmpty()) {
      name = type.getSimpleName().toString();
    }
    ElementKind kind = type.getKind();
    if (kind == ElementKind.ENUM) {
      reporter.error(Messages.unsupportedType(name, "an enum"), type);
      return;
    } else if (kind.name().equals("RECORD")) {
      reporter.error(Messages.unsupportedType(name, "a record"), type);
      return;
    } else if (kind == ElementKind.ANNOTATION_TYPE) {
      reporter.error(Messages.unsupportedType(name, "an annotation type"), type);
      return;
    } else if (!isDecoratable(type)) {
      reporter.error(Messages.unsupportedType(name.isEmpty() ? "this class" : name, "a local or anonymous class"), type);
      return;
    }
    for (Element e = type; e instanceof TypeElement; e = e.getEnclosingElement()) {
      if (e.getModifiers().contains(Modifier.PRIVATE)) {
        reporter.error(Messages.privateType(name), type);
        break;
      }
    }
    if (kind == ElementKind.CLASS && type.getNestingKind() == NestingKind.MEMBER
        && !type.getModifiers().contains(Modifier.STATIC)) {
      reporter.error(Messages.innerClass(name), type);
    }
    if (type.getModifiers().contains(Modifier.SEALED)) {
      reporter.error(Messages.sealedType(name), type);
    }
    if (kind == ElementKind.CLASS) {
      if (type.getModifiers().contains(Modifier.FINAL)) {
        reporter.error(Messages.finalClass(name), type);
      } else if (ElementFilter.constructorsIn(type.getEnclosedElements()).stream()
          .allMatch(c -> c.getModifiers().contains(Modifier.PRIVATE))) {
        reporter.error(Messages.noConstructor(name), type);
      }
    }
  }

  /**
   * The type's own methods in source order, then the inherited ones; none of Object's. The
   * inherited ones come in the order of a walk of the supertypes as declared (superclass, then
   * the interfaces as written, depth first), each supertype's methods in its own order: the order
   * of {@code Elements.getAllMembers} differs between JDKs, and the same sources must give the
   * same bytes on every JDK (issue 17 item 6). A method inherited from two supertypes with one
   * signature (a diamond) is taken once: the one that overrides the other, else the annotated
   * one, else the first of the walk.
   */
  private List<ExecutableElement> orderedMethods(TypeElement type) {
    List<ExecutableElement> own = ElementFilter.methodsIn(type.getEnclosedElements());
    java.util.Set<ExecutableElement> members = new java.util.HashSet<>(
        ElementFilter.methodsIn(elements.getAllMembers(type)));
    Map<String, ExecutableElement> inherited = new LinkedHashMap<>();
    java.util.Set<String> signatures = new java.util.HashSet<>();
    own.forEach(method -> signatures.add(signature(type, method)));
    for (TypeElement supertype : supertypes(type)) {
      for (ExecutableElement method : ElementFilter.methodsIn(supertype.getEnclosedElements())) {
        if (!members.contains(method)) {
          continue; // overridden, static in an interface, private, or not visible here
        }
        String signature = signature(type, method);
        if (signatures.contains(signature)) {
          continue;
        }
        ExecutableElement chosen = inherited.get(signature);
        if (chosen == null || elements.overrides(method, chosen, type)
            || !annotations.hasMethodAnnotation(chosen) && annotations.hasMethodAnnotation(method)
                && !elements.overrides(chosen, method, type)) {
          inherited.put(signature, method);
        }
      }
    }
    List<ExecutableElement> result = new ArrayList<>(own);
    result.addAll(inherited.values());
    return result;
  }

  /**
   * Whether javac knows the method's parameters only as {@code arg0, arg1, ...}: it was read from
   * a class file (a library jar, or a type an incremental build did not recompile) compiled
   * without {@code -parameters}, and, for a class, without {@code -g}.
   */
  private static boolean lacksParameterNames(ExecutableElement method) {
    List<? extends javax.lang.model.element.VariableElement> parameters = method.getParameters();
    for (int i = 0; i < parameters.size(); i++) {
      if (!parameters.get(i).getSimpleName().contentEquals("arg" + i)) {
        return false;
      }
    }
    return !parameters.isEmpty();
  }

  /** One error on the subtype for every inherited method whose parameter names are lost (issue 17 item 3). */
  private void reportMissingParameterNames(TypeElement type, List<ExecutableElement> nameless) {
    ExecutableElement first = nameless.get(0);
    StringBuilder method = new StringBuilder(first.getEnclosingElement().getSimpleName()).append('.')
        .append(first.getSimpleName()).append('(');
    for (int i = 0; i < first.getParameters().size(); i++) {
      method.append(i == 0 ? "" : ", ").append(types.erasure(first.getParameters().get(i).asType()));
    }
    method.append(')');
    if (nameless.size() > 1) {
      method.append(" and ").append(nameless.size() - 1).append(nameless.size() == 2 ? " more method" : " more methods");
    }
    java.util.Set<String> owners = new java.util.LinkedHashSet<>();
    nameless.forEach(m -> owners.add(((TypeElement) m.getEnclosingElement()).getQualifiedName().toString()));
    reporter.error(Messages.missingParameterNames(type.getSimpleName().toString(), method.toString(),
        String.join(", ", owners)), type);
  }

  /** The supertypes of a type, depth first in declaration order, each once; not Object. */
  private List<TypeElement> supertypes(TypeElement type) {
    List<TypeElement> result = new ArrayList<>();
    java.util.Set<String> visited = new java.util.HashSet<>();
    java.util.Deque<TypeMirror> work = new java.util.ArrayDeque<>();
    List<? extends TypeMirror> direct = types.directSupertypes(type.asType());
    for (int i = direct.size() - 1; i >= 0; i--) {
      work.push(direct.get(i));
    }
    while (!work.isEmpty()) {
      TypeMirror next = work.pop();
      if (!(next instanceof DeclaredType declared) || !(declared.asElement() instanceof TypeElement element)) {
        continue;
      }
      String name = element.getQualifiedName().toString();
      if (name.equals("java.lang.Object") || !visited.add(name)) {
        continue;
      }
      result.add(element);
      List<? extends TypeMirror> supers = types.directSupertypes(next);
      for (int i = supers.size() - 1; i >= 0; i--) {
        work.push(supers.get(i));
      }
    }
    return result;
  }

  /** A method's name and erased parameter types as members of {@code type}. */
  private String signature(TypeElement type, ExecutableElement method) {
    ExecutableType asMember = (ExecutableType) types.asMemberOf((DeclaredType) type.asType(), method);
    StringBuilder signature = new StringBuilder(method.getSimpleName()).append('(');
    for (TypeMirror parameter : asMember.getParameterTypes()) {
      signature.append(types.erasure(parameter)).append(',');
    }
    return signature.append(')').toString();
  }

  /* ---------------- Checks across methods ---------------- */

  private record Setting(String text, java.time.Duration value, String method, ExecutableElement element) {}

  /** One policy per cache: two methods may not give one cache different TTLs. */
  private List<CacheSettings> cacheSettings(List<MethodModel> models) {
    Map<String, Map<String, Setting>> byCache = new LinkedHashMap<>();
    for (MethodModel model : models) {
      if (model.operation() == Operation.INVALIDATE) {
        continue;
      }
      Map<String, Setting> settings = byCache.computeIfAbsent(model.cacheName(), n -> new HashMap<>());
      if (model.operation() != Operation.CACHED) {
        continue;
      }
      AnnotationMirror mirror = annotations.find(model.element(), Annotations.CACHED).orElseThrow();
      for (String attribute : List.of("ttl", "nullTtl", "localTtl", "refresh")) {
        String text = annotations.string(mirror, attribute);
        if (text.isEmpty()) {
          continue;
        }
        java.time.Duration value = Durations.parse(text).orElseThrow().toDuration();
        Setting earlier = settings.get(attribute);
        if (earlier == null) {
          settings.put(attribute, new Setting(text, value, model.name(), model.element()));
        } else if (!earlier.value().equals(value)) {
          reporter.error(Messages.conflictingSetting(model.cacheName(), attribute, text, earlier.text(),
              earlier.method()), model.element(), mirror, Annotations.explicitValue(mirror, attribute));
        }
      }
    }
    for (MethodModel model : models) {
      Map<String, Setting> settings = byCache.get(model.cacheName());
      if (model.operation() != Operation.CACHED || settings == null) {
        continue;
      }
      Setting refresh = settings.get("refresh");
      Setting ttl = settings.get("ttl");
      java.time.Duration ttlValue = ttl != null ? ttl.value() : java.time.Duration.ofHours(1);
      if (refresh != null && refresh.element().equals(model.element()) && refresh.value().compareTo(ttlValue) >= 0) {
        AnnotationMirror mirror = annotations.find(model.element(), Annotations.CACHED).orElseThrow();
        reporter.error(Messages.refreshNotShorterThanTtl(model.cacheName(), refresh.text(),
            ttl != null ? ttl.text() : "1h (the default)"), model.element(), mirror,
            Annotations.explicitValue(mirror, "refresh"));
      }
    }
    List<CacheSettings> result = new ArrayList<>();
    byCache.forEach((name, settings) -> result.add(new CacheSettings(name, parsed(settings.get("ttl")),
        parsed(settings.get("nullTtl")), parsed(settings.get("localTtl")), parsed(settings.get("refresh")))));
    return List.copyOf(result);
  }

  private static Durations.Parsed parsed(Setting setting) {
    return setting == null ? null : Durations.parse(setting.text()).orElseThrow();
  }

  /** Warns about an {@code @Invalidate} key that no cached key of the type can match. */
  private void warnUnmatchedInvalidations(TypeElement type, List<MethodModel> models) {
    for (MethodModel model : models) {
      if (model.operation() != Operation.INVALIDATE) {
        continue;
      }
      List<AnnotationMirror> mirrors = annotations.invalidations(model.element());
      for (int i = 0; i < model.invalidations().size(); i++) {
        ResolvedKey invalidation = model.invalidations().get(i);
        AnnotationMirror mirror = mirrors.get(i);
        String cache = annotations.string(mirror, "cache");
        boolean matches = false;
        for (MethodModel other : models) {
          if (other.key() != null && (cache.isEmpty() || cache.equals(other.cacheName()))
              && KeyShapes.overlap(invalidation, other.key())) {
            matches = true;
            break;
          }
        }
        if (!matches) {
          reporter.warning(Messages.invalidateMatchesNothing(invalidation.template(),
              type.getSimpleName().toString(), cache), model.element(), mirror,
              Annotations.explicitValue(mirror, "key"));
        }
      }
    }
  }
}
