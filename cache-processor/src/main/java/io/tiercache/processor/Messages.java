package io.tiercache.processor;

import java.util.List;

/**
 * Every message the processor reports. Each starts with {@link #TAG} and says what to do; the
 * tests build the expected text with the same methods.
 */
public final class Messages {

  /** The tag every message starts with. */
  public static final String TAG = "[tiercache] ";

  /** Unknown parameter: template, placeholder, method, parameter names. */
  public static final String UNKNOWN_PARAMETER =
      TAG + "key \"%s\": {%s} names no parameter of %s(): use one of its parameters (%s), by the "
          + "name written in the source";
  /** Unknown property: template, path so far, type, property, package. */
  public static final String UNKNOWN_PROPERTY =
      TAG + "key \"%s\": %s (%s) has no property '%s': add a getter get%s() or is%s(), a record "
          + "component or accessor %s(), or a public field %s, accessible from package %s and "
          + "throwing no checked exception";
  /** {@code *} outside @Invalidate: template, annotation. */
  public static final String WILDCARD_NOT_ALLOWED =
      TAG + "key \"%s\": '*' is only allowed in @Invalidate; a @%s entry needs one exact key, so "
          + "name every variable segment with a {parameter}";
  /** Template syntax: template, what is wrong. */
  public static final String BAD_TEMPLATE = TAG + "key \"%s\": %s";
  /** A literal character outside the allowed set. */
  public static final String BAD_LITERAL =
      "character '%s' is not allowed in literal text: use letters, digits, '-', '_', '.', '~', "
          + "'@', '+', '=', ',', '/' and ':'";
  /** Unclosed brace. */
  public static final String UNCLOSED_PLACEHOLDER = "'{' is not closed: write {parameter}";
  /** Closing brace without opening. */
  public static final String UNOPENED_PLACEHOLDER = "'}' has no matching '{'";
  /** Empty key. */
  public static final String EMPTY_KEY =
      "the key is empty: write a template such as project:{id}:info";
  /** Malformed placeholder: its text. */
  public static final String BAD_PLACEHOLDER =
      "{%s} is not a placeholder: write {param}, {param.property}, {param#hash} or {param[]}";
  /** {x[]} twice. */
  public static final String BULK_TWICE = "only one {x[]} placeholder is allowed per key";
  /** A template starting with {@code __}. */
  public static final String RESERVED_PREFIX =
      "a key starting with '__' is reserved for Tiercache's own data (leases, streams, toolkit state): "
          + "start it with another segment";
  /** Two placeholders without a ':' between them: first, second, first, second. */
  public static final String UNSEPARATED =
      "{%s} and {%s} are not separated by ':': a value may hold any other character, so two "
          + "different arguments could make one key (\"1\" + \"23\" and \"12\" + \"3\"); put a ':' "
          + "between them, as in {%s}:{%s}";
  /** {x[]} outside @Cached: annotation. */
  public static final String BULK_NOT_ALLOWED =
      "{x[]} is only allowed in @Cached, not in @%s: give each element its own call, or use a "
          + "pattern with '*' in @Invalidate";
  /** Segment without a stable text form: template, placeholder, type, placeholder base, base. */
  public static final String UNSTABLE_SEGMENT =
      TAG + "key \"%s\": {%s} has type %s, which has no stable text form: use {%s.property} for "
          + "one of its properties, or {%s#hash} for a hash of its JSON";
  /** {x[]} on a parameter that is no collection: template, placeholder, type. */
  public static final String BULK_NOT_COLLECTION =
      TAG + "key \"%s\": {%s[]} needs a parameter of type Collection<E>, List<E> or Set<E>, not %s";
  /** Return type that {x[]} cannot map back: template, placeholder, method, element, actual. */
  public static final String UNMAPPABLE_RETURN =
      TAG + "key \"%s\": {%s[]} makes one key per element, so %s() must return Map<%s, V> keyed "
          + "by the elements or List<V> with one value per element, not %s";
  /** @Cached or @CachePut on void: annotation, method. */
  public static final String VOID_RESULT =
      TAG + "@%s on void method %s(): there is no result to cache; return the value, or use "
          + "@Invalidate to remove keys";
  /** Unsupported return type: method, type. */
  public static final String UNSUPPORTED_RETURN =
      TAG + "%s() returns %s, which cannot be cached: return the value, Optional<T>, "
          + "CompletableFuture<T> or CompletionStage<T> of a concrete type T";
  /** Private, static or final method: annotation, modifier, method. */
  public static final String BAD_METHOD_MODIFIER =
      TAG + "@%s on %s method %s(): the generated decorator must override it; make it "
          + "non-private, non-static and non-final";
  /** Abstract method in a class: annotation, method. */
  public static final String ABSTRACT_IN_CLASS =
      TAG + "@%s on abstract method %s() of a class: the generated subclass calls super.%s(), "
          + "which has no body; annotate the implementing method, or an interface";
  /** Generic method: annotation, method. */
  public static final String GENERIC_METHOD =
      TAG + "@%s on generic method %s(): the key and value types must be known at compile time; "
          + "remove the type parameters or cache a non-generic method that calls it";
  /** Checked exception: method, exception. */
  public static final String CHECKED_EXCEPTION =
      TAG + "@Cached method %s() declares %s: it runs inside the cache's loader, which cannot "
          + "throw checked exceptions; throw an unchecked exception instead";
  /** Final class: type. */
  public static final String FINAL_CLASS =
      TAG + "%s is final: the generated decorator extends it; remove 'final', or annotate an "
          + "interface that it implements";
  /** Two types whose generated names are the same: type, other type, generated name. */
  public static final String GENERATED_NAME_CLASH = TAG
      + "%s and %s would both generate %s (nested names are joined with '_'): rename one of them";

  /** {@link #GENERATED_NAME_CLASH}. */
  public static String generatedNameClash(String type, String other, String generated) {
    return String.format(GENERATED_NAME_CLASH, type, other, generated);
  }

  /** Sealed type: type. */
  public static final String SEALED_TYPE =
      TAG + "%s is sealed: the generated decorator can neither extend nor implement it; annotate a "
          + "non-sealed interface, or remove 'sealed'";
  /** Private type: type. */
  public static final String PRIVATE_TYPE =
      TAG + "%s is private: the generated classes next to it must see it; make it package-private "
          + "or public";
  /** Inner (non-static) class: type. */
  public static final String INNER_CLASS =
      TAG + "%s is an inner class: the generated decorator cannot extend it; make it static";
  /**
   * Inherited annotated methods read from a class file without parameter names: type, methods,
   * their declaring types, type.
   */
  public static final String MISSING_PARAMETER_NAMES = TAG
      + "%s inherits the annotated %s from a class file without parameter names (javac reads them "
      + "as arg0, arg1, ...), so the key templates cannot name them: compile %s with -parameters "
      + "(Maven: <parameters>true</parameters> in the maven-compiler-plugin configuration; Gradle: "
      + "options.compilerArgs.add(\"-parameters\")), or in the same compilation as %s";
  /** Generic type: type. */
  public static final String GENERIC_TYPE =
      TAG + "%s has type parameters, so nothing is generated for it: its annotated methods are "
          + "checked and decorated in each non-generic subtype that carries @CacheDefaults or an "
          + "annotation of its own, such as '@CacheDefaults(cache = \"projects\") interface ProjectRepo "
          + "extends Repo<Project> {}'";
  /** Enum, record, annotation, local or anonymous class: type, kind. */
  public static final String UNSUPPORTED_TYPE =
      TAG + "%s is %s, which the generated decorator cannot extend: annotate an interface or a "
          + "non-final top-level or static nested class";
  /** No accessible constructor: type. */
  public static final String NO_CONSTRUCTOR =
      TAG + "%s has no non-private constructor: the generated decorator extends it; add a "
          + "package-private, protected or public constructor";
  /** Two operations on one method: method, first, second. */
  public static final String CONFLICTING_ANNOTATIONS =
      TAG + "%s() carries both @%s and @%s: a method either reads (@Cached), writes (@CachePut) "
          + "or removes (@Invalidate) entries; split it into two methods";
  /** Unparseable duration: attribute, value. */
  public static final String BAD_DURATION =
      TAG + "%s = \"%s\" is not a duration: write a positive whole number and a unit, such as "
          + "500ms, 90s, 30m, 2h or 1d";
  /** A cache setting out of range: attribute, value, attribute, rule. */
  public static final String BAD_SETTING = TAG + "%s = %s is not allowed: %s %s";
  /** Bad cache name: name. */
  public static final String BAD_CACHE_NAME = TAG
      + "cache \"%s\" is not a valid cache name: use letters, digits, '.', '_' or '-', not starting with '__'";
  /** No cache name: annotation, method, type. */
  public static final String MISSING_CACHE =
      TAG + "@%s on %s() names no cache: set cache = \"...\", or put @CacheDefaults(cache = "
          + "\"...\") on %s";
  /** Two different settings for one cache: cache, attribute, value, other value, other method. */
  public static final String CONFLICTING_SETTING =
      TAG + "cache \"%s\" gets %s = \"%s\" here but \"%s\" from %s: one cache has one policy; "
          + "set it in one place only, or give both the same value";
  /**
   * Two methods of one cache whose keys can coincide, with different value types: method, other
   * method, cache, template, other template, value type, other value type.
   */
  public static final String KEYS_COLLIDE_VALUE_TYPES = TAG
      + "%s and %s can use one Redis key in cache \"%s\" (\"%s\" and \"%s\") for different value "
      + "types (%s and %s): give one of them another cache, or a key the other's cannot match";
  /**
   * Two readers of one cache whose different templates can give one key: method, other method,
   * cache, template, other template.
   */
  public static final String KEYS_COLLIDE_ARGUMENTS =
      TAG + "%s and %s can use one Redis key in cache \"%s\" (\"%s\" and \"%s\") from different "
          + "kinds of arguments, so one would return what the other cached: give one of them another "
          + "cache, or a key the other's cannot match (two @Cached methods share keys only when their "
          + "templates have the same text and their placeholders write values of the same types)";
  /** refresh not shorter than the TTL: cache, refresh, ttl. */
  public static final String REFRESH_NOT_SHORTER_THAN_TTL =
      TAG + "cache \"%s\" refreshes every %s but its ttl is %s: a key must be refreshed before it "
          + "expires; make refresh shorter than ttl";

  /** @Invalidate matching no cached key (warning): template, type, scope. */
  public static final String INVALIDATE_MATCHES_NOTHING =
      TAG + "@Invalidate key \"%s\" matches no @Cached or @CachePut key of %s%s: check the "
          + "template for a typo";
  /** Unexpected failure: type, exception. */
  public static final String INTERNAL_ERROR =
      TAG + "internal error while processing %s; please report it with this trace: %s";

  private Messages() {}

  /** {@link #UNKNOWN_PARAMETER}. */
  public static String unknownParameter(
      String template, String name, String method, List<String> params) {
    return String.format(
        UNKNOWN_PARAMETER,
        template,
        name,
        method,
        params.isEmpty() ? "it has none" : String.join(", ", params));
  }

  /** {@link #UNKNOWN_PROPERTY}. */
  public static String unknownProperty(
      String template, String path, String type, String property, String pkg) {
    String capital = Character.toUpperCase(property.charAt(0)) + property.substring(1);
    return String.format(
        UNKNOWN_PROPERTY,
        template,
        path,
        type,
        property,
        capital,
        capital,
        property,
        property,
        pkg.isEmpty() ? "(the unnamed package)" : pkg);
  }

  /** {@link #WILDCARD_NOT_ALLOWED}. */
  public static String wildcardNotAllowed(String template, String annotation) {
    return String.format(WILDCARD_NOT_ALLOWED, template, annotation);
  }

  /** {@link #BAD_TEMPLATE} with a detail such as {@link #UNCLOSED_PLACEHOLDER}. */
  public static String badTemplate(String template, String detail) {
    return String.format(BAD_TEMPLATE, template, detail);
  }

  /** {@link #UNSTABLE_SEGMENT}. */
  public static String unstableSegment(String template, String placeholder, String type) {
    return String.format(UNSTABLE_SEGMENT, template, placeholder, type, placeholder, placeholder);
  }

  /** {@link #BULK_NOT_COLLECTION}. */
  public static String bulkNotCollection(String template, String param, String type) {
    return String.format(BULK_NOT_COLLECTION, template, param, type);
  }

  /** {@link #UNMAPPABLE_RETURN}. */
  public static String unmappableReturn(
      String template, String param, String method, String element, String actual) {
    return String.format(UNMAPPABLE_RETURN, template, param, method, element, actual);
  }

  /** {@link #VOID_RESULT}. */
  public static String voidResult(String annotation, String method) {
    return String.format(VOID_RESULT, annotation, method);
  }

  /** {@link #UNSUPPORTED_RETURN}. */
  public static String unsupportedReturn(String method, String type) {
    return String.format(UNSUPPORTED_RETURN, method, type);
  }

  /** {@link #BAD_METHOD_MODIFIER}. */
  public static String badMethodModifier(String annotation, String modifier, String method) {
    return String.format(BAD_METHOD_MODIFIER, annotation, modifier, method);
  }

  /** {@link #ABSTRACT_IN_CLASS}. */
  public static String abstractInClass(String annotation, String method) {
    return String.format(ABSTRACT_IN_CLASS, annotation, method, method);
  }

  /** {@link #GENERIC_METHOD}. */
  public static String genericMethod(String annotation, String method) {
    return String.format(GENERIC_METHOD, annotation, method);
  }

  /** {@link #CHECKED_EXCEPTION}. */
  public static String checkedException(String method, String exception) {
    return String.format(CHECKED_EXCEPTION, method, exception);
  }

  /** {@link #SEALED_TYPE}. */
  public static String sealedType(String type) {
    return String.format(SEALED_TYPE, type);
  }

  /** {@link #FINAL_CLASS}. */
  public static String finalClass(String type) {
    return String.format(FINAL_CLASS, type);
  }

  /** {@link #PRIVATE_TYPE}. */
  public static String privateType(String type) {
    return String.format(PRIVATE_TYPE, type);
  }

  /** {@link #INNER_CLASS}. */
  public static String innerClass(String type) {
    return String.format(INNER_CLASS, type);
  }

  /** {@link #MISSING_PARAMETER_NAMES}. */
  public static String missingParameterNames(String type, String methods, String owners) {
    return String.format(MISSING_PARAMETER_NAMES, type, methods, owners, type);
  }

  /** {@link #GENERIC_TYPE}. */
  public static String genericType(String type) {
    return String.format(GENERIC_TYPE, type);
  }

  /** {@link #UNSUPPORTED_TYPE}. */
  public static String unsupportedType(String type, String kind) {
    return String.format(UNSUPPORTED_TYPE, type, kind);
  }

  /** {@link #NO_CONSTRUCTOR}. */
  public static String noConstructor(String type) {
    return String.format(NO_CONSTRUCTOR, type);
  }

  /** {@link #CONFLICTING_ANNOTATIONS}. */
  public static String conflictingAnnotations(String method, String first, String second) {
    return String.format(CONFLICTING_ANNOTATIONS, method, first, second);
  }

  /** {@link #BAD_SETTING}. */
  public static String badSetting(String attribute, String value, String rule) {
    return String.format(BAD_SETTING, attribute, value, attribute, rule);
  }

  /** {@link #BAD_DURATION}. */
  public static String badDuration(String attribute, String value) {
    return String.format(BAD_DURATION, attribute, value);
  }

  /** {@link #BAD_CACHE_NAME}. */
  public static String badCacheName(String name) {
    return String.format(BAD_CACHE_NAME, name);
  }

  /** {@link #MISSING_CACHE}. */
  public static String missingCache(String annotation, String method, String type) {
    return String.format(MISSING_CACHE, annotation, method, type);
  }

  /** {@link #CONFLICTING_SETTING}. */
  public static String conflictingSetting(
      String cache, String attribute, String value, String other, String otherMethod) {
    return conflictingSettingFrom(cache, attribute, value, other, otherMethod + "()");
  }

  /**
   * {@link #CONFLICTING_SETTING} with the other declaration described: {@code Other.info()}, or
   * {@code @CacheDefaults of Other}.
   */
  public static String conflictingSettingFrom(
      String cache, String attribute, String value, String other, String source) {
    return String.format(CONFLICTING_SETTING, cache, attribute, value, other, source);
  }

  /** {@link #KEYS_COLLIDE_VALUE_TYPES}. */
  public static String keysCollideValueTypes(
      String method,
      String other,
      String cache,
      String template,
      String otherTemplate,
      String valueType,
      String otherValueType) {
    return String.format(
        KEYS_COLLIDE_VALUE_TYPES,
        method,
        other,
        cache,
        template,
        otherTemplate,
        valueType,
        otherValueType);
  }

  /** {@link #KEYS_COLLIDE_ARGUMENTS}. */
  public static String keysCollideArguments(
      String method, String other, String cache, String template, String otherTemplate) {
    return String.format(KEYS_COLLIDE_ARGUMENTS, method, other, cache, template, otherTemplate);
  }

  /** {@link #REFRESH_NOT_SHORTER_THAN_TTL}. */
  public static String refreshNotShorterThanTtl(String cache, String refresh, String ttl) {
    return String.format(REFRESH_NOT_SHORTER_THAN_TTL, cache, refresh, ttl);
  }

  /** {@link #INVALIDATE_MATCHES_NOTHING}. */
  public static String invalidateMatchesNothing(String template, String type, String cache) {
    return String.format(
        INVALIDATE_MATCHES_NOTHING,
        template,
        type,
        cache.isEmpty() ? "" : " in cache \"" + cache + "\"");
  }

  /** {@link #INTERNAL_ERROR}. */
  public static String internalError(String type, String trace) {
    return String.format(INTERNAL_ERROR, type, trace);
  }
}
