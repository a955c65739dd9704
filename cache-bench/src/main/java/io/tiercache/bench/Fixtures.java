package io.tiercache.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.tiercache.CacheSpec;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** What the benchmarks share: keys, loaders that insist on a hit, and the raw clients. */
final class Fixtures {

  /** The key prefix of every benchmark's {@link TierCache}; raw clients prepend it by hand. */
  static final String PREFIX = "bench";

  /**
   * The loader of every measured call. A benchmark measures hits only, so a miss (or a degraded
   * call, which also goes to the loader) fails the run instead of quietly timing something else.
   */
  static final Function<String, ProjectInfo> MUST_HIT = key -> {
    throw new IllegalStateException("the benchmark expected a hit for '" + key + "'");
  };

  /** The bulk loader of every measured {@code getAll}; see {@link #MUST_HIT}. */
  static final Function<Set<String>, Map<String, ProjectInfo>> MUST_HIT_ALL = keys -> {
    throw new IllegalStateException("the benchmark expected hits for " + keys.size() + " keys");
  };

  private Fixtures() {}

  /** {@code n} distinct ten-digit project ids, the same for every run. */
  static long[] ids(int n) {
    Random random = new Random(42);
    Set<Long> ids = new LinkedHashSet<>();
    while (ids.size() < n) {
      ids.add(1_000_000_000L + random.nextInt(1_000_000_000));
    }
    return ids.stream().mapToLong(Long::longValue).toArray();
  }

  /** The structured key of a project's details, as an application builds it. */
  static String key(long id) {
    return "project:" + id + ":info";
  }

  /** A Tiercache instance on {@code redis} declaring {@code cacheName} for {@link ProjectInfo}. */
  static TierCache tierCache(EmbeddedRedisServer redis, String cacheName, boolean l1) {
    return tierCache(redis, cacheName, l1, spec -> spec);
  }

  /** The same, with more settings for the cache. */
  static TierCache tierCache(
      EmbeddedRedisServer redis,
      String cacheName,
      boolean l1,
      UnaryOperator<CacheSpec.Builder> spec) {
    return TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix(PREFIX)
        // shared keys: the raw sides read what Tiercache stored under {prefix}:{key}; a cache's
        // own key space ({prefix}:{cache}:{key}) costs the same, a few bytes of key more
        .cache(cacheName, c -> spec.apply(c.valueType(ProjectInfo.class).l1(l1).sharedKeys(true)))
        .build();
  }

  /** The reader a hand-written service would use: the same mapper settings as Tiercache's. */
  static ObjectReader rawReader() {
    return new ObjectMapper()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .readerFor(ProjectInfo.class);
  }

  /**
   * The commands an instance sends on its own while a measured call runs (its heartbeat in the
   * live set every second, the L1 coherence reader, connections still being set up), which are
   * not part of the call.
   */
  static final Set<String> BACKGROUND = Set.of(
      "xread",
      "zadd",
      "zcount",
      "zremrangebyscore",
      "xrevrange",
      "subscribe",
      "hello",
      "client",
      "evalsha",
      "incr",
      "xadd");

  /**
   * Runs {@code action} and returns the commands Redis received meanwhile, by name, from {@code
   * INFO commandstats} (reset first). Connections must already be open.
   */
  static Map<String, Long> commandsDuring(EmbeddedRedisServer redis, Runnable action) {
    try (Resp resp = redis.connect()) {
      resp.command("CONFIG", "RESETSTAT");
      action.run();
      String info = String.valueOf(resp.command("INFO", "commandstats"));
      Map<String, Long> calls = new HashMap<>();
      for (String line : info.split("\r?\n")) {
        // cmdstat_mget:calls=1,usec=12,usec_per_call=12.00,...
        if (line.startsWith("cmdstat_")) {
          String name = line.substring("cmdstat_".length(), line.indexOf(':'));
          int start = line.indexOf("calls=") + "calls=".length();
          int end = line.indexOf(',', start);
          calls.put(name, Long.parseLong(line.substring(start, end)));
        }
      }
      // CONFIG RESETSTAT counts itself; INFO reports the stats from before its own call.
      calls.remove("config");
      return calls;
    }
  }
}
