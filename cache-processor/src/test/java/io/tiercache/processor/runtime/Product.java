package io.tiercache.processor.runtime;

/** A cached value. */
public record Product(long id, String name) {}
