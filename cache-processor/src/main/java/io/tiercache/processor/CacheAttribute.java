package io.tiercache.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.Optional;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.VariableElement;

/**
 * A cache setting that {@code @Cached} and {@code @CacheDefaults} can give, and the {@code
 * CacheSpec.Builder} method the generated {@code declareCaches} passes it to. Only values written
 * in the source count: an attribute left out sets nothing, whatever its default value. The
 * constants' order is the order of the calls in {@code declareCaches}.
 */
enum CacheAttribute {
  TTL("ttl", "ttl", Kind.DURATION),
  NULL_TTL("nullTtl", "nullTtl", Kind.DURATION),
  LOCAL_TTL("localTtl", "l1Ttl", Kind.DURATION),
  REFRESH("refresh", "refreshAfter", Kind.DURATION),
  TTL_JITTER("ttlJitter", "ttlJitter", Kind.FRACTION),
  L1("l1", "l1", Kind.BOOLEAN),
  LOCAL_MAX_SIZE("localMaxSize", "l1MaxSize", Kind.POSITIVE_LONG),
  STRATEGY("strategy", "strategy", Kind.STRATEGY),
  DISTRIBUTED_LOAD("distributedLoad", "distributedLoad", Kind.DURATION),
  COMPRESSION_THRESHOLD("compressionThreshold", "compressionThreshold", Kind.NON_NEGATIVE_INT),
  BLOOM_GUARD("bloomGuard", "bloomGuard", Kind.POSITIVE_LONG);

  private static final ClassName DURATION = ClassName.get("java.time", "Duration");
  private static final ClassName STRATEGY_ENUM = ClassName.get("io.tiercache", "Strategy");

  /** What values an attribute takes. */
  private enum Kind {
    DURATION,
    FRACTION,
    BOOLEAN,
    POSITIVE_LONG,
    STRATEGY,
    NON_NEGATIVE_INT
  }

  /**
   * A valid value.
   *
   * @param text the value as messages quote it: {@code 2h}, {@code 0.1}, {@code WRITE_BACK}
   * @param value what two declarations compare: a {@code java.time.Duration}, a number, a boolean
   *     or the strategy's name ({@code "120m"} equals {@code "2h"})
   * @param code the argument of the builder method in generated code
   */
  record Value(String text, Object value, CodeBlock code) {}

  /** Thrown by {@link #parse} with the message to report. */
  static final class InvalidException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidException(String message) {
      super(message, null, false, false);
    }
  }

  final String attribute;
  final String builderMethod;
  private final Kind kind;

  CacheAttribute(String attribute, String builderMethod, Kind kind) {
    this.attribute = attribute;
    this.builderMethod = builderMethod;
    this.kind = kind;
  }

  /**
   * The value written for this attribute, or empty when it was left out (or is an empty duration,
   * which means "not set").
   *
   * @throws InvalidException if the written value is not allowed
   */
  Optional<Value> parse(AnnotationValue written) throws InvalidException {
    if (written == null) {
      return Optional.empty();
    }
    Object raw = written.getValue();
    switch (kind) {
      case DURATION: {
        if (!(raw instanceof String text) || text.isEmpty()) {
          return Optional.empty();
        }
        Durations.Parsed parsed = Durations.parse(text)
            .orElseThrow(() -> new InvalidException(Messages.badDuration(attribute, text)));
        return Optional.of(new Value(
            text,
            parsed.toDuration(),
            CodeBlock.of(
                "$T.$N($L)",
                DURATION,
                parsed.factory(),
                parsed.amount() + (parsed.amount() > Integer.MAX_VALUE ? "L" : ""))));
      }
      case FRACTION: {
        if (!(raw instanceof Number number)) {
          return Optional.empty(); // not a number: javac has said so
        }
        double jitter = number.doubleValue();
        if (!(jitter >= 0 && jitter < 1)) {
          throw new InvalidException(
              Messages.badSetting(attribute, String.valueOf(jitter), "must be in [0, 1)"));
        }
        return Optional.of(
            new Value(String.valueOf(jitter), jitter, CodeBlock.of("$L", String.valueOf(jitter))));
      }
      case BOOLEAN:
        if (!(raw instanceof Boolean)) {
          return Optional.empty();
        }
        return Optional.of(new Value(String.valueOf(raw), raw, CodeBlock.of("$L", raw)));
      case POSITIVE_LONG: {
        if (!(raw instanceof Number number)) {
          return Optional.empty();
        }
        long size = number.longValue();
        if (size <= 0) {
          throw new InvalidException(
              Messages.badSetting(attribute, String.valueOf(size), "must be positive"));
        }
        return Optional.of(new Value(String.valueOf(size), size, CodeBlock.of("$LL", size)));
      }
      case STRATEGY: {
        if (!(raw instanceof VariableElement constant)) {
          return Optional.empty();
        }
        String name = constant.getSimpleName().toString();
        return Optional.of(new Value(name, name, CodeBlock.of("$T.$N", STRATEGY_ENUM, name)));
      }
      default: {
        if (!(raw instanceof Number number)) {
          return Optional.empty();
        }
        int bytes = number.intValue();
        if (bytes < 0) {
          throw new InvalidException(
              Messages.badSetting(attribute, String.valueOf(bytes), "must not be negative"));
        }
        return Optional.of(new Value(String.valueOf(bytes), bytes, CodeBlock.of("$L", bytes)));
      }
    }
  }
}
