package io.tiercache.toolkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ScriptOutputType;
import io.tiercache.TypeRef;
import io.tiercache.internal.redis.RedisTier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CappedLists} on Redis lists: {@code LPUSH} and {@code LTRIM} in one script. */
final class RedisCappedLists implements CappedLists {

  private static final Logger log = LoggerFactory.getLogger(RedisCappedLists.class);

  // KEYS: list; ARGV: capacity, items. Returns the size after trimming.
  private static final Script PUSH = new Script("""
      for i = 2, #ARGV do
        redis.call('LPUSH', KEYS[1], ARGV[i])
      end
      local cap = tonumber(ARGV[1])
      redis.call('LTRIM', KEYS[1], 0, cap - 1)
      return redis.call('LLEN', KEYS[1])
      """);

  private final RedisTier redis;
  private final String prefix;
  private final ObjectMapper mapper;

  RedisCappedLists(RedisTier redis, String prefix, ObjectMapper mapper) {
    this.redis = redis;
    this.prefix = prefix;
    this.mapper = mapper;
  }

  @Override
  public <T> CappedList<T> get(String name, int capacity, Class<T> type) {
    return open(name, capacity, Json.of(mapper, Names.requireNonNull(type, "type")));
  }

  @Override
  public <T> CappedList<T> get(String name, int capacity, TypeRef<T> type) {
    return open(name, capacity, Json.of(mapper, Names.requireNonNull(type, "type")));
  }

  private <T> CappedList<T> open(String name, int capacity, Json<T> json) {
    Names.requireName(name, "name");
    Names.requirePositive(capacity, "capacity");
    return new ListView<>(name, Names.key(prefix, "list", name), capacity, json);
  }

  private final class ListView<T> extends RedisStructure implements CappedList<T> {
    private final int capacity;
    private final Json<T> json;

    ListView(String name, String key, int capacity, Json<T> json) {
      super(RedisCappedLists.this.redis, name, key, "capped list");
      this.capacity = capacity;
      this.json = json;
    }

    @Override
    public long push(T item) {
      return pushAll(List.of(Names.requireNonNull(item, "item")));
    }

    @Override
    public long pushAll(List<? extends T> items) {
      Names.requireNonNull(items, "items");
      if (items.isEmpty()) {
        return size();
      }
      byte[][] args = new byte[items.size() + 1][];
      args[0] = Names.utf8(capacity);
      for (int i = 0; i < items.size(); i++) {
        args[i + 1] = json.encode(Names.requireNonNull(items.get(i), "items[" + i + "]"));
      }
      return redis.call(
          "capped list push",
          r -> PUSH.<Long>run(r, ScriptOutputType.INTEGER, new String[] {key}, args));
    }

    @Override
    public List<T> latest() {
      return latest(capacity);
    }

    @Override
    public List<T> latest(int n) {
      Names.requirePositive(n, "n");
      int count = Math.min(n, capacity);
      List<byte[]> raw = redis.call("capped list LRANGE", r -> r.lrange(key, 0, count - 1));
      List<T> items = new ArrayList<>(raw.size());
      for (byte[] bytes : raw) {
        try {
          T item = json.decode(bytes);
          if (item != null) {
            items.add(item);
          } else {
            log.warn("capped list '{}' holds a null item; skipped", name);
          }
        } catch (IOException e) {
          log.warn(
              "capped list '{}' holds an item that is not a {}; skipped", name, json.typeName());
        }
      }
      return items;
    }

    @Override
    public long size() {
      return redis.call("capped list LLEN", r -> r.llen(key));
    }

    @Override
    public Optional<T> popLatest() {
      return decoded(redis.call("capped list LPOP", r -> r.lpop(key)));
    }

    @Override
    public Optional<T> popOldest() {
      return decoded(redis.call("capped list RPOP", r -> r.rpop(key)));
    }

    private Optional<T> decoded(byte[] bytes) {
      if (bytes == null) {
        return Optional.empty();
      }
      try {
        return Optional.ofNullable(json.decode(bytes));
      } catch (IOException e) {
        log.warn("capped list '{}': a popped item is not a {}; dropped", name, json.typeName());
        return Optional.empty();
      }
    }

    @Override
    public int capacity() {
      return capacity;
    }
  }
}
