package io.tiercache.toolkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.CodecException;
import io.tiercache.TypeRef;
import io.tiercache.internal.codec.ValueCodec;
import java.io.IOException;

/** One value type's JSON encoding; encode failures throw {@link CodecException}. */
final class Json<T> {

  private final ObjectMapper mapper;
  private final JavaType type;

  private Json(ObjectMapper mapper, JavaType type) {
    this.mapper = mapper;
    this.type = type;
  }

  static <T> Json<T> of(ObjectMapper mapper, Class<T> type) {
    return checked(mapper, mapper.constructType(Names.requireNonNull(type, "type")));
  }

  static <T> Json<T> of(ObjectMapper mapper, TypeRef<T> type) {
    return checked(
        mapper, mapper.constructType(Names.requireNonNull(type, "type").type()));
  }

  /** Refuses, at once, a type whose values could be written but never read back. */
  private static <T> Json<T> checked(ObjectMapper mapper, JavaType type) {
    ValueCodec.requireReadable(mapper, type, "type");
    return new Json<>(mapper, type);
  }

  byte[] encode(T value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new CodecException("cannot write a " + type + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Decodes, or throws {@link IOException} for the caller to treat as a miss. */
  T decode(byte[] bytes) throws IOException {
    return mapper.readValue(bytes, type);
  }

  String typeName() {
    return type.toString();
  }
}
