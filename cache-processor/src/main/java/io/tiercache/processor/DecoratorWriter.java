package io.tiercache.processor;

import static io.tiercache.processor.KeysWriter.ARRAY_LIST;
import static io.tiercache.processor.KeysWriter.LIST;
import static io.tiercache.processor.KeysWriter.OBJECTS;
import static io.tiercache.processor.KeysWriter.STRING;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import com.palantir.javapoet.TypeVariableName;
import io.tiercache.processor.MethodModel.Operation;
import io.tiercache.processor.ServiceModel.CacheSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;

/**
 * Writes {@code Cached{Type}}: the caching decorator. For an interface it implements the interface
 * around a delegate; for a class it extends the class. Annotated methods go through the cache
 * with keys from {@code {Type}Keys}; an interface's other methods are delegated untouched. Its
 * static {@code declareCaches} hands the annotations' TTLs to the builder.
 */
final class DecoratorWriter {
  private static final ClassName TIER_CACHE = ClassName.get("io.tiercache", "TierCache");
  private static final ClassName TIER_CACHE_BUILDER =
      ClassName.get("io.tiercache", "TierCacheBuilder");
  private static final ClassName CACHE = ClassName.get("io.tiercache", "Cache");
  private static final ClassName TYPE_REF = ClassName.get("io.tiercache", "TypeRef");
  private static final ClassName DURATION = ClassName.get("java.time", "Duration");
  private static final ClassName OPTIONAL = ClassName.get("java.util", "Optional");
  private static final ClassName MAP = ClassName.get("java.util", "Map");
  private static final ClassName MAP_ENTRY = ClassName.get("java.util", "Map", "Entry");
  private static final ClassName SET = ClassName.get("java.util", "Set");
  private static final ClassName HASH_MAP = ClassName.get("java.util", "HashMap");
  private static final ClassName LINKED_HASH_MAP = ClassName.get("java.util", "LinkedHashMap");
  private static final ClassName LINKED_HASH_SET = ClassName.get("java.util", "LinkedHashSet");
  private static final ClassName ITERATOR = ClassName.get("java.util", "Iterator");

  private static final String DELEGATE = "delegate";
  private static final String TIER = "tierCache";

  private final Types types;
  private final ServiceModel model;
  private final Map<MethodModel, String> cacheFields = new HashMap<>();

  private DecoratorWriter(Types types, ServiceModel model) {
    this.types = types;
    this.model = model;
  }

  static JavaFile write(Types types, ServiceModel model, Optional<AnnotationSpec> generated) {
    return new DecoratorWriter(types, model).write(generated);
  }

  static final AnnotationSpec SUPPRESS_DEPRECATION = AnnotationSpec.builder(SuppressWarnings.class)
      .addMember("value", "$S", "deprecation")
      .build();

  private JavaFile write(Optional<AnnotationSpec> generated) {
    ClassName owner = ClassName.get(model.element());
    TypeSpec.Builder type = TypeSpec.classBuilder(model.cachedName())
        .addOriginatingElement(model.element())
        // a nested type of the decorated type named Cache, Duration... would hide our imports
        .avoidClashesWithNestedClasses(model.element());
    generated.ifPresent(type::addAnnotation);
    if (model.element().getAnnotation(Deprecated.class) != null) {
      type.addAnnotation(SUPPRESS_DEPRECATION); // it names the deprecated type it decorates
    }
    if (model.element().getModifiers().contains(Modifier.PUBLIC)) {
      type.addModifiers(Modifier.PUBLIC);
    }
    if (model.isInterface()) {
      type.addJavadoc(
              "Caches the results of a {@link $T} as its annotations say; other calls go to the "
                  + "delegate.\n\n<p>Declare the caches with {@link #declareCaches} before building the {@link "
                  + "$T}.\n",
              owner,
              TIER_CACHE)
          .addModifiers(Modifier.FINAL)
          .addSuperinterface(owner)
          .addField(owner, DELEGATE, Modifier.PRIVATE, Modifier.FINAL);
    } else {
      type.addJavadoc(
              "A {@link $T} whose annotated methods go through the cache.\n\n<p>Declare the "
                  + "caches with {@link #declareCaches} before building the {@link $T}.\n",
              owner,
              TIER_CACHE)
          .superclass(owner)
          .addModifiers(
              model.element().getModifiers().contains(Modifier.ABSTRACT)
                  ? Modifier.ABSTRACT
                  : Modifier.FINAL);
    }
    type.addField(TIER_CACHE, TIER, Modifier.PRIVATE, Modifier.FINAL);

    NameAllocator fieldNames = new NameAllocator();
    fieldNames.newName(DELEGATE);
    fieldNames.newName(TIER);
    List<CodeBlock> cacheInits = new ArrayList<>();
    for (MethodModel method : model.methods()) {
      if (method.operation() == Operation.INVALIDATE) {
        continue;
      }
      String field = fieldNames.newName(method.name() + "Cache");
      cacheFields.put(method, field);
      TypeName value = TypeName.get(method.valueType()).box();
      type.addField(
          ParameterizedTypeName.get(CACHE, STRING, value), field, Modifier.PRIVATE, Modifier.FINAL);
      cacheInits.add(CodeBlock.of(
          "this.$N = this.$N.cache($S, $L)",
          field,
          TIER,
          method.cacheName(),
          valueType(method.valueType())));
    }

    if (model.isInterface()) {
      MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
          .addJavadoc("Decorates {@code delegate} with the caches of {@code tierCache}, which must "
              + "declare them\n(see {@link #declareCaches}).\n")
          .addModifiers(Modifier.PUBLIC)
          .addParameter(owner, DELEGATE)
          .addParameter(TIER_CACHE, TIER)
          .addStatement(
              "this.$N = $T.requireNonNull($N, $S)",
              DELEGATE,
              OBJECTS,
              DELEGATE,
              DELEGATE + " must not be null")
          .addStatement(
              "this.$N = $T.requireNonNull($N, $S)",
              TIER,
              OBJECTS,
              TIER,
              TIER + " must not be null");
      cacheInits.forEach(constructor::addStatement);
      type.addMethod(constructor.build());
    } else {
      for (ExecutableElement superConstructor : model.constructors()) {
        type.addMethod(mirrorConstructor(superConstructor, cacheInits));
      }
    }
    type.addMethod(declareCaches());

    for (MethodModel method : model.methods()) {
      type.addMethod(
          switch (method.operation()) {
            case CACHED -> method.bulk() != null ? bulk(method) : cached(method);
            case PUT -> put(method);
            case INVALIDATE -> invalidate(method);
          });
    }
    for (ExecutableElement method : model.passThrough()) {
      type.addMethod(passThrough(method));
    }
    return JavaFile.builder(model.cachedName().packageName(), type.build())
        .skipJavaLangImports(true)
        .build();
  }

  /* ---------------- Construction ---------------- */

  private MethodSpec mirrorConstructor(
      ExecutableElement superConstructor, List<CodeBlock> cacheInits) {
    NameAllocator names = new NameAllocator();
    List<ParameterSpec> parameters = new ArrayList<>();
    for (VariableElement parameter : superConstructor.getParameters()) {
      names.newName(parameter.getSimpleName().toString());
      parameters.add(ParameterSpec.builder(
              TypeName.get(parameter.asType()), parameter.getSimpleName().toString())
          .build());
    }
    String tier = names.newName(TIER);
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
        .addJavadoc(
            "Calls the matching constructor of {@link $T} and uses the caches of {@code $N}.\n",
            ClassName.get(model.element()),
            tier)
        .addParameter(TIER_CACHE, tier)
        .addParameters(parameters)
        .varargs(superConstructor.isVarArgs());
    for (TypeParameterElement variable : superConstructor.getTypeParameters()) {
      constructor.addTypeVariable(TypeVariableName.get(variable));
    }
    boolean finalDecorator = !model.element().getModifiers().contains(Modifier.ABSTRACT);
    for (Modifier modifier : superConstructor.getModifiers()) {
      if (modifier == Modifier.PUBLIC) {
        constructor.addModifiers(modifier);
      } else if (modifier == Modifier.PROTECTED) {
        // a protected constructor is there for subclasses, and the decorator is the subclass to
        // build: in a final decorator, protected would mean "this package only"
        constructor.addModifiers(finalDecorator ? Modifier.PUBLIC : Modifier.PROTECTED);
      }
    }
    for (TypeMirror thrown : superConstructor.getThrownTypes()) {
      constructor.addException(TypeName.get(thrown));
    }
    List<CodeBlock> args = new ArrayList<>();
    for (ParameterSpec parameter : parameters) {
      args.add(CodeBlock.of("$N", parameter));
    }
    constructor
        .addStatement("super($L)", CodeBlock.join(args, ", "))
        .addStatement(
            "this.$N = $T.requireNonNull($N, $S)", TIER, OBJECTS, tier, TIER + " must not be null");
    cacheInits.forEach(constructor::addStatement);
    return constructor.build();
  }

  private MethodSpec declareCaches() {
    MethodSpec.Builder method = MethodSpec.methodBuilder("declareCaches")
        .addJavadoc(
            "Declares the caches that {@link $T} uses, with the settings of its annotations. A\n"
                + "{@code builder.cache(name, ...)} declaration of the application overrides them.\n\n"
                + "@param builder the builder of the {@link $T} to use, not null\n"
                + "@return {@code builder}\n",
            ClassName.get(model.element()),
            TIER_CACHE)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(TIER_CACHE_BUILDER)
        .addParameter(TIER_CACHE_BUILDER, "builder")
        .addStatement("$T.requireNonNull(builder, $S)", OBJECTS, "builder must not be null");
    if (model.caches().isEmpty()) {
      return method.addStatement("return builder").build();
    }
    List<CodeBlock> calls = new ArrayList<>();
    for (CacheSettings cache : model.caches()) {
      CodeBlock.Builder spec = CodeBlock.builder().add("spec");
      // one setting per line once there are several, as a builder chain is written by hand
      boolean wrap = cache.values().size() > 1;
      spec.add(wrap ? "$>$>" : "");
      cache
          .values()
          .forEach((attribute, value) ->
              spec.add(wrap ? "\n.$N($L)" : ".$N($L)", attribute.builderMethod, value.code()));
      spec.add(wrap ? "$<$<" : "");
      calls.add(CodeBlock.of(".cacheDefaults($S, spec -> $L)", cache.name(), spec.build()));
    }
    return method
        .addStatement("return builder\n$>$>$L$<$<", CodeBlock.join(calls, "\n"))
        .build();
  }

  /** {@code Project.class}, or a {@code TypeRef} for a generic or array type. */
  private static CodeBlock valueType(TypeMirror valueType) {
    TypeName boxed = TypeName.get(valueType).box();
    if (boxed instanceof ClassName name) {
      return CodeBlock.of("$T.class", name);
    }
    return CodeBlock.of("new $T() {}", ParameterizedTypeName.get(TYPE_REF, boxed));
  }

  /* ---------------- Methods ---------------- */

  /** An override with the method's resolved signature; no body yet. */
  private MethodSpec.Builder override(ExecutableElement method) {
    MethodSpec.Builder builder = MethodSpec.overriding(method, model.type(), types);
    if (method.getAnnotation(Deprecated.class) != null) {
      // deprecated as the method it overrides, so neither the override nor its call to the
      // delegate warns under -Xlint:deprecation
      builder.addAnnotation(Deprecated.class);
    }
    return builder;
  }

  /**
   * The override of an annotated method. A class decorator's starts by calling the superclass
   * while its caches are not set yet: the superclass constructor may call the method.
   */
  private MethodSpec.Builder override(MethodModel method) {
    MethodSpec.Builder builder = override(method.element());
    if (!model.isInterface()) {
      builder
          .beginControlFlow("if (this.$N == null)", TIER)
          .addComment("called by the superclass constructor, before the caches are set");
      if (method.element().getReturnType().getKind() == TypeKind.VOID) {
        builder.addStatement("$L", call(method, Map.of())).addStatement("return");
      } else {
        builder.addStatement("return $L", call(method, Map.of()));
      }
      builder.endControlFlow();
    }
    return builder;
  }

  /** The call of the original method: {@code this.delegate.info(id)} or {@code super.info(id)}. */
  private CodeBlock call(MethodModel method, Map<String, String> rename) {
    return CodeBlock.of(
        "$L.$N($L)",
        model.isInterface() ? "this." + DELEGATE : "super",
        method.name(),
        KeysWriter.arguments(method, rename));
  }

  private CodeBlock keyCall(MethodModel method, String name, Map<String, String> rename) {
    return CodeBlock.of("$T.$N($L)", model.keysName(), name, KeysWriter.arguments(method, rename));
  }

  private MethodSpec cached(MethodModel method) {
    NameAllocator names = KeysWriter.names(method);
    String key = names.newName("key");
    String field = cacheFields.get(method);
    CodeBlock keyCall = keyCall(method, method.name(), Map.of());
    CodeBlock call = call(method, Map.of());
    MethodSpec.Builder builder = override(method);
    switch (method.returnKind()) {
      case FUTURE:
        return builder
            .addStatement("return this.$N.getAsync($L, $N -> $L)", field, keyCall, key, call)
            .build();
      case STAGE:
        return builder
            .addStatement(
                "return this.$N.getAsync($L, $N -> $L.toCompletableFuture())",
                field,
                keyCall,
                key,
                call)
            .build();
      default:
        break;
    }
    // L1 first, so that a hit builds no loader: the lambda below captures the arguments.
    String loaderKey = names.newName("k");
    String cached = names.newName("cached");
    TypeName valueType = TypeName.get(method.valueType()).box();
    builder
        .addStatement("$T $N = $L", STRING, key, keyCall)
        .addStatement("$T $N = this.$N.getIfInL1($N)", valueType, cached, field, key);
    if (method.returnKind() == MethodModel.ReturnKind.OPTIONAL) {
      return builder
          .addStatement(
              "return $N != null ? $T.of($N) : $T.ofNullable(this.$N.get($N, $N -> $L.orElse(null)))",
              cached,
              OPTIONAL,
              cached,
              OPTIONAL,
              field,
              key,
              loaderKey,
              call)
          .build();
    }
    return builder
        .addStatement(
            "return $N != null ? $N : this.$N.get($N, $N -> $L)",
            cached,
            cached,
            field,
            key,
            loaderKey,
            call)
        .build();
  }

  private MethodSpec bulk(MethodModel method) {
    MethodModel.Bulk bulk = method.bulk();
    NameAllocator names = KeysWriter.names(method);
    String keys = names.newName("keys");
    String elements = names.newName("elements");
    String element = names.newName("element");
    String key = names.newName("key");
    String values = names.newName("values");
    String missing = names.newName("missing");
    String missingElements = names.newName("missingElements");
    String loaded = names.newName("loaded");
    String loadedByKey = names.newName("loadedByKey");
    String entry = names.newName("entry");
    String result = names.newName("result");
    String value = names.newName("value");
    String field = cacheFields.get(method);
    TypeName elementType = TypeName.get(bulk.elementType()).box();
    TypeName valueType = TypeName.get(method.valueType()).box();
    TypeName returnType = TypeName.get(method.type().getReturnType());

    CodeBlock.Builder loader = CodeBlock.builder();
    if (bulk.set()) {
      loader.addStatement(
          "$T<$T> $N = new $T<>()", SET, elementType, missingElements, LINKED_HASH_SET);
    } else {
      loader.addStatement(
          "$T<$T> $N = new $T<>($N.size())",
          LIST,
          elementType,
          missingElements,
          ARRAY_LIST,
          missing);
    }
    loader
        .beginControlFlow("for ($T $N : $N)", STRING, key, missing)
        .addStatement("$N.add($N.get($N))", missingElements, elements, key)
        .endControlFlow()
        .addStatement(
            "$T $N = $L", returnType, loaded, call(method, Map.of(bulk.param(), missingElements)))
        .addStatement(
            "$T.requireNonNull($N, $S)",
            OBJECTS,
            loaded,
            method.name() + "() returned null: return "
                + (bulk.returnsMap()
                    ? "a map of the values found, empty if none"
                    : "one value per element"))
        .addStatement("$T<$T, $T> $N = new $T<>()", MAP, STRING, valueType, loadedByKey, HASH_MAP);
    if (bulk.returnsMap()) {
      loader
          .beginControlFlow(
              "for ($T<$T, $T> $N : $N.entrySet())",
              MAP_ENTRY,
              elementType,
              valueType,
              entry,
              loaded)
          .addStatement(
              "$N.put($L, $N.getValue())",
              loadedByKey,
              keyCall(
                  method,
                  KeysWriter.elementMethodName(model, method),
                  Map.of(bulk.param(), entry + ".getKey()")),
              entry)
          .endControlFlow();
    } else {
      String iterator = names.newName("loadedValues");
      loader
          .beginControlFlow("if ($N.size() != $N.size())", loaded, missingElements)
          .addStatement(
              "throw new $T($S + $N.size() + $S + $N.size() + $S)",
              IllegalStateException.class,
              method.name() + "() returned ",
              loaded,
              " values for ",
              missingElements,
              " elements: it must return one value per element, in order (null where there is none)")
          .endControlFlow()
          .addStatement("$T<$T> $N = $N.iterator()", ITERATOR, valueType, iterator, loaded)
          .beginControlFlow("for ($T $N : $N)", STRING, key, missing)
          .addStatement("$N.put($N, $N.next())", loadedByKey, key, iterator)
          .endControlFlow();
    }
    loader.addStatement("return $N", loadedByKey);

    MethodSpec.Builder builder = override(method)
        .addStatement(
            "$T.requireNonNull($N, $S)", OBJECTS, bulk.param(), bulk.param() + " must not be null")
        .addStatement(
            "$T<$T> $N = new $T<>($N.size())", LIST, STRING, keys, ARRAY_LIST, bulk.param())
        .addStatement("$T<$T, $T> $N = new $T<>()", MAP, STRING, elementType, elements, HASH_MAP)
        .beginControlFlow("for ($T $N : $N)", elementType, element, bulk.param())
        .addStatement(
            "$T $N = $L",
            STRING,
            key,
            keyCall(
                method, KeysWriter.elementMethodName(model, method), Map.of(bulk.param(), element)))
        .addStatement("$N.add($N)", keys, key)
        .addStatement("$N.put($N, $N)", elements, key, element)
        .endControlFlow()
        .addCode(
            "$T<$T, $T> $N = this.$N.getAll($N, $N -> {\n$>$L$<});\n",
            MAP,
            STRING,
            valueType,
            values,
            field,
            keys,
            missing,
            loader.build());
    if (bulk.returnsMap()) {
      builder
          .addStatement("$T $N = new $T<>()", returnType, result, LINKED_HASH_MAP)
          .beginControlFlow("for ($T $N : $N)", STRING, key, keys)
          .addStatement("$T $N = $N.get($N)", valueType, value, values, key)
          .beginControlFlow("if ($N != null)", value)
          .addStatement("$N.put($N.get($N), $N)", result, elements, key, value)
          .endControlFlow()
          .endControlFlow();
    } else {
      builder
          .addStatement("$T $N = new $T<>($N.size())", returnType, result, ARRAY_LIST, keys)
          .beginControlFlow("for ($T $N : $N)", STRING, key, keys)
          .addStatement("$N.add($N.get($N))", result, values, key)
          .endControlFlow();
    }
    return builder.addStatement("return $N", result).build();
  }

  private MethodSpec put(MethodModel method) {
    NameAllocator names = KeysWriter.names(method);
    String value = names.newName("value");
    String key = names.newName("key");
    String field = cacheFields.get(method);
    TypeName returnType = TypeName.get(method.type().getReturnType());
    CodeBlock keyCall = keyCall(method, method.name(), Map.of());
    CodeBlock call = call(method, Map.of());
    MethodSpec.Builder builder = override(method);
    switch (method.returnKind()) {
      case FUTURE, STAGE -> {
        CodeBlock.Builder store =
            CodeBlock.builder().addStatement("$T $N = $L", STRING, key, keyCall);
        storeOrRemove(store, field, key, value, false);
        store.addStatement("return $N", value);
        builder.addCode("return $L.thenApply($N -> {\n$>$L$<});\n", call, value, store.build());
      }
      case OPTIONAL -> {
        builder
            .addStatement("$T $N = $L", returnType, value, call)
            .addStatement("$T $N = $L", STRING, key, keyCall)
            .beginControlFlow("if ($N.isPresent())", value)
            .addStatement("this.$N.put($N, $N.get())", field, key, value)
            .nextControlFlow("else")
            .addStatement("this.$N.invalidate($N)", TIER, key)
            .endControlFlow()
            .addStatement("return $N", value);
      }
      default -> {
        CodeBlock.Builder store = CodeBlock.builder()
            .addStatement("$T $N = $L", returnType, value, call)
            .addStatement("$T $N = $L", STRING, key, keyCall);
        storeOrRemove(
            store, field, key, value, method.type().getReturnType().getKind().isPrimitive());
        builder.addCode(store.build()).addStatement("return $N", value);
      }
    }
    return builder.build();
  }

  private static void storeOrRemove(
      CodeBlock.Builder code, String field, String key, String value, boolean primitive) {
    if (primitive) {
      code.addStatement("this.$N.put($N, $N)", field, key, value);
      return;
    }
    code.beginControlFlow("if ($N != null)", value)
        .addStatement("this.$N.put($N, $N)", field, key, value)
        .nextControlFlow("else")
        .addStatement("this.$N.invalidate($N)", TIER, key)
        .endControlFlow();
  }

  private MethodSpec invalidate(MethodModel method) {
    NameAllocator names = KeysWriter.names(method);
    String result = names.newName("result");
    CodeBlock removal = removal(method, names);
    CodeBlock call = call(method, Map.of());
    MethodSpec.Builder builder = override(method);
    switch (method.returnKind()) {
      case VOID -> builder.addStatement("$L", call).addCode(removal);
      case FUTURE, STAGE ->
        builder.addCode(
            "return $L.thenApply($N -> {\n$>$L$L$<});\n",
            call,
            result,
            removal,
            CodeBlock.builder().addStatement("return $N", result).build());
      default ->
        builder
            .addStatement("$T $N = $L", TypeName.get(method.type().getReturnType()), result, call)
            .addCode(removal)
            .addStatement("return $N", result);
    }
    return builder.build();
  }

  /** Removes the keys of a method's {@code @Invalidate} annotations: one delete or one pattern each. */
  private CodeBlock removal(MethodModel method, NameAllocator names) {
    CodeBlock keyCall = keyCall(method, method.name(), Map.of());
    CodeBlock.Builder code = CodeBlock.builder();
    List<ResolvedKey> keys = method.invalidations();
    if (keys.size() == 1) {
      return code.addStatement(
              "this.$N.$N($L)",
              TIER,
              keys.get(0).isPattern() ? "invalidatePattern" : "invalidate",
              keyCall)
          .build();
    }
    String list = names.newName("keys");
    code.addStatement("$T<$T> $N = $L", LIST, STRING, list, keyCall);
    for (int i = 0; i < keys.size(); i++) {
      code.addStatement(
          "this.$N.$N($N.get($L))",
          TIER,
          keys.get(i).isPattern() ? "invalidatePattern" : "invalidate",
          list,
          i);
    }
    return code.build();
  }

  private MethodSpec passThrough(ExecutableElement method) {
    List<CodeBlock> args = new ArrayList<>();
    for (VariableElement parameter : method.getParameters()) {
      args.add(CodeBlock.of("$N", parameter.getSimpleName().toString()));
    }
    CodeBlock call = CodeBlock.of(
        "this.$N.$N($L)", DELEGATE, method.getSimpleName().toString(), CodeBlock.join(args, ", "));
    MethodSpec.Builder builder = override(method);
    if (method.getReturnType().getKind() == TypeKind.VOID) {
      builder.addStatement("$L", call);
    } else {
      builder.addStatement("return $L", call);
    }
    return builder.build();
  }
}
