package io.tiercache.processor;

import com.palantir.javapoet.ClassName;
import io.tiercache.processor.MethodModel.Operation;
import io.tiercache.processor.ServiceModel.CacheSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
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

  ServiceValidator(
      Elements elements,
      Types types,
      Reporter reporter,
      Annotations annotations,
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
      if (defaultCache.isEmpty()) {
        defaultCache = null; // settings only: each method names its cache
      } else if (!MethodValidator.CACHE_NAME.matcher(defaultCache).matches()) {
        reporter.error(
            Messages.badCacheName(defaultCache),
            type,
            defaults.get(),
            Annotations.explicitValue(defaults.get(), "cache"));
      }
    }
    Map<CacheAttribute, Setting> typeSettings = typeSettings(type, defaults);

    DeclaredType declared = (DeclaredType) type.asType();
    boolean isInterface = type.getKind() == ElementKind.INTERFACE;
    List<MethodModel> models = new ArrayList<>();
    List<ExecutableElement> passThrough = new ArrayList<>();
    List<ExecutableElement> nameless = new ArrayList<>();
    for (ExecutableElement method : orderedMethods(type)) {
      if (annotations.hasMethodAnnotation(method)) {
        if (!method.getEnclosingElement().equals(type) && lacksParameterNames(method)) {
          nameless.add(
              method); // its templates name parameters that javac cannot name: one error below
        } else {
          methods.validate(method, type, declared, defaultCache).ifPresent(models::add);
        }
      } else if (isInterface
          && !method.getModifiers().contains(Modifier.STATIC)
          && !method.getModifiers().contains(Modifier.PRIVATE)) {
        passThrough.add(method);
      }
    }
    if (!nameless.isEmpty()) {
      reportMissingParameterNames(type, nameless);
    }
    List<CacheSettings> caches = cacheSettings(type, typeSettings, models);
    warnUnmatchedInvalidations(type, models);
    collisions.check(type, models);
    if (reporter.errorCount() > before) {
      return Optional.empty();
    }

    List<ExecutableElement> constructors = new ArrayList<>();
    if (!isInterface) {
      for (ExecutableElement constructor :
          ElementFilter.constructorsIn(type.getEnclosedElements())) {
        if (!constructor.getModifiers().contains(Modifier.PRIVATE)) {
          constructors.add(constructor);
        }
      }
    }
    String pkg = elements.getPackageOf(type).getQualifiedName().toString();
    String flat = String.join("_", ClassName.get(type).simpleNames());
    return Optional.of(new ServiceModel(
        type,
        declared,
        ClassName.get(pkg, flat + "Keys"),
        ClassName.get(pkg, "Cached" + flat),
        isInterface,
        List.copyOf(models),
        List.copyOf(passThrough),
        List.copyOf(constructors),
        caches));
  }

  private static boolean isDecoratable(TypeElement type) {
    return (type.getKind() == ElementKind.INTERFACE || type.getKind() == ElementKind.CLASS)
        && (type.getNestingKind() == NestingKind.TOP_LEVEL
            || type.getNestingKind() == NestingKind.MEMBER);
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
      reporter.error(
          Messages.unsupportedType(
              name.isEmpty() ? "this class" : name, "a local or anonymous class"),
          type);
      return;
    }
    for (Element e = type; e instanceof TypeElement; e = e.getEnclosingElement()) {
      if (e.getModifiers().contains(Modifier.PRIVATE)) {
        reporter.error(Messages.privateType(name), type);
        break;
      }
    }
    if (kind == ElementKind.CLASS
        && type.getNestingKind() == NestingKind.MEMBER
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
    Set<ExecutableElement> members =
        new HashSet<>(ElementFilter.methodsIn(elements.getAllMembers(type)));
    Map<String, ExecutableElement> inherited = new LinkedHashMap<>();
    Set<String> signatures = new HashSet<>();
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
        if (chosen == null
            || elements.overrides(method, chosen, type)
            || !annotations.hasMethodAnnotation(chosen)
                && annotations.hasMethodAnnotation(method)
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
    List<? extends VariableElement> parameters = method.getParameters();
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
    StringBuilder method = new StringBuilder(first.getEnclosingElement().getSimpleName())
        .append('.')
        .append(first.getSimpleName())
        .append('(');
    for (int i = 0; i < first.getParameters().size(); i++) {
      method
          .append(i == 0 ? "" : ", ")
          .append(types.erasure(first.getParameters().get(i).asType()));
    }
    method.append(')');
    if (nameless.size() > 1) {
      method
          .append(" and ")
          .append(nameless.size() - 1)
          .append(nameless.size() == 2 ? " more method" : " more methods");
    }
    Set<String> owners = new LinkedHashSet<>();
    nameless.forEach(m ->
        owners.add(((TypeElement) m.getEnclosingElement()).getQualifiedName().toString()));
    reporter.error(
        Messages.missingParameterNames(
            type.getSimpleName().toString(), method.toString(), String.join(", ", owners)),
        type);
  }

  /** The supertypes of a type, depth first in declaration order, each once; not Object. */
  private List<TypeElement> supertypes(TypeElement type) {
    List<TypeElement> result = new ArrayList<>();
    Set<String> visited = new HashSet<>();
    Deque<TypeMirror> work = new ArrayDeque<>();
    List<? extends TypeMirror> direct = types.directSupertypes(type.asType());
    for (int i = direct.size() - 1; i >= 0; i--) {
      work.push(direct.get(i));
    }
    while (!work.isEmpty()) {
      TypeMirror next = work.pop();
      if (!(next instanceof DeclaredType declared)
          || !(declared.asElement() instanceof TypeElement element)) {
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
    ExecutableType asMember =
        (ExecutableType) types.asMemberOf((DeclaredType) type.asType(), method);
    StringBuilder signature = new StringBuilder(method.getSimpleName()).append('(');
    for (TypeMirror parameter : asMember.getParameterTypes()) {
      signature.append(types.erasure(parameter)).append(',');
    }
    return signature.append(')').toString();
  }

  /* ---------------- Checks across methods ---------------- */

  /**
   * Where a cache setting was given.
   *
   * @param value the value
   * @param source how messages name it within the type: {@code info()}, {@code @CacheDefaults}
   * @param qualifiedSource how messages name it from another type: {@code Svc.info()},
   *     {@code @CacheDefaults of Svc}
   * @param element the method or type that carries the annotation
   * @param mirror the annotation
   */
  private record Setting(
      CacheAttribute.Value value,
      String source,
      String qualifiedSource,
      Element element,
      AnnotationMirror mirror) {}

  /** The settings the type's {@code @CacheDefaults} gives, after reporting those not allowed. */
  private Map<CacheAttribute, Setting> typeSettings(
      TypeElement type, Optional<AnnotationMirror> defaults) {
    Map<CacheAttribute, Setting> settings = new EnumMap<>(CacheAttribute.class);
    if (defaults.isEmpty()) {
      return settings;
    }
    for (CacheAttribute attribute : CacheAttribute.values()) {
      AnnotationValue written = Annotations.explicitValue(defaults.get(), attribute.attribute);
      try {
        attribute
            .parse(written)
            .ifPresent(value -> settings.put(
                attribute,
                new Setting(
                    value,
                    "@CacheDefaults",
                    "@CacheDefaults of " + type.getSimpleName(),
                    type,
                    defaults.get())));
      } catch (CacheAttribute.InvalidException e) {
        reporter.error(e.getMessage(), type, defaults.get(), written);
      }
    }
    return settings;
  }

  /**
   * One policy per cache: the settings of each cache the type uses, from its {@code @Cached}
   * methods, then from {@code @CacheDefaults} for what no method sets. Two methods that give one
   * cache different values, or a type that gives a cache another value than a type processed
   * before, are errors.
   */
  private List<CacheSettings> cacheSettings(
      TypeElement type, Map<CacheAttribute, Setting> typeSettings, List<MethodModel> models) {
    Map<String, Map<CacheAttribute, Setting>> byCache = new LinkedHashMap<>();
    for (MethodModel model : models) {
      if (model.operation() == Operation.INVALIDATE) {
        continue;
      }
      Map<CacheAttribute, Setting> settings =
          byCache.computeIfAbsent(model.cacheName(), n -> new EnumMap<>(CacheAttribute.class));
      if (model.operation() != Operation.CACHED) {
        continue;
      }
      AnnotationMirror mirror =
          annotations.find(model.element(), Annotations.CACHED).orElseThrow();
      for (CacheAttribute attribute : CacheAttribute.values()) {
        AnnotationValue written = Annotations.explicitValue(mirror, attribute.attribute);
        Optional<CacheAttribute.Value> value;
        try {
          value = attribute.parse(written);
        } catch (CacheAttribute.InvalidException e) {
          continue; // reported by MethodValidator
        }
        if (value.isEmpty()) {
          continue;
        }
        Setting earlier = settings.get(attribute);
        if (earlier == null) {
          Element declaring = model.element().getEnclosingElement();
          settings.put(
              attribute,
              new Setting(
                  value.get(),
                  model.name() + "()",
                  declaring.getSimpleName() + "." + model.name() + "()",
                  model.element(),
                  mirror));
        } else if (!earlier.value().value().equals(value.get().value())) {
          reporter.error(
              Messages.conflictingSettingFrom(
                  model.cacheName(),
                  attribute.attribute,
                  value.get().text(),
                  earlier.value().text(),
                  earlier.source()),
              model.element(),
              mirror,
              written);
        }
      }
    }
    byCache.values().forEach(settings -> typeSettings.forEach(settings::putIfAbsent));
    byCache.forEach((cache, settings) -> checkRefresh(cache, settings));
    crossTypeSettings(type, byCache);
    List<CacheSettings> result = new ArrayList<>();
    byCache.forEach((name, settings) -> {
      Map<CacheAttribute, CacheAttribute.Value> values = new EnumMap<>(CacheAttribute.class);
      settings.forEach((attribute, setting) -> values.put(attribute, setting.value()));
      result.add(new CacheSettings(name, Collections.unmodifiableMap(values)));
    });
    return List.copyOf(result);
  }

  /** A refresh not shorter than the TTL would reload keys after they expired. */
  private void checkRefresh(String cache, Map<CacheAttribute, Setting> settings) {
    Setting refresh = settings.get(CacheAttribute.REFRESH);
    Setting ttl = settings.get(CacheAttribute.TTL);
    Duration ttlValue = ttl != null ? (Duration) ttl.value().value() : Duration.ofHours(1);
    if (refresh != null && ((Duration) refresh.value().value()).compareTo(ttlValue) >= 0) {
      reporter.error(
          Messages.refreshNotShorterThanTtl(
              cache, refresh.value().text(), ttl != null ? ttl.value().text() : "1h (the default)"),
          refresh.element(),
          refresh.mirror(),
          Annotations.explicitValue(refresh.mirror(), "refresh"));
    }
  }

  /** Each cache's settings by the types of this compilation that gave them, across rounds. */
  private final Map<String, Map<CacheAttribute, Setting>> settingsSeen = new HashMap<>();
  /** The type each entry of {@link #settingsSeen} came from. */
  private final Map<Setting, TypeElement> settingOwners = new IdentityHashMap<>();

  /** Two types of one compilation may not give one cache different values for a setting. */
  private void crossTypeSettings(
      TypeElement type, Map<String, Map<CacheAttribute, Setting>> byCache) {
    byCache.forEach((cache, settings) -> {
      Map<CacheAttribute, Setting> seen =
          settingsSeen.computeIfAbsent(cache, c -> new EnumMap<>(CacheAttribute.class));
      settings.forEach((attribute, setting) -> {
        Setting earlier = seen.get(attribute);
        if (earlier == null) {
          seen.put(attribute, setting);
          settingOwners.put(setting, type);
        } else if (!settingOwners.get(earlier).equals(type)
            && !earlier.value().value().equals(setting.value().value())) {
          String message = Messages.conflictingSettingFrom(
              cache,
              attribute.attribute,
              setting.value().text(),
              earlier.value().text(),
              earlier.qualifiedSource());
          boolean ownAnnotation = setting.element().equals(type)
              || setting.element().getEnclosingElement().equals(type);
          if (ownAnnotation) {
            reporter.error(
                message,
                setting.element(),
                setting.mirror(),
                Annotations.explicitValue(setting.mirror(), attribute.attribute));
          } else {
            reporter.error(message, type); // inherited from a supertype
          }
        }
      });
    });
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
          if (other.key() != null
              && (cache.isEmpty() || cache.equals(other.cacheName()))
              && KeyShapes.overlap(invalidation, other.key())) {
            matches = true;
            break;
          }
        }
        if (!matches) {
          reporter.warning(
              Messages.invalidateMatchesNothing(
                  invalidation.template(), type.getSimpleName().toString(), cache),
              model.element(),
              mirror,
              Annotations.explicitValue(mirror, "key"));
        }
      }
    }
  }
}
