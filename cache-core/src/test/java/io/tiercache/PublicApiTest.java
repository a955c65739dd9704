package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of cache-core, read from the compiled classes, against the golden file
 * {@code src/test/resources/public-api.txt}: every public type outside the internal package and its
 * public and protected members. A change of the API fails this test with the lines that differ, so
 * it is always deliberate: after an intended change, run
 * {@code mvn -pl cache-core -am test -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtiercache.updateApi=true} and commit the file. Its first line gives the counts quoted in
 * docs/architecture.md.
 */
class PublicApiTest {

  /** Not API (its package-info says so): left out of the listing and the javadoc. */
  static final String INTERNAL = "io.tiercache.internal";

  static final Path GOLDEN = Path.of("src", "test", "resources", "public-api.txt");

  @Test
  void publicApi_isTheGoldenFile() throws IOException {
    List<Class<?>> all = publicTypes();
    List<Class<?>> api = all.stream().filter(c -> !isInternal(c)).toList();
    List<String> actual = listing(api);
    System.out.println(
        "cache-core public API: " + actual.get(0).substring(2) + "; internal, public but not API: "
            + counts(all.stream().filter(PublicApiTest::isInternal).toList()));
    if (Boolean.getBoolean("tiercache.updateApi")) {
      Files.write(GOLDEN, actual, StandardCharsets.UTF_8);
      return;
    }
    assertTrue(
        Files.exists(GOLDEN),
        "missing " + GOLDEN + ": run with -Dtiercache.updateApi=true to write it");
    List<String> expected = Files.readAllLines(GOLDEN, StandardCharsets.UTF_8);
    if (!expected.equals(actual)) {
      fail("the public API of cache-core changed; if that is intended, run this test with "
          + "-Dtiercache.updateApi=true and commit " + GOLDEN + "\n" + diff(expected, actual));
    }
  }

  @Test
  void noApiSignature_namesAnInternalType() {
    List<String> leaks =
        listing(publicTypes().stream().filter(c -> !isInternal(c)).toList()).stream()
            .filter(line -> line.contains(INTERNAL + "."))
            .toList();
    assertTrue(leaks.isEmpty(), "the API hands out internal types: " + String.join("\n", leaks));
  }

  static boolean isInternal(Class<?> c) {
    String p = c.getPackageName();
    return p.equals(INTERNAL) || p.startsWith(INTERNAL + ".");
  }

  /** Every public type (nested ones too, when all that enclose them are public) under io/tiercache. */
  static List<Class<?>> publicTypes() {
    Path root;
    try {
      root = Path.of(
          TierCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root.resolve("io").resolve("tiercache"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name =
            root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        name = name.substring(0, name.length() - ".class".length());
        if (name.endsWith("package-info") || name.endsWith("module-info")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, PublicApiTest.class.getClassLoader());
        if (!c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic() && visible(c)) {
          types.add(c);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    types.sort(Comparator.comparing(Class::getName));
    return types;
  }

  private static boolean visible(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  static String counts(List<Class<?>> types) {
    long methods = 0;
    long constructors = 0;
    long fields = 0;
    for (Class<?> c : types) {
      methods += members(c).stream().filter(m -> m instanceof Method).count();
      constructors += members(c).stream().filter(m -> m instanceof Constructor).count();
      fields += members(c).stream().filter(m -> m instanceof Field).count();
    }
    return types.size() + " types, " + methods + " methods, " + constructors + " constructors, "
        + fields + " fields";
  }

  static List<String> listing(List<Class<?>> types) {
    List<String> lines = new ArrayList<>();
    lines.add("# " + counts(types));
    for (Class<?> c : types) {
      lines.add(describe(c));
      members(c).stream().map(m -> "  " + describe(m)).sorted().forEach(lines::add);
    }
    return lines;
  }

  /** Public and protected members declared by {@code c} (not inherited), without compiler-made ones. */
  static List<Member> members(Class<?> c) {
    List<Member> out = new ArrayList<>();
    Stream.of(c.getDeclaredMethods())
        .filter(m -> !m.isSynthetic() && !m.isBridge())
        .forEach(out::add);
    Stream.of(c.getDeclaredConstructors()).filter(m -> !m.isSynthetic()).forEach(out::add);
    Stream.of(c.getDeclaredFields()).filter(m -> !m.isSynthetic()).forEach(out::add);
    boolean subclassable = !Modifier.isFinal(c.getModifiers()) && !c.isEnum() && !c.isRecord();
    out.removeIf(m -> !(Modifier.isPublic(m.getModifiers())
        || (subclassable && Modifier.isProtected(m.getModifiers()))));
    return out;
  }

  static String describe(Class<?> c) {
    StringBuilder s = new StringBuilder(c.getName().replace('$', '.'));
    String kind = c.isAnnotation()
        ? "@interface"
        : c.isInterface() ? "interface" : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class";
    s.append(" : ");
    if (Modifier.isStatic(c.getModifiers())
        && c.getDeclaringClass() != null
        && !c.isInterface()
        && !c.isEnum()
        && !c.isRecord()) {
      s.append("static ");
    }
    if (Modifier.isFinal(c.getModifiers()) && !c.isEnum() && !c.isRecord()) {
      s.append("final ");
    }
    if (Modifier.isAbstract(c.getModifiers()) && !c.isInterface()) {
      s.append("abstract ");
    }
    s.append(kind).append(typeParameters(c.getTypeParameters()));
    Type superclass = c.getGenericSuperclass();
    if (superclass != null && superclass != Object.class && !c.isEnum() && !c.isRecord()) {
      s.append(" extends ").append(superclass.getTypeName());
    }
    Type[] interfaces = c.getGenericInterfaces();
    if (interfaces.length > 0 && !c.isAnnotation()) {
      s.append(c.isInterface() ? " extends " : " implements ")
          .append(
              Arrays.stream(interfaces).map(Type::getTypeName).collect(Collectors.joining(", ")));
    }
    return s.toString();
  }

  static String describe(Member m) {
    StringBuilder s = new StringBuilder();
    int mod = m.getModifiers();
    if (Modifier.isProtected(mod)) {
      s.append("protected ");
    }
    if (Modifier.isStatic(mod)) {
      s.append("static ");
    }
    if (m instanceof Field f) {
      if (Modifier.isFinal(mod)) {
        s.append("final ");
      }
      return "field " + s + f.getGenericType().getTypeName() + " " + f.getName();
    }
    Executable e = (Executable) m;
    if (e instanceof Method method && method.isDefault()) {
      s.append("default ");
    }
    String typeParameters = typeParameters(e.getTypeParameters());
    if (!typeParameters.isEmpty()) {
      s.append(typeParameters).append(' ');
    }
    Type[] parameters = e.getGenericParameterTypes();
    if (parameters.length != e.getParameterCount()) {
      parameters =
          e.getParameterTypes(); // inner-class and enum constructors leave generic info out
    }
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < parameters.length; i++) {
      String t = parameters[i].getTypeName();
      if (e.isVarArgs() && i == parameters.length - 1 && t.endsWith("[]")) {
        t = t.substring(0, t.length() - 2) + "...";
      }
      shown.add(t);
    }
    String exceptions = Arrays.stream(e.getGenericExceptionTypes())
        .map(Type::getTypeName)
        .collect(Collectors.joining(", "));
    String throwsClause = exceptions.isEmpty() ? "" : " throws " + exceptions;
    if (e instanceof Method method) {
      return "method " + s + method.getGenericReturnType().getTypeName() + " " + method.getName()
          + "(" + String.join(", ", shown) + ")" + throwsClause;
    }
    return "constructor " + s + "(" + String.join(", ", shown) + ")" + throwsClause;
  }

  private static String typeParameters(TypeVariable<?>[] variables) {
    if (variables.length == 0) {
      return "";
    }
    return Arrays.stream(variables)
        .map(v -> {
          Type[] bounds = v.getBounds();
          boolean plain = bounds.length == 1 && bounds[0] == Object.class;
          return plain
              ? v.getName()
              : v.getName() + " extends "
                  + Arrays.stream(bounds).map(Type::getTypeName).collect(Collectors.joining(" & "));
        })
        .collect(Collectors.joining(", ", "<", ">"));
  }

  /** The lines only in {@code expected} (-) and only in {@code actual} (+), members named with their type. */
  static String diff(List<String> expected, List<String> actual) {
    List<String> was = qualified(expected);
    List<String> is = qualified(actual);
    Set<String> before = Set.copyOf(was);
    Set<String> after = Set.copyOf(is);
    StringBuilder out = new StringBuilder();
    was.stream()
        .filter(l -> !after.contains(l))
        .forEach(l -> out.append("- ").append(l).append('\n'));
    is.stream()
        .filter(l -> !before.contains(l))
        .forEach(l -> out.append("+ ").append(l).append('\n'));
    return out.length() == 0 ? "(same lines, another order)" : out.toString();
  }

  private static List<String> qualified(List<String> lines) {
    List<String> out = new ArrayList<>();
    String type = "";
    for (String line : lines) {
      if (line.startsWith("  ")) {
        out.add(type + " ::" + line.substring(1));
      } else {
        type = line.contains(" : ") ? line.substring(0, line.indexOf(" : ")) : line;
        out.add(line);
      }
    }
    return out;
  }
}
