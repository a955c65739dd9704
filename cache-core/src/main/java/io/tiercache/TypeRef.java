package io.tiercache;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * The full, possibly generic, type of a cached value, so that {@code List<Project>} is decoded as
 * a list of {@code Project} and not of maps.
 *
 * <pre>{@code
 * TypeRef<List<Project>> projects = new TypeRef<>() {};
 * TypeRef<Project> one = TypeRef.of(Project.class);
 * }</pre>
 *
 * @param <T> the type
 */
public abstract class TypeRef<T> {
  private final Type type;

  /** Captures the type argument of an anonymous subclass: {@code new TypeRef<List<X>>() {}}. */
  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType)) {
      throw new IllegalArgumentException(
          "TypeRef must be created with a type argument, as in new TypeRef<List<Project>>() {}");
    }
    this.type = ((ParameterizedType) superclass).getActualTypeArguments()[0];
  }

  private TypeRef(Type type) {
    this.type = type;
  }

  /**
   * The type of a non-generic class.
   *
   * @param type the class, not null
   */
  public static <T> TypeRef<T> of(Class<T> type) {
    if (type == null) {
      throw new NullPointerException("type must not be null");
    }
    return new TypeRef<T>(type) {};
  }

  /**
   * A type known only as a {@link Type}, for example from reflection or generated code.
   *
   * @param type the type, not null
   */
  public static <T> TypeRef<T> ofType(Type type) {
    if (type == null) {
      throw new NullPointerException("type must not be null");
    }
    return new TypeRef<T>(type) {};
  }

  /** The captured type. */
  public final Type type() {
    return type;
  }

  @Override
  public final boolean equals(Object other) {
    return other instanceof TypeRef && ((TypeRef<?>) other).type.equals(type);
  }

  @Override
  public final int hashCode() {
    return type.hashCode();
  }

  @Override
  public final String toString() {
    return type.getTypeName();
  }
}
