package io.tiercache.toolkit;

import io.tiercache.TypeRef;

/** Opens typed hashes; a typed hash is a cheap view of one Redis hash. */
public interface Hashes {

  /**
   * A hash whose values are JSON of {@code type}.
   *
   * @param name not empty
   * @param type the value type
   * @return the hash
   */
  <T> TypedHash<T> json(String name, Class<T> type);

  /** {@link #json(String, Class)} for a generic value type. */
  <T> TypedHash<T> json(String name, TypeRef<T> type);

  /**
   * A hash whose values are UTF-8 strings, readable by any Redis client as they are.
   *
   * @param name not empty
   * @return the hash
   */
  TypedHash<String> strings(String name);
}
