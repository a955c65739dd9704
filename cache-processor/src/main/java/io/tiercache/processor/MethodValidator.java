package io.tiercache.processor;

import io.tiercache.processor.MethodModel.Bulk;
import io.tiercache.processor.MethodModel.Operation;
import io.tiercache.processor.MethodModel.ReturnKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.ExecutableType;
import javax.lang.model.type.PrimitiveType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Validates one annotated method and builds its {@link MethodModel}: operation, modifiers,
 * return type, cache name, durations, and each key template resolved against the parameters.
 * Reports every problem it finds; returns empty if there was any.
 */
final class MethodValidator {

  /** The runtime's rule for cache names: {@code __} starts Tiercache's own names. */
  static final Pattern CACHE_NAME = Pattern.compile("(?!__)[A-Za-z0-9._-]+");

  /** Types whose {@code toString()} is a stable, documented text form. */
  private static final Set<String> STABLE_TYPES = Set.of(
      "java.lang.Boolean",
      "java.lang.Byte",
      "java.lang.Short",
      "java.lang.Integer",
      "java.lang.Long",
      "java.lang.Float",
      "java.lang.Double",
      "java.lang.Character",
      "java.util.UUID",
      "java.math.BigInteger",
      "java.math.BigDecimal",
      "java.time.Instant",
      "java.time.LocalDate",
      "java.time.LocalDateTime",
      "java.time.LocalTime",
      "java.time.OffsetDateTime",
      "java.time.OffsetTime",
      "java.time.ZonedDateTime",
      "java.time.Year",
      "java.time.YearMonth",
      "java.time.MonthDay",
      "java.time.Duration",
      "java.time.Period",
      "java.time.ZoneId",
      "java.time.ZoneOffset");

  private final Elements elements;
  private final Types types;
  private final Reporter reporter;
  private final Annotations annotations;

  MethodValidator(Elements elements, Types types, Reporter reporter, Annotations annotations) {
    this.elements = elements;
    this.types = types;
    this.reporter = reporter;
    this.annotations = annotations;
  }

  /**
   * Validates a method of {@code owner} that carries at least one Tiercache annotation.
   *
   * @param defaultCache the type's {@code @CacheDefaults} cache, or null
   */
  Optional<MethodModel> validate(
      ExecutableElement method, TypeElement owner, DeclaredType ownerType, String defaultCache) {
    int before = reporter.errorCount();
    String name = method.getSimpleName().toString();
    Optional<AnnotationMirror> cached = annotations.find(method, Annotations.CACHED);
    Optional<AnnotationMirror> put = annotations.find(method, Annotations.CACHE_PUT);
    List<AnnotationMirror> invalidations = annotations.invalidations(method);
    List<AnnotationMirror> operations = new ArrayList<>();
    cached.ifPresent(operations::add);
    put.ifPresent(operations::add);
    if (!invalidations.isEmpty()) {
      operations.add(invalidations.get(0));
    }
    if (operations.size() > 1) {
      reporter.error(
          Messages.conflictingAnnotations(
              name,
              Annotations.simpleName(operations.get(0)),
              Annotations.simpleName(operations.get(1))),
          method,
          operations.get(1));
      return Optional.empty();
    }
    AnnotationMirror primary = operations.get(0);
    Operation operation = cached.isPresent()
        ? Operation.CACHED
        : put.isPresent() ? Operation.PUT : Operation.INVALIDATE;
    String annotation = operation.annotation;

    Set<Modifier> modifiers = method.getModifiers();
    for (Modifier modifier : List.of(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)) {
      if (modifiers.contains(modifier)) {
        reporter.error(
            Messages.badMethodModifier(annotation, modifier.toString(), name), method, primary);
      }
    }
    if (owner.getKind() == ElementKind.CLASS && modifiers.contains(Modifier.ABSTRACT)) {
      reporter.error(Messages.abstractInClass(annotation, name), method, primary);
    }
    if (!method.getTypeParameters().isEmpty()) {
      reporter.error(Messages.genericMethod(annotation, name), method, primary);
      return Optional.empty();
    }

    ExecutableType type = (ExecutableType) types.asMemberOf(ownerType, method);
    List<String> paramNames = new ArrayList<>();
    for (VariableElement parameter : method.getParameters()) {
      paramNames.add(parameter.getSimpleName().toString());
    }
    List<? extends TypeMirror> paramTypes = type.getParameterTypes();

    // Return type and value type.
    TypeMirror returnType = type.getReturnType();
    ReturnKind returnKind = ReturnKind.VALUE;
    TypeMirror valueType = returnType;
    if (returnType.getKind() == TypeKind.VOID) {
      returnKind = ReturnKind.VOID;
      valueType = null;
      if (operation != Operation.INVALIDATE) {
        reporter.error(Messages.voidResult(annotation, name), method, primary);
      }
    } else if (returnType.getKind() == TypeKind.DECLARED) {
      DeclaredType declared = (DeclaredType) returnType;
      String qualified = qualifiedName(declared);
      List<? extends TypeMirror> args = declared.getTypeArguments();
      switch (qualified) {
        case "java.util.Optional" -> returnKind = ReturnKind.OPTIONAL;
        case "java.util.concurrent.CompletableFuture" -> returnKind = ReturnKind.FUTURE;
        case "java.util.concurrent.CompletionStage" -> returnKind = ReturnKind.STAGE;
        default -> {}
      }
      if (returnKind != ReturnKind.VALUE) {
        valueType = args.size() == 1 ? args.get(0) : null;
      }
    }
    if (operation != Operation.INVALIDATE
        && returnKind != ReturnKind.VOID
        && !cacheable(valueType, returnKind)) {
      if (unresolved(returnType)) {
        reporter.errorAlreadyReported();
      } else {
        reporter.error(Messages.unsupportedReturn(name, returnType.toString()), method, primary);
      }
    }

    if (operation == Operation.CACHED) {
      for (TypeMirror thrown : type.getThrownTypes()) {
        if (!isUnchecked(thrown)) {
          reporter.error(Messages.checkedException(name, thrown.toString()), method, primary);
        }
      }
    }

    // Cache name and durations.
    String cacheName = null;
    if (operation != Operation.INVALIDATE) {
      String written = annotations.string(primary, "cache");
      cacheName = written.isEmpty() ? defaultCache : written;
      if (cacheName == null || cacheName.isEmpty()) {
        reporter.error(
            Messages.missingCache(annotation, name, owner.getSimpleName().toString()),
            method,
            primary);
      } else if (!written.isEmpty() && !CACHE_NAME.matcher(written).matches()) {
        reporter.error(
            Messages.badCacheName(written),
            method,
            primary,
            Annotations.explicitValue(primary, "cache"));
      }
    }
    if (operation == Operation.CACHED) {
      for (CacheAttribute attribute : CacheAttribute.values()) {
        AnnotationValue written = Annotations.explicitValue(primary, attribute.attribute);
        try {
          attribute.parse(written);
        } catch (CacheAttribute.InvalidException e) {
          reporter.error(e.getMessage(), method, primary, written);
        }
      }
    }

    // Keys.
    String pkg = elements.getPackageOf(owner).getQualifiedName().toString();
    ResolvedKey key = null;
    Bulk bulk = null;
    List<ResolvedKey> invalidationKeys = new ArrayList<>();
    if (operation != Operation.INVALIDATE) {
      key = resolve(primary, operation, method, paramNames, paramTypes, pkg).orElse(null);
      ResolvedKey.Segment bulkSegment = key == null ? null : key.bulkSegment();
      if (bulkSegment != null) {
        TypeMirror collection = paramTypes.get(paramNames.indexOf(bulkSegment.param()));
        TypeMirror element = collectionElement(collection);
        bulk = bulk(bulkSegment.param(), collection, element, returnType, returnKind);
        if (bulk == null) {
          reporter.error(
              Messages.unmappableReturn(
                  key.template(),
                  bulkSegment.param(),
                  name,
                  element.toString(),
                  returnType.toString()),
              method,
              primary,
              Annotations.explicitValue(primary, "key"));
        } else {
          DeclaredType declared = (DeclaredType) returnType;
          valueType = declared.getTypeArguments().get(bulk.returnsMap() ? 1 : 0);
        }
      }
    } else {
      for (AnnotationMirror invalidation : invalidations) {
        String written = annotations.string(invalidation, "cache");
        if (!written.isEmpty() && !CACHE_NAME.matcher(written).matches()) {
          reporter.error(
              Messages.badCacheName(written),
              method,
              invalidation,
              Annotations.explicitValue(invalidation, "cache"));
        }
        resolve(invalidation, operation, method, paramNames, paramTypes, pkg)
            .ifPresent(invalidationKeys::add);
      }
    }

    if (reporter.errorCount() > before) {
      return Optional.empty();
    }
    return Optional.of(new MethodModel(
        method,
        type,
        operation,
        cacheName,
        key,
        List.copyOf(invalidationKeys),
        returnKind,
        valueType,
        bulk));
  }

  /* ---------------- Templates ---------------- */

  private Optional<ResolvedKey> resolve(
      AnnotationMirror mirror,
      Operation operation,
      ExecutableElement method,
      List<String> paramNames,
      List<? extends TypeMirror> paramTypes,
      String pkg) {
    String template = annotations.string(mirror, "key");
    AnnotationValue keyValue = Annotations.explicitValue(mirror, "key");
    KeyTemplate parsed;
    try {
      parsed = KeyTemplate.parse(template, operation == Operation.INVALIDATE);
    } catch (KeyTemplate.SyntaxException e) {
      reporter.error(Messages.badTemplate(template, e.getMessage()), method, mirror, keyValue);
      return Optional.empty();
    } catch (KeyTemplate.WildcardException e) {
      reporter.error(
          Messages.wildcardNotAllowed(template, operation.annotation), method, mirror, keyValue);
      return Optional.empty();
    }
    boolean ok = true;
    List<ResolvedKey.Part> parts = new ArrayList<>();
    for (KeyTemplate.Part part : parsed.parts()) {
      if (part instanceof KeyTemplate.Literal literal) {
        parts.add(new ResolvedKey.Text(literal.text()));
      } else if (part instanceof KeyTemplate.Wildcard) {
        parts.add(new ResolvedKey.Wildcard());
      } else if (part instanceof KeyTemplate.Placeholder placeholder) {
        ResolvedKey.Segment segment = segment(
            placeholder,
            template,
            operation,
            method,
            paramNames,
            paramTypes,
            pkg,
            mirror,
            keyValue);
        if (segment == null) {
          ok = false;
        } else {
          parts.add(segment);
        }
      }
    }
    return ok ? Optional.of(new ResolvedKey(template, List.copyOf(parts))) : Optional.empty();
  }

  private ResolvedKey.Segment segment(
      KeyTemplate.Placeholder placeholder,
      String template,
      Operation operation,
      ExecutableElement method,
      List<String> paramNames,
      List<? extends TypeMirror> paramTypes,
      String pkg,
      AnnotationMirror mirror,
      AnnotationValue keyValue) {
    int index = paramNames.indexOf(placeholder.param());
    if (index < 0) {
      reporter.error(
          Messages.unknownParameter(
              template, placeholder.source(), method.getSimpleName().toString(), paramNames),
          method,
          mirror,
          keyValue);
      return null;
    }
    TypeMirror type = paramTypes.get(index);
    String described = placeholder.param();
    if (placeholder.bulk()) {
      if (operation != Operation.CACHED) {
        reporter.error(
            Messages.badTemplate(
                template, String.format(Messages.BULK_NOT_ALLOWED, operation.annotation)),
            method,
            mirror,
            keyValue);
        return null;
      }
      TypeMirror element = collectionElement(type);
      if (element == null) {
        reporter.error(
            Messages.bulkNotCollection(template, placeholder.param(), type.toString()),
            method,
            mirror,
            keyValue);
        return null;
      }
      type = element;
      described += "[]";
    }
    List<String> accessors = new ArrayList<>();
    for (String property : placeholder.path()) {
      Accessor accessor = property(type, property, pkg);
      if (accessor == null && unresolved(type)) {
        reporter.errorAlreadyReported();
        return null;
      }
      if (accessor == null) {
        reporter.error(
            Messages.unknownProperty(template, described, type.toString(), property, pkg),
            method,
            mirror,
            keyValue);
        return null;
      }
      accessors.add(accessor.code());
      type = accessor.type();
      described += "." + property;
    }
    if (!placeholder.hash() && !isStable(type)) {
      if (unresolved(type)) {
        reporter.errorAlreadyReported();
      } else {
        reporter.error(
            Messages.unstableSegment(template, described, type.toString()),
            method,
            mirror,
            keyValue);
      }
      return null;
    }
    boolean direct =
        !placeholder.hash() && type.getKind().isPrimitive() && type.getKind() != TypeKind.CHAR;
    TypeMirror written = type.getKind().isPrimitive()
        ? types.boxedClass((PrimitiveType) type).asType()
        : types.erasure(type);
    return new ResolvedKey.Segment(
        placeholder.param(),
        List.copyOf(accessors),
        placeholder.hash(),
        placeholder.bulk(),
        direct,
        written.toString());
  }

  /** A getter, record accessor or field that reads one property. */
  private record Accessor(String code, TypeMirror type) {}

  private Accessor property(TypeMirror type, String property, String pkg) {
    if (type.getKind() != TypeKind.DECLARED) {
      return null;
    }
    DeclaredType declared = (DeclaredType) type;
    List<? extends Element> members = elements.getAllMembers((TypeElement) declared.asElement());
    String capital = Character.toUpperCase(property.charAt(0)) + property.substring(1);
    for (String candidate : List.of("get" + capital, "is" + capital, property)) {
      for (Element member : members) {
        if (member.getKind() != ElementKind.METHOD
            || !member.getSimpleName().contentEquals(candidate)
            || member.getModifiers().contains(Modifier.STATIC)
            || !accessible(member, pkg)
            || !((ExecutableElement) member).getParameters().isEmpty()
            || !((ExecutableElement) member)
                .getThrownTypes().stream().allMatch(this::isUnchecked)) {
          continue; // a key builder cannot throw a checked exception
        }
        TypeMirror result = ((ExecutableType) types.asMemberOf(declared, member)).getReturnType();
        if (result.getKind() == TypeKind.VOID
            || (candidate.startsWith("is") && !candidate.equals(property) && !isBoolean(result))) {
          continue;
        }
        return new Accessor(candidate + "()", result);
      }
    }
    for (Element member : members) {
      if (member.getKind() == ElementKind.FIELD
          && member.getSimpleName().contentEquals(property)
          && !member.getModifiers().contains(Modifier.STATIC)
          && accessible(member, pkg)) {
        return new Accessor(property, types.asMemberOf(declared, member));
      }
    }
    return null;
  }

  /** Whether a type, or one of its type arguments, is one javac could not resolve. */
  private static boolean unresolved(TypeMirror type) {
    if (type == null) {
      return false;
    }
    if (type.getKind() == TypeKind.ERROR) {
      return true;
    }
    return type instanceof DeclaredType declared
        && declared.getTypeArguments().stream().anyMatch(MethodValidator::unresolved);
  }

  private boolean accessible(Element member, String pkg) {
    Set<Modifier> modifiers = member.getModifiers();
    if (modifiers.contains(Modifier.PUBLIC)) {
      return true;
    }
    return !modifiers.contains(Modifier.PRIVATE)
        && elements.getPackageOf(member).getQualifiedName().contentEquals(pkg);
  }

  private static boolean isBoolean(TypeMirror type) {
    return type.getKind() == TypeKind.BOOLEAN
        || (type.getKind() == TypeKind.DECLARED
            && qualifiedName((DeclaredType) type).equals("java.lang.Boolean"));
  }

  /** Whether the type's text form is stable: primitives, boxes, strings, enums, value types. */
  boolean isStable(TypeMirror type) {
    if (type.getKind().isPrimitive()) {
      return true;
    }
    if (type.getKind() != TypeKind.DECLARED) {
      return false;
    }
    TypeElement element = (TypeElement) ((DeclaredType) type).asElement();
    if (element.getKind() == ElementKind.ENUM
        || STABLE_TYPES.contains(element.getQualifiedName().toString())) {
      return true;
    }
    TypeElement charSequence = elements.getTypeElement("java.lang.CharSequence");
    return charSequence != null && types.isAssignable(types.erasure(type), charSequence.asType());
  }

  /* ---------------- Types ---------------- */

  /** The element type of a {@code Collection}, {@code List} or {@code Set}; null for other types. */
  private TypeMirror collectionElement(TypeMirror type) {
    if (type.getKind() != TypeKind.DECLARED) {
      return null;
    }
    DeclaredType declared = (DeclaredType) type;
    String name = qualifiedName(declared);
    if (!name.equals("java.util.Collection")
            && !name.equals("java.util.List")
            && !name.equals("java.util.Set")
        || declared.getTypeArguments().size() != 1) {
      return null;
    }
    TypeMirror argument = declared.getTypeArguments().get(0);
    if (argument.getKind() == TypeKind.WILDCARD) {
      TypeMirror bound = ((WildcardType) argument).getExtendsBound();
      return bound != null ? bound : elements.getTypeElement("java.lang.Object").asType();
    }
    return argument;
  }

  private Bulk bulk(
      String param,
      TypeMirror collection,
      TypeMirror element,
      TypeMirror returnType,
      ReturnKind returnKind) {
    if (returnKind != ReturnKind.VALUE || returnType.getKind() != TypeKind.DECLARED) {
      return null;
    }
    boolean set = qualifiedName((DeclaredType) collection).equals("java.util.Set");
    DeclaredType declared = (DeclaredType) returnType;
    List<? extends TypeMirror> args = declared.getTypeArguments();
    String name = qualifiedName(declared);
    if (name.equals("java.util.Map")
        && args.size() == 2
        && types.isSameType(args.get(0), element)
        && isConcrete(args.get(1))) {
      return new Bulk(param, element, set, true);
    }
    if (name.equals("java.util.List") && args.size() == 1 && isConcrete(args.get(0))) {
      return new Bulk(param, element, set, false);
    }
    return null;
  }

  private boolean cacheable(TypeMirror valueType, ReturnKind kind) {
    if (valueType == null || !isConcrete(valueType)) {
      return false;
    }
    if (valueType.getKind() == TypeKind.DECLARED) {
      String name = qualifiedName((DeclaredType) valueType);
      if (name.equals("java.lang.Void")
          || name.startsWith("java.util.Optional")
          || name.equals("java.util.concurrent.CompletableFuture")
          || name.equals("java.util.concurrent.CompletionStage")) {
        return false;
      }
    }
    return true;
  }

  /** Whether the type is fully known: no type variable or top-level wildcard. */
  private boolean isConcrete(TypeMirror type) {
    switch (type.getKind()) {
      case BOOLEAN, BYTE, SHORT, INT, LONG, CHAR, FLOAT, DOUBLE:
        return true;
      case ARRAY:
        return isConcrete(((ArrayType) type).getComponentType());
      case DECLARED:
        for (TypeMirror argument : ((DeclaredType) type).getTypeArguments()) {
          if (argument.getKind() == TypeKind.WILDCARD) {
            WildcardType wildcard = (WildcardType) argument;
            if (wildcard.getExtendsBound() != null && !isConcrete(wildcard.getExtendsBound())
                || wildcard.getSuperBound() != null && !isConcrete(wildcard.getSuperBound())) {
              return false;
            }
          } else if (!isConcrete(argument)) {
            return false;
          }
        }
        return true;
      default:
        return false;
    }
  }

  private boolean isUnchecked(TypeMirror thrown) {
    TypeElement runtime = elements.getTypeElement("java.lang.RuntimeException");
    TypeElement error = elements.getTypeElement("java.lang.Error");
    return types.isSubtype(thrown, runtime.asType()) || types.isSubtype(thrown, error.asType());
  }

  static String qualifiedName(DeclaredType type) {
    return ((TypeElement) type.asElement()).getQualifiedName().toString();
  }
}
