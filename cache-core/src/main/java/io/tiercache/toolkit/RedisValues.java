package io.tiercache.toolkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.tiercache.TypeRef;
import io.tiercache.internal.redis.RedisTier;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Values} on Redis strings holding JSON. */
final class RedisValues implements Values {

  private static final Logger log = LoggerFactory.getLogger(RedisValues.class);
  private static final int BATCH = 1_000;

  private final RedisTier redis;
  private final String prefix;
  private final ObjectMapper mapper;

  RedisValues(RedisTier redis, String prefix, ObjectMapper mapper) {
    this.redis = redis;
    this.prefix = prefix;
    this.mapper = mapper;
  }

  private String key(String key) {
    return Names.key(prefix, "value", Names.requireName(key, "key"));
  }

  @Override
  public <T> void set(String key, T value, Duration ttl) {
    String k = key(key);
    long millis = Names.requirePositiveMillis(ttl, "ttl");
    byte[] json = encode(value);
    redis.call("value SET", r -> r.set(k, json, SetArgs.Builder.px(millis)));
  }

  @Override
  public <T> void set(String key, T value) {
    String k = key(key);
    byte[] json = encode(value);
    redis.call("value SET", r -> r.set(k, json));
  }

  private <T> byte[] encode(T value) {
    Names.requireNonNull(value, "value");
    @SuppressWarnings("unchecked")
    Json<T> json = (Json<T>) Json.of(mapper, value.getClass());
    byte[] bytes = json.encode(value);
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException(
          "value must be at most " + MAX_BYTES + " bytes as JSON, was " + bytes.length);
    }
    return bytes;
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    return read(key, Json.of(mapper, Names.requireNonNull(type, "type")));
  }

  @Override
  public <T> Optional<T> get(String key, TypeRef<T> type) {
    return read(key, Json.of(mapper, Names.requireNonNull(type, "type")));
  }

  private <T> Optional<T> read(String key, Json<T> json) {
    String k = key(key);
    byte[] bytes = redis.getBounded(k, MAX_BYTES);
    if (bytes == null) {
      return Optional.empty();
    }
    if (bytes.length > MAX_BYTES) {
      log.warn("value '{}' is larger than {} bytes; read as absent", key, MAX_BYTES);
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(json.decode(bytes));
    } catch (IOException e) {
      log.warn("value '{}' is not a {}; read as absent", key, json.typeName());
      return Optional.empty();
    }
  }

  @Override
  public boolean delete(String key) {
    String k = key(key);
    Long n = redis.call("value UNLINK", r -> r.unlink(k));
    return n != null && n > 0;
  }

  @Override
  public long deleteAll(Collection<String> keys) {
    Names.requireNonNull(keys, "keys");
    List<String> all = new ArrayList<>(keys.size());
    for (String key : keys) {
      all.add(key(key));
    }
    long deleted = 0;
    for (int from = 0; from < all.size(); from += BATCH) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + BATCH));
      deleted += redis.pipeline(
          "value UNLINK",
          r -> {
            List<RedisFuture<?>> futures = new ArrayList<>(batch.size());
            for (String k : batch) {
              futures.add(r.unlink(k));
            }
            return futures;
          },
          futures -> {
            long n = 0;
            for (RedisFuture<?> f : futures) {
              n += (Long) f.toCompletableFuture().join();
            }
            return n;
          });
    }
    return deleted;
  }

  @Override
  public boolean exists(String key) {
    String k = key(key);
    Long n = redis.call("value EXISTS", r -> r.exists(k));
    return n != null && n > 0;
  }

  @Override
  public Optional<Duration> ttl(String key) {
    String k = key(key);
    Long millis = redis.call("value PTTL", r -> r.pttl(k));
    return millis == null || millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
  }

  @Override
  public boolean expire(String key, Duration ttl) {
    String k = key(key);
    long millis = Names.requirePositiveMillis(ttl, "ttl");
    Boolean set = redis.call("value PEXPIRE", r -> r.pexpire(k, millis));
    return Boolean.TRUE.equals(set);
  }
}
