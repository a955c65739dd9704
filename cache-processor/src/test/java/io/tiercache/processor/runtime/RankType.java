package io.tiercache.processor.runtime;

/** A key segment type: an enum's text is its constant. */
public enum RankType {
  continuous,
  total
}
