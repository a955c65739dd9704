package io.tiercache.toolkit;

import io.tiercache.TypeRef;

/** Opens capped lists; a capped list is a cheap view of one Redis list. */
public interface CappedLists {

  /**
   * The list {@code name} keeping the latest {@code capacity} items of {@code type}.
   *
   * @param name not empty
   * @param capacity positive
   * @param type the item type, read and written as JSON
   * @return the list
   */
  <T> CappedList<T> get(String name, int capacity, Class<T> type);

  /** {@link #get(String, int, Class)} for a generic item type. */
  <T> CappedList<T> get(String name, int capacity, TypeRef<T> type);
}
