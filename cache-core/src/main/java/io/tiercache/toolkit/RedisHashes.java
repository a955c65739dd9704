package io.tiercache.toolkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.TypeRef;
import io.tiercache.internal.redis.RedisTier;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Hashes} on Redis hashes with a per-view value encoding. */
final class RedisHashes implements Hashes {

  private static final Logger log = LoggerFactory.getLogger(RedisHashes.class);

  /** How a view turns values into field bytes and back. */
  private interface FieldCodec<T> {
    byte[] encode(T value);

    T decode(byte[] bytes) throws IOException;

    String typeName();
  }

  private static final FieldCodec<String> STRINGS = new FieldCodec<>() {
    @Override
    public byte[] encode(String value) {
      return Names.utf8(value);
    }

    @Override
    public String decode(byte[] bytes) {
      return Names.string(bytes);
    }

    @Override
    public String typeName() {
      return "string";
    }
  };

  private final RedisTier redis;
  private final String prefix;
  private final ObjectMapper mapper;

  RedisHashes(RedisTier redis, String prefix, ObjectMapper mapper) {
    this.redis = redis;
    this.prefix = prefix;
    this.mapper = mapper;
  }

  @Override
  public <T> TypedHash<T> json(String name, Class<T> type) {
    return open(name, jsonCodec(Json.of(mapper, Names.requireNonNull(type, "type"))));
  }

  @Override
  public <T> TypedHash<T> json(String name, TypeRef<T> type) {
    return open(name, jsonCodec(Json.of(mapper, Names.requireNonNull(type, "type"))));
  }

  @Override
  public TypedHash<String> strings(String name) {
    return open(name, STRINGS);
  }

  private static <T> FieldCodec<T> jsonCodec(Json<T> json) {
    return new FieldCodec<>() {
      @Override
      public byte[] encode(T value) {
        return json.encode(value);
      }

      @Override
      public T decode(byte[] bytes) throws IOException {
        return json.decode(bytes);
      }

      @Override
      public String typeName() {
        return json.typeName();
      }
    };
  }

  private <T> TypedHash<T> open(String name, FieldCodec<T> codec) {
    Names.requireName(name, "name");
    return new HashView<>(name, Names.key(prefix, "hash", name), codec);
  }

  private final class HashView<T> extends RedisStructure implements TypedHash<T> {
    private final FieldCodec<T> codec;

    HashView(String name, String key, FieldCodec<T> codec) {
      super(RedisHashes.this.redis, name, key, "hash");
      this.codec = codec;
    }

    private T decode(String field, byte[] bytes) {
      try {
        return codec.decode(bytes);
      } catch (IOException e) {
        log.warn("hash '{}' field '{}' is not a {}; read as absent", name, field, codec.typeName());
        return null;
      }
    }

    @Override
    public boolean put(String field, T value) {
      Names.requireName(field, "field");
      byte[] bytes = codec.encode(Names.requireNonNull(value, "value"));
      return redis.call("hash HSET", r -> r.hset(key, field, bytes));
    }

    @Override
    public void putAll(Map<String, ? extends T> values) {
      Names.requireNonNull(values, "values");
      if (values.isEmpty()) {
        return;
      }
      Map<String, byte[]> encoded = new LinkedHashMap<>();
      values.forEach((field, value) -> encoded.put(
          Names.requireName(field, "field"),
          codec.encode(Names.requireNonNull(value, "value of field " + field))));
      redis.call("hash HSET", r -> r.hset(key, encoded));
    }

    @Override
    public Optional<T> get(String field) {
      Names.requireName(field, "field");
      byte[] bytes = redis.call("hash HGET", r -> r.hget(key, field));
      return bytes == null ? Optional.empty() : Optional.ofNullable(decode(field, bytes));
    }

    @Override
    public Map<String, T> getAll() {
      Map<String, byte[]> raw = redis.call("hash HGETALL", r -> r.hgetall(key));
      Map<String, T> values = new LinkedHashMap<>();
      raw.forEach((field, bytes) -> {
        T value = decode(field, bytes);
        if (value != null) {
          values.put(field, value);
        }
      });
      return values;
    }

    @Override
    public boolean remove(String field) {
      Names.requireName(field, "field");
      return redis.call("hash HDEL", r -> r.hdel(key, field)) > 0;
    }

    @Override
    public boolean contains(String field) {
      Names.requireName(field, "field");
      return redis.call("hash HEXISTS", r -> r.hexists(key, field));
    }

    @Override
    public long size() {
      return redis.call("hash HLEN", r -> r.hlen(key));
    }
  }
}
