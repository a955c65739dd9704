package io.tiercache.toolkit;

import io.lettuce.core.SetArgs;
import io.tiercache.RedisUnavailableException;
import io.tiercache.internal.redis.RedisTier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Blobs} as one Redis string per blob: a frame of magic byte {@code 'B'}, version 1, the
 * content type's length (one byte) and ASCII, then the content. One {@code GET} reads both.
 */
final class RedisBlobs implements Blobs {

  private static final Logger log = LoggerFactory.getLogger(RedisBlobs.class);
  private static final byte MAGIC = 'B';
  private static final byte VERSION = 1;

  private final RedisTier redis;
  private final String prefix;
  private final long maxBytes;
  private final Duration ttl;

  RedisBlobs(RedisTier redis, String prefix, long maxBytes, Duration ttl) {
    if (maxBytes <= 0 || maxBytes > MAX_MAX_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be between 1 and " + MAX_MAX_BYTES + ", was " + maxBytes);
    }
    Names.requirePositiveMillis(ttl, "ttl");
    this.redis = redis;
    this.prefix = prefix;
    this.maxBytes = maxBytes;
    this.ttl = ttl;
  }

  private String key(String key) {
    return Names.key(prefix, "blob", Names.requireName(key, "key"));
  }

  @Override
  public boolean put(String key, Blob blob) {
    return put(key, blob, ttl);
  }

  @Override
  public boolean put(String key, Blob blob, Duration ttl) {
    String redisKey = key(key);
    Names.requireNonNull(blob, "blob");
    long millis = Names.requirePositiveMillis(ttl, "ttl");
    if (blob.size() > maxBytes) {
      throw new IllegalArgumentException(
          "blob must be at most maxBytes " + maxBytes + " bytes, was " + blob.size());
    }
    byte[] frame = encode(blob);
    try {
      redis.call("blob SET", r -> r.set(redisKey, frame, SetArgs.Builder.px(millis)));
      return true;
    } catch (RedisUnavailableException e) {
      redis.rememberDelete(redisKey);
      log.debug("blob '{}' not stored: {}", key, e.getMessage());
      return false;
    }
  }

  @Override
  public Optional<Blob> get(String key) {
    String redisKey = key(key);
    byte[] frame;
    try {
      frame = redis.call("blob GET", r -> r.get(redisKey));
    } catch (RedisUnavailableException e) {
      log.debug("blob '{}' read as a miss: {}", key, e.getMessage());
      return Optional.empty();
    }
    if (frame == null) {
      return Optional.empty();
    }
    Blob blob = decode(frame);
    if (blob == null) {
      log.warn("blob '{}' is stored in an unknown format; deleted and read as a miss", key);
      deleteQuietly(redisKey);
    }
    return Optional.ofNullable(blob);
  }

  @Override
  public Blob getOrLoad(String key, Function<String, Blob> loader) {
    Names.requireNonNull(loader, "loader");
    Optional<Blob> cached = get(key);
    if (cached.isPresent()) {
      return cached.get();
    }
    Blob loaded = loader.apply(key);
    if (loaded == null) {
      throw new NullPointerException("loader must not return null (key '" + key + "')");
    }
    if (loaded.size() <= maxBytes) {
      put(key, loaded);
    } else {
      log.debug(
          "blob '{}' of {} bytes is over the limit of {}; not cached",
          key,
          loaded.size(),
          maxBytes);
    }
    return loaded;
  }

  @Override
  public boolean delete(String key) {
    String redisKey = key(key);
    try {
      return redis.call("blob DEL", r -> r.del(redisKey)) > 0;
    } catch (RedisUnavailableException e) {
      redis.rememberDelete(redisKey);
      return false;
    }
  }

  private void deleteQuietly(String redisKey) {
    try {
      redis.delete(List.of(redisKey));
    } catch (RedisUnavailableException e) {
      redis.rememberDelete(redisKey);
    }
  }

  @Override
  public long maxBytes() {
    return maxBytes;
  }

  @Override
  public Duration ttl() {
    return ttl;
  }

  static byte[] encode(Blob blob) {
    byte[] type = blob.contentType().getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = blob.bytes();
    return ByteBuffer.allocate(3 + type.length + bytes.length)
        .put(MAGIC)
        .put(VERSION)
        .put((byte) type.length)
        .put(type)
        .put(bytes)
        .array();
  }

  static Blob decode(byte[] frame) {
    if (frame.length < 4 || frame[0] != MAGIC || frame[1] != VERSION) {
      return null;
    }
    int typeLength = frame[2] & 0xFF;
    if (typeLength == 0 || frame.length < 3 + typeLength) {
      return null;
    }
    try {
      String type = new String(frame, 3, typeLength, StandardCharsets.US_ASCII);
      byte[] bytes = new byte[frame.length - 3 - typeLength];
      System.arraycopy(frame, 3 + typeLength, bytes, 0, bytes.length);
      return new Blob(bytes, type);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
