package io.tiercache.spring;

import io.tiercache.test.EmbeddedRedisServer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Application contexts as Boot makes them, with the starter's auto-configuration. */
final class Contexts {

  private Contexts() {}

  static ApplicationContextRunner runner(EmbeddedRedisServer redis) {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(TiercacheAutoConfiguration.class, CacheAutoConfiguration.class))
        .withPropertyValues(
            "tiercache.redis.uri=" + redis.uri(), "tiercache.redis.probe-interval=100ms");
  }
}
