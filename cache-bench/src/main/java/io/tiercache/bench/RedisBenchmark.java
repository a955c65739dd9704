package io.tiercache.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.tiercache.Cache;
import io.tiercache.CacheSpec;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.test.EmbeddedRedisServer;
import java.util.function.UnaryOperator;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The set-up shared by the benchmarks that run Tiercache on a Redis: one embedded Redis (6.2, a
 * free loopback port), a Tiercache instance over it, and for the raw side a plain Lettuce
 * connection with the codec Tiercache uses (UTF-8 keys, byte-array values). A subclass is a JMH
 * {@code @State}: its own {@code @Setup} calls {@link #startProjectCache} (or {@link #start}) and,
 * when it reads Redis by hand, {@link #connectRaw}; JMH calls {@link #stop} after the trial.
 */
abstract class RedisBenchmark {

  /** The cache every project benchmark reads. */
  static final String PROJECT_INFO = "project-info";

  EmbeddedRedisServer redis;
  TierCache tier;
  RedisClient client;
  StatefulRedisConnection<String, byte[]> connection;
  RedisCommands<String, byte[]> sync;
  RedisAsyncCommands<String, byte[]> async;

  /** Starts Redis and a Tiercache instance on it (key prefix {@link Fixtures#PREFIX}), then {@code config}. */
  final void start(UnaryOperator<TierCacheBuilder> config) {
    redis = EmbeddedRedisServer.launch();
    tier = config
        .apply(TierCache.builder().redisUri(redis.uri()).keyPrefix(Fixtures.PREFIX))
        .build();
  }

  /**
   * Starts Redis and a Tiercache instance with the cache {@value #PROJECT_INFO} of {@link
   * ProjectInfo}, L1 on or off, and {@code spec} on top of Tiercache's defaults.
   */
  final Cache<String, ProjectInfo> startProjectCache(
      boolean l1, UnaryOperator<CacheSpec.Builder> spec) {
    redis = EmbeddedRedisServer.launch();
    tier = Fixtures.tierCache(redis, PROJECT_INFO, l1, spec);
    return tier.cache(PROJECT_INFO, ProjectInfo.class);
  }

  /** Opens the raw side: a Lettuce client of its own with default settings, one connection. */
  final void connectRaw() {
    client = RedisClient.create(redis.uri());
    connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    sync = connection.sync();
    async = connection.async();
  }

  @TearDown
  public void stop() {
    if (connection != null) {
      connection.close();
    }
    if (client != null) {
      client.shutdown();
    }
    if (tier != null) {
      tier.close();
    }
    if (redis != null) {
      redis.close();
    }
  }
}
