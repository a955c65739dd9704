package io.tiercache.processor.runtime;

/** A key segment type whose constants share one {@code toString()}: keys must use {@code name()}. */
public enum Level {
  GOLD,
  SILVER;

  @Override
  public String toString() {
    return "level";
  }
}
