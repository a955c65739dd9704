package io.tiercache.processor;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.tiercache.processor.MethodModel.Operation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;

/**
 * Writes {@code {Type}Keys}: for each annotated method a static method with the same parameters
 * that returns its key (a list of keys for {@code {x[]}} and for several {@code @Invalidate}),
 * and for {@code {x[]}} a second method {@code {name}Key} that returns one element's key.
 */
final class KeysWriter {
  static final ClassName KEYS = ClassName.get("io.tiercache", "Keys");
  static final ClassName OBJECTS = ClassName.get("java.util", "Objects");
  static final ClassName LIST = ClassName.get("java.util", "List");
  static final ClassName ARRAY_LIST = ClassName.get("java.util", "ArrayList");
  static final TypeName STRING = ClassName.get("java.lang", "String");

  private static final String HASH_METHOD = "canonicalJsonHash";
  private static final String MAPPER_FIELD = "CANONICAL_JSON";
  private static final ClassName OBJECT_MAPPER =
      ClassName.get("com.fasterxml.jackson.databind", "ObjectMapper");
  private static final ClassName JSON_MAPPER =
      ClassName.get("com.fasterxml.jackson.databind.json", "JsonMapper");
  private static final ClassName MAPPER_FEATURE =
      ClassName.get("com.fasterxml.jackson.databind", "MapperFeature");
  private static final ClassName SERIALIZATION_FEATURE =
      ClassName.get("com.fasterxml.jackson.databind", "SerializationFeature");
  private static final ClassName JSON_PROCESSING_EXCEPTION =
      ClassName.get("com.fasterxml.jackson.core", "JsonProcessingException");

  private KeysWriter() {}

  static JavaFile write(ServiceModel model, Optional<AnnotationSpec> generated) {
    ClassName owner = ClassName.get(model.element());
    TypeSpec.Builder keys = TypeSpec.classBuilder(model.keysName())
        .addOriginatingElement(model.element())
        .addJavadoc(
            "The keys of {@link $T}'s cached methods: each method takes the same parameters "
                + "as the\nannotated method and returns the key its template gives.\n",
            owner)
        .addModifiers(Modifier.FINAL)
        .addMethod(
            MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
    if (model.element().getModifiers().contains(Modifier.PUBLIC)) {
      keys.addModifiers(Modifier.PUBLIC);
    }
    generated.ifPresent(keys::addAnnotation);
    if (model.element().getAnnotation(Deprecated.class) != null) {
      keys.addAnnotation(DecoratorWriter.SUPPRESS_DEPRECATION);
    }
    boolean usesHash = false;
    for (MethodModel method : model.methods()) {
      if (method.operation() == Operation.INVALIDATE) {
        keys.addMethod(invalidationMethod(method));
        usesHash |= method.invalidations().stream().anyMatch(ResolvedKey::usesHash);
      } else if (method.bulk() != null) {
        keys.addMethod(bulkListMethod(model, method));
        keys.addMethod(elementMethod(model, method));
        usesHash |= method.key().usesHash();
      } else {
        keys.addMethod(keyMethod(method));
        usesHash |= method.key().usesHash();
      }
    }
    if (usesHash) {
      addHash(keys);
    }
    return JavaFile.builder(model.keysName().packageName(), keys.build())
        .skipJavaLangImports(true)
        .build();
  }

  /**
   * The name of the method returning one element's key of a {@code {x[]}} method: {@code
   * <method>Key}, numbered when another method of the type, or another bulk overload, has it.
   */
  static String elementMethodName(ServiceModel model, MethodModel method) {
    Set<String> taken = new HashSet<>();
    model.methods().forEach(m -> taken.add(m.name()));
    for (MethodModel m : model.methods()) {
      if (m.bulk() == null) {
        continue;
      }
      String name = m.name() + "Key";
      for (int n = 2; !taken.add(name); n++) {
        name = m.name() + "Key" + n;
      }
      if (m == method) {
        return name;
      }
    }
    throw new IllegalArgumentException(
        method.name() + " is not a bulk method of " + model.element());
  }

  private static MethodSpec keyMethod(MethodModel method) {
    MethodSpec.Builder builder =
        start(method.name(), method, STRING, method.key().template());
    nullChecks(builder, List.of(method.key()), Map.of());
    return builder.addStatement("return $L", expression(method.key(), Map.of())).build();
  }

  private static MethodSpec invalidationMethod(MethodModel method) {
    List<ResolvedKey> keys = method.invalidations();
    if (keys.size() == 1) {
      MethodSpec.Builder builder =
          start(method.name(), method, STRING, keys.get(0).template());
      nullChecks(builder, keys, Map.of());
      return builder
          .addStatement("return $L", expression(keys.get(0), Map.of()))
          .build();
    }
    List<String> templates = keys.stream().map(ResolvedKey::template).toList();
    MethodSpec.Builder builder = start(
        method.name(),
        method,
        ParameterizedTypeName.get(LIST, STRING),
        String.join(", ", templates));
    nullChecks(builder, keys, Map.of());
    List<CodeBlock> expressions = new ArrayList<>();
    for (ResolvedKey key : keys) {
      expressions.add(expression(key, Map.of()));
    }
    return builder
        .addStatement("return $T.of(\n$>$L$<)", LIST, CodeBlock.join(expressions, ",\n"))
        .build();
  }

  private static MethodSpec bulkListMethod(ServiceModel model, MethodModel method) {
    MethodSpec.Builder builder = start(
        method.name(),
        method,
        ParameterizedTypeName.get(LIST, STRING),
        method.key().template());
    NameAllocator names = names(method);
    String bulk = method.bulk().param();
    String result = names.newName("keys");
    String element = names.newName("element");
    builder.addStatement("$T.requireNonNull($N, $S)", OBJECTS, bulk, bulk + " must not be null");
    nullChecks(builder, List.of(method.key()), Map.of(bulk, bulk));
    builder
        .addStatement("$T<$T> $N = new $T<>($N.size())", LIST, STRING, result, ARRAY_LIST, bulk)
        .beginControlFlow(
            "for ($T $N : $N)", TypeName.get(method.bulk().elementType()).box(), element, bulk)
        .addStatement(
            "$N.add($N($L))",
            result,
            elementMethodName(model, method),
            arguments(method, Map.of(bulk, element)))
        .endControlFlow()
        .addStatement("return $N", result);
    return builder.build();
  }

  private static MethodSpec elementMethod(ServiceModel model, MethodModel method) {
    String bulk = method.bulk().param();
    MethodSpec.Builder builder = MethodSpec.methodBuilder(elementMethodName(model, method))
        .addJavadoc(
            "Returns the key of one element of {@code $N}: {@code $L}.\n",
            bulk,
            javadocText(method.key().template()))
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(STRING);
    List<? extends VariableElement> parameters = method.element().getParameters();
    List<? extends TypeMirror> types = method.type().getParameterTypes();
    for (int i = 0; i < parameters.size(); i++) {
      String name = parameters.get(i).getSimpleName().toString();
      TypeName type = name.equals(bulk)
          ? TypeName.get(method.bulk().elementType()).box()
          : TypeName.get(types.get(i));
      builder.addParameter(type, name);
    }
    nullChecks(builder, List.of(method.key()), Map.of());
    return builder.addStatement("return $L", expression(method.key(), Map.of())).build();
  }

  private static MethodSpec.Builder start(
      String name, MethodModel method, TypeName returns, String template) {
    MethodSpec.Builder builder = MethodSpec.methodBuilder(name)
        .addJavadoc(
            "Returns the $L {@link $T#$N}: {@code $L}.\n",
            method.operation() != Operation.INVALIDATE
                ? "key of"
                : method.invalidations().size() == 1
                    ? "key or pattern removed by"
                    : "keys and patterns removed by",
            ClassName.get((TypeElement) method.element().getEnclosingElement()),
            method.name(),
            javadocText(template))
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .returns(returns)
        .varargs(method.element().isVarArgs());
    List<? extends VariableElement> parameters = method.element().getParameters();
    List<? extends TypeMirror> types = method.type().getParameterTypes();
    for (int i = 0; i < parameters.size(); i++) {
      builder.addParameter(ParameterSpec.builder(
              TypeName.get(types.get(i)), parameters.get(i).getSimpleName().toString())
          .build());
    }
    return builder;
  }

  /** Null checks for the parameters whose properties a key reads ({@code skip}: checked apart). */
  private static void nullChecks(
      MethodSpec.Builder builder, List<ResolvedKey> keys, Map<String, String> skip) {
    Map<String, String> checked = new LinkedHashMap<>();
    for (ResolvedKey key : keys) {
      for (ResolvedKey.Part part : key.parts()) {
        if (part instanceof ResolvedKey.Segment s
            && s.readsProperty()
            && !skip.containsKey(s.param())) {
          checked.putIfAbsent(s.param(), key.template());
        }
      }
    }
    checked.forEach((param, template) -> builder.addStatement(
        "$T.requireNonNull($N, $S)",
        OBJECTS,
        param,
        param + " must not be null: the key " + template + " reads its properties"));
  }

  /**
   * The expression that builds a key: literals and encoded segments joined with {@code +}.
   *
   * @param rename parameters to read under another name (a {@code {x[]}} element)
   */
  static CodeBlock expression(ResolvedKey key, Map<String, String> rename) {
    List<CodeBlock> pieces = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (ResolvedKey.Part part : key.parts()) {
      if (part instanceof ResolvedKey.Text t) {
        text.append(t.text());
      } else if (part instanceof ResolvedKey.Wildcard) {
        text.append('*');
      } else {
        ResolvedKey.Segment s = (ResolvedKey.Segment) part;
        if (text.length() > 0) {
          pieces.add(CodeBlock.of("$S", text.toString()));
          text.setLength(0);
        }
        String value = s.path(rename.getOrDefault(s.param(), s.param()));
        if (s.hash()) {
          pieces.add(CodeBlock.of("$N($L)", HASH_METHOD, value));
        } else if (s.direct()) {
          pieces.add(
              pieces.isEmpty()
                  ? CodeBlock.of("$T.valueOf($L)", STRING, value)
                  : CodeBlock.of("$L", value));
        } else {
          pieces.add(CodeBlock.of("$T.segment($L)", KEYS, value));
        }
      }
    }
    if (text.length() > 0) {
      pieces.add(CodeBlock.of("$S", text.toString()));
    }
    return CodeBlock.join(pieces, " + ");
  }

  /** The method's parameter names as call arguments, some renamed. */
  static CodeBlock arguments(MethodModel method, Map<String, String> rename) {
    List<CodeBlock> args = new ArrayList<>();
    for (VariableElement parameter : method.element().getParameters()) {
      String name = parameter.getSimpleName().toString();
      args.add(CodeBlock.of("$L", rename.getOrDefault(name, name)));
    }
    return CodeBlock.join(args, ", ");
  }

  /** A name allocator that already holds the method's parameter names. */
  static NameAllocator names(MethodModel method) {
    NameAllocator names = new NameAllocator();
    for (VariableElement parameter : method.element().getParameters()) {
      names.newName(parameter.getSimpleName().toString());
    }
    return names;
  }

  /** A template as javadoc text: a comment end would close the comment. */
  static String javadocText(String template) {
    return template.replace("*/", "*&#47;");
  }

  private static void addHash(TypeSpec.Builder keys) {
    keys.addField(FieldSpec.builder(
            OBJECT_MAPPER, MAPPER_FIELD, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        // FAIL_ON_EMPTY_BEANS stays on: a value with no property Jackson can see would hash to the
        // hash of {} whatever its state, and every argument would share one key
        .initializer(
            "$T.builder()\n$>$>.enable($T.SORT_PROPERTIES_ALPHABETICALLY)\n"
                + ".enable($T.ORDER_MAP_ENTRIES_BY_KEYS)\n.build()$<$<",
            JSON_MAPPER,
            MAPPER_FEATURE,
            SERIALIZATION_FEATURE)
        .build());
    ClassName messageDigest = ClassName.get("java.security", "MessageDigest");
    ClassName noSuchAlgorithm = ClassName.get("java.security", "NoSuchAlgorithmException");
    keys.addMethod(MethodSpec.methodBuilder(HASH_METHOD)
        .addJavadoc(
            "The first 16 bytes of the SHA-256 of the value's canonical JSON (properties and map "
                + "entries\nsorted by name), in hexadecimal: the same text on every JVM.\n")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(STRING)
        .addParameter(Object.class, "value")
        .addStatement("byte[] json")
        .beginControlFlow("try")
        .addStatement("json = $N.writeValueAsBytes(value)", MAPPER_FIELD)
        .nextControlFlow("catch ($T e)", JSON_PROCESSING_EXCEPTION)
        .addStatement(
            "throw new $T($S + e.getOriginalMessage(), e)",
            IllegalArgumentException.class,
            "a {param#hash} key segment cannot be written as JSON: ")
        .endControlFlow()
        .addStatement("byte[] digest")
        .beginControlFlow("try")
        .addStatement("digest = $T.getInstance($S).digest(json)", messageDigest, "SHA-256")
        .nextControlFlow("catch ($T e)", noSuchAlgorithm)
        .addStatement("throw new $T($S, e)", IllegalStateException.class, "every JVM has SHA-256")
        .endControlFlow()
        .addStatement("char[] hex = new char[32]")
        .beginControlFlow("for (int i = 0; i < 16; i++)")
        .addStatement("hex[2 * i] = $T.forDigit((digest[i] >> 4) & 0xF, 16)", Character.class)
        .addStatement("hex[2 * i + 1] = $T.forDigit(digest[i] & 0xF, 16)", Character.class)
        .endControlFlow()
        .addStatement("return new $T(hex)", STRING)
        .build());
  }
}
