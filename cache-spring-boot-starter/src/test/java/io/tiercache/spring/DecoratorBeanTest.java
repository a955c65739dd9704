package io.tiercache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiercache.TierCache;
import io.tiercache.spring.ProfileService.Profile;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/** A generated Cached{Type} decorator as a bean, its caches declared through a customizer. */
class DecoratorBeanTest {

  static EmbeddedRedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedisServer.launch();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  /** The database-backed implementation. */
  static class DbProfileService implements ProfileService {
    final AtomicInteger loads = new AtomicInteger();

    @Override
    public Profile profile(long id) {
      loads.incrementAndGet();
      return new Profile(id, "bio " + id);
    }

    @Override
    public void changed(long id) {}
  }

  /** The documented pattern (docs/spring.md). */
  @Configuration(proxyBeanMethods = false)
  static class ProfileConfig {
    @Bean
    TierCacheBuilderCustomizer profileCaches() {
      return CachedProfileService::declareCaches;
    }

    @Bean
    DbProfileService dbProfileService() {
      return new DbProfileService();
    }

    /** Primary: the undecorated delegate is a bean of the same type too. */
    @Bean
    @Primary
    ProfileService profileService(DbProfileService db, TierCache tierCache) {
      return new CachedProfileService(db, tierCache);
    }
  }

  @Test
  void theDecoratorBeanCachesWithTheAnnotationsSettingsAndThePropertiesWin() {
    Contexts.runner(redis)
        .withUserConfiguration(ProfileConfig.class)
        .withPropertyValues("tiercache.key-prefix=deco", "tiercache.allow-undeclared-caches=false")
        .run(context -> {
          assertThat(context).hasNotFailed();
          ProfileService profiles = context.getBean(ProfileService.class);
          DbProfileService db = context.getBean(DbProfileService.class);
          assertThat(profiles.profile(7)).isEqualTo(new Profile(7, "bio 7"));
          assertThat(profiles.profile(7)).isEqualTo(new Profile(7, "bio 7"));
          assertThat(db.loads).hasValue(1);
          try (Resp resp = redis.connect()) {
            long ttl = (Long) resp.command("PTTL", "deco:profiles:profile:7");
            assertThat(ttl)
                .isBetween(
                    Duration.ofHours(2).minusMinutes(1).toMillis(),
                    Duration.ofHours(2).toMillis());
          }
          profiles.changed(7);
          profiles.profile(7);
          assertThat(db.loads).hasValue(2);
        });
    Contexts.runner(redis)
        .withUserConfiguration(ProfileConfig.class)
        .withPropertyValues("tiercache.key-prefix=deco2", "tiercache.caches.profiles.ttl=10m")
        .run(context -> {
          context.getBean(ProfileService.class).profile(8);
          try (Resp resp = redis.connect()) {
            long ttl = (Long) resp.command("PTTL", "deco2:profiles:profile:8");
            assertThat(ttl)
                .isBetween(
                    Duration.ofMinutes(9).toMillis(), Duration.ofMinutes(10).toMillis());
          }
        });
  }
}
