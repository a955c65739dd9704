package com.example.users;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiercache.TierCache;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The application under Spring Boot's own dependency management, on a real Redis. */
@SpringBootTest
class UserApplicationTest {
  static final EmbeddedRedisServer redis = EmbeddedRedisServer.launch();

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry registry) {
    registry.add("tiercache.redis.uri", redis::uri);
    // a cold JVM on a busy machine may take longer than the default second to connect
    registry.add("tiercache.redis.connect-timeout", () -> "5s");
  }

  @BeforeEach
  void redisIsUp() throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (!tier.isRedisAvailable() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(tier.isRedisAvailable()).isTrue();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Autowired TierCache tier;
  @Autowired UserService users;
  @Autowired MeterRegistry meters;
  @Autowired HealthEndpoint health;
  @Autowired CachesEndpoint caches;

  @Test
  void usersAreCachedInRedisForAnHourAndEvictedOnChange() {
    int before = users.queries(); // the service is shared by the tests of this class
    assertThat(users.user(1).name()).isEqualTo("Ada");
    assertThat(users.user(1).name()).isEqualTo("Ada");
    assertThat(users.queries()).isEqualTo(before + 1);
    try (Resp resp = redis.connect()) {
      long ttl = (Long) resp.command("PTTL", "fastapi_docs:users:1");
      assertThat(ttl).isBetween(3_000_000L, 3_960_000L); // 1 h with 10 % jitter
    }
    users.rename(1, "Ada L.");
    assertThat(users.user(1).name()).isEqualTo("Ada L.");
    assertThat(users.queries()).isEqualTo(before + 2);
  }

  @Test
  void healthMetricsAndTheCachesEndpointWorkWithTheStarterAlone() {
    users.login(2);
    assertThat(meters.find("cache.gets").tag("cache", "users").functionCounters()).isNotEmpty();
    IndicatedHealthDescriptor tiercache = (IndicatedHealthDescriptor) health.healthForPath("tiercache");
    assertThat(tiercache.getStatus().getCode()).isEqualTo("UP");
    assertThat(tiercache.getDetails()).containsEntry("redis", "UP");
    assertThat(caches.caches().getCacheManagers().get("cacheManager").getCaches()).containsKey("users");
    assertThat(caches.clearCache("users", null)).isTrue();
  }

  @Test
  void itRunsOnTheLibraryVersionsBootManages() {
    // Boot 4.0.7's choices, older than those Tiercache is built with.
    assertThat(io.lettuce.core.RedisClient.class.getPackage().getImplementationVersion()).startsWith("6.8.");
    assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString()).startsWith("2.21.");
  }
}
