package io.tiercache;

import io.tiercache.internal.redis.RedisTier;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The versions of the versioned namespaces, as this instance knows them. */
final class Namespaces {

  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9._%~@+=,/-]+(:[A-Za-z0-9._%~@+=,/-]+)*");

  private final RedisTier redis;
  private final String versionKeyPrefix;
  private final Coherence coherence;
  private final Map<String, Long> versions = new ConcurrentHashMap<>();

  Namespaces(RedisTier redis, String keyPrefix, Coherence coherence) {
    this.redis = redis;
    this.versionKeyPrefix = ReservedKeys.namespaceVersions(keyPrefix);
    this.coherence = coherence;
  }

  Namespace get(String name) {
    if (name == null) {
      throw new NullPointerException("namespace name must not be null");
    }
    if (!NAME.matcher(name).matches() || name.startsWith("__")) {
      throw new IllegalArgumentException("namespace name must be key segments joined by ':' (build "
          + "variable parts with Keys.segment), without glob characters, not starting with '__', was '"
          + name + "'");
    }
    return new Namespace() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long version() {
        return versionOf(name);
      }

      @Override
      public String key(Object... parts) {
        if (parts == null || parts.length == 0) {
          throw new IllegalArgumentException("parts must hold at least one segment");
        }
        return name + ":v" + versionOf(name) + ":" + Keys.of(parts);
      }

      @Override
      public long bump() {
        if (redis == null) {
          long next = versions.merge(name, 1L, Long::sum);
          return next;
        }
        long next = redis.call("INCR", c -> c.incr(versionKeyPrefix + name));
        versions.put(name, next);
        if (coherence != null) {
          coherence.publishNamespace(name, next);
        }
        return next;
      }

      @Override
      public String toString() {
        return "Namespace{" + name + ", v" + versionOf(name) + "}";
      }
    };
  }

  private long versionOf(String name) {
    Long known = versions.get(name);
    if (known != null) {
      return known;
    }
    if (redis == null) {
      return versions.computeIfAbsent(name, n -> 0L);
    }
    try {
      byte[] stored = redis.call("GET", c -> c.get(versionKeyPrefix + name));
      long version =
          stored == null ? 0 : Long.parseLong(new String(stored, StandardCharsets.US_ASCII));
      Long raced = versions.putIfAbsent(name, version);
      return raced == null ? version : raced;
    } catch (RedisUnavailableException | NumberFormatException e) {
      return 0; // not remembered: read again once Redis answers
    }
  }

  /** A version announced: versions only move forward (the shards may deliver two bumps in either order). */
  void update(String name, long version) {
    versions.merge(name, version, Math::max);
  }

  void reset() {
    versions.clear();
  }
}
