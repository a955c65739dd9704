package io.tiercache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tiercache.TierCache;
import io.tiercache.spring.UserApp.User;
import io.tiercache.spring.UserApp.UserRepository;
import io.tiercache.spring.UserApp.UserService;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.Resp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.actuate.endpoint.CachesEndpoint;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The starter in real application contexts on a real (embedded) Redis. */
class StarterTest {

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

  @BeforeEach
  void flush() {
    redis.flushAll();
  }

  static long pttl(String key) {
    try (Resp resp = redis.connect()) {
      return (Long) resp.command("PTTL", key);
    }
  }

  @Test
  void propertiesReachTheCachesAndTheTtlIsSeenInRedis() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues(
            "tiercache.key-prefix=props",
            "tiercache.caches.users.ttl=2h",
            "tiercache.caches.users.l1-max-size=500",
            "tiercache.defaults.ttl=5m")
        .run(context -> {
          assertThat(context).hasNotFailed();
          UserService users = context.getBean(UserService.class);
          assertThat(users.user(42)).isEqualTo(new User(42, "Alan", "alan@example.org"));
          assertThat(users.user(42)).isEqualTo(new User(42, "Alan", "alan@example.org"));
          assertThat(context.getBean(UserRepository.class).loads).hasValue(1);
          long ttl = pttl("props:users:42");
          assertThat(ttl)
              .isBetween(
                  Duration.ofHours(2).minusMinutes(1).toMillis(),
                  Duration.ofHours(2).toMillis());
          TierCache tier = context.getBean(TierCache.class);
          assertThat(tier.cache("users", User.class).spec().l1MaxSize()).isEqualTo(500);
          // an undeclared cache gets the defaults
          users.byRegion("eu west", 1);
          assertThat(pttl("props:by-region:eu%20west:1"))
              .isBetween(Duration.ofMinutes(4).toMillis(), Duration.ofMinutes(5).toMillis());
        });
  }

  /** The level's properties reach the cache; without H2 on the class path start-up says what to add. */
  @Test
  void thePersistentLevelIsSetByProperties_andNamesTheDependencyItNeeds(@TempDir Path dir) {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues(
            "tiercache.key-prefix=l3p",
            "tiercache.caches.users.l3.directory=" + dir,
            "tiercache.caches.users.l3.max-bytes=2097152")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .hasStackTraceContaining(
                  "cache 'users' turns on the "
                      + "persistent level (l3), which needs H2's MVStore: add the dependency com.h2database:h2");
        });
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.caches.users.l3.max-bytes=10")
        .run(context -> assertThat(context.getStartupFailure())
            .hasStackTraceContaining("l3 maxBytes must be between"));
  }

  @Test
  void environmentVariablesAndRedisUrlReachTheCaches() {
    Map<String, Object> env = Map.of(
        "TIERCACHE_KEY_PREFIX",
        "envapp",
        "TIERCACHE_CACHES_USERS_TTL",
        "30m",
        "REDIS_URL",
        redis.uri());
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TiercacheAutoConfiguration.class))
        .withInitializer(c -> c.getEnvironment()
            .getPropertySources()
            .addFirst(new SystemEnvironmentPropertySource("systemEnvironment", env)))
        .withUserConfiguration(UserApp.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          context.getBean(UserService.class).user(1);
          long ttl = pttl("envapp:users:1");
          assertThat(ttl)
              .isBetween(
                  Duration.ofMinutes(29).toMillis(), Duration.ofMinutes(30).toMillis());
        });
  }

  @Test
  void anEvictionInOneContextIsSeenByTheOther() throws Exception {
    var runner = Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.key-prefix=two");
    runner.run(a -> runner.run(b -> {
      UserService serviceA = a.getBean(UserService.class);
      UserService serviceB = b.getBean(UserService.class);
      UserRepository repoB = b.getBean(UserRepository.class);
      serviceB.user(1);
      serviceB.user(2);
      assertThat(repoB.loads).hasValue(2);
      serviceB.user(1);
      assertThat(repoB.loads).hasValue(2); // L1 hit
      serviceA.update(1, "Ada L.");
      awaitTrue(
          () -> {
            serviceB.user(1);
            return repoB.loads.get() == 3;
          },
          "B's L1 dropped user 1 after A's @CacheEvict");
      serviceB.user(2);
      assertThat(repoB.loads).hasValue(3); // user 2 untouched

      serviceA.reload(); // @CacheEvict(allEntries = true)
      awaitTrue(
          () -> {
            serviceB.user(2);
            return repoB.loads.get() == 4;
          },
          "B's L1 dropped every user after A's allEntries eviction");
      try (Resp resp = redis.connect()) {
        awaitTrue(
            () -> ((List<?>) resp.command("KEYS", "two:users:*")).size() <= 1,
            "Redis keys cleared");
      }
    }));
  }

  @Test
  void syncCacheableLoadsOnceUnder64ConcurrentCallers() throws Exception {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.key-prefix=sync")
        .run(context -> {
          UserService users = context.getBean(UserService.class);
          ExecutorService pool = Executors.newFixedThreadPool(64);
          try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<User>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
              results.add(pool.submit(() -> {
                start.await();
                return users.slowUser(42);
              }));
            }
            start.countDown();
            for (Future<User> f : results) {
              assertThat(f.get(20, TimeUnit.SECONDS))
                  .isEqualTo(new User(42, "Alan", "alan@example.org"));
            }
          } finally {
            pool.shutdownNow();
          }
          assertThat(context.getBean(UserRepository.class).slowLoads).hasValue(1);
        });
  }

  @Test
  void optionalCompletableFutureMonoAndFluxMethodsAreCached() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.key-prefix=async")
        .run(context -> {
          UserService users = context.getBean(UserService.class);
          UserRepository repo = context.getBean(UserRepository.class);
          assertThat(users.maybeUser(2)).contains(new User(2, "Grace", "grace@example.org"));
          assertThat(users.user(2))
              .isEqualTo(new User(2, "Grace", "grace@example.org")); // same cache, same key
          assertThat(repo.loads).hasValue(1);

          assertThat(users.userAsync(1).get(5, TimeUnit.SECONDS).name()).isEqualTo("Ada");
          assertThat(users.userAsync(1).get(5, TimeUnit.SECONDS).name()).isEqualTo("Ada");
          assertThat(users.userAsyncSync(42).get(5, TimeUnit.SECONDS).name()).isEqualTo("Alan");
          assertThat(users.userAsyncSync(42).get(5, TimeUnit.SECONDS).name()).isEqualTo("Alan");
          assertThat(repo.loads).hasValue(3);

          assertThat(users.userMono(1).block(Duration.ofSeconds(5)).name()).isEqualTo("Ada");
          assertThat(users.userMono(1).block(Duration.ofSeconds(5)).name()).isEqualTo("Ada");
          assertThat(repo.loads).hasValue(4);

          assertThat(users.team("core").collectList().block(Duration.ofSeconds(5)))
              .hasSize(2);
          assertThat(users.team("core").map(User::name).collectList().block(Duration.ofSeconds(5)))
              .containsExactly("Ada", "Grace");
          assertThat(repo.loads).hasValue(6);
          assertThat(pttl("async:team:core")).isPositive();

          // the login writes the user (seed 003's pre-write), read afterwards without a load
          users.login("alan@example.org", 42);
          int before = repo.loads.get();
          assertThat(users.user(42).name()).isEqualTo("Alan");
          assertThat(repo.loads).hasValue(before);
        });
  }

  @Test
  void metersAreBoundToTheApplicationsRegistry() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class, Registry.class)
        .withPropertyValues(
            "tiercache.key-prefix=meters",
            "tiercache.metrics.tags.app=users-demo",
            "tiercache.caches.late.value-type=java.lang.String")
        .run(context -> {
          assertThat(context).hasNotFailed();
          context.getBean(UserService.class).user(1);
          context.getBean(UserService.class).user(1);
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry
                  .find("cache.gets")
                  .tags("cache", "users", "result", "hit", "app", "users-demo")
                  .functionCounter())
              .isNotNull();
          assertThat(registry
                  .find("cache.gets")
                  .tags("cache", "users", "result", "hit")
                  .functionCounter()
                  .count())
              .isEqualTo(1.0);
          assertThat(registry.find("tiercache.redis.available").gauge()).isNotNull();
          // a cache made after start-up through the CacheManager is bound too
          context.getBean(CacheManager.class).getCache("late").put("k", "v");
          assertThat(registry.find("cache.gets").tags("cache", "late").functionCounters())
              .isNotEmpty();
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void theCachesEndpointListsAndClearsThroughTheCacheManager() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.key-prefix=endpoint")
        .run(context -> {
          UserService users = context.getBean(UserService.class);
          users.user(1);
          CachesEndpoint endpoint = new CachesEndpoint(context.getBeansOfType(CacheManager.class));
          assertThat(endpoint.caches().getCacheManagers().get("cacheManager").getCaches())
              .containsKey("users");
          assertThat(endpoint.clearCache("users", null)).isTrue();
          users.user(1);
          assertThat(context.getBean(UserRepository.class).loads).hasValue(2);
        });
  }

  @Test
  void healthGoesDownWhenRedisStopsAndUpWhenItIsBack() throws Exception {
    EmbeddedRedisServer own = EmbeddedRedisServer.launch();
    try {
      Contexts.runner(own)
          .withUserConfiguration(UserApp.class)
          .withPropertyValues(
              "tiercache.key-prefix=health", "tiercache.redis.command-timeout=200ms")
          .run(context -> {
            TierCacheHealthIndicator health = context.getBean(TierCacheHealthIndicator.class);
            UserService users = context.getBean(UserService.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            assertThat(health.health().getDetails())
                .containsEntry("redis", "UP")
                .containsEntry("breaker", "closed")
                .containsEntry("l1Answering", true)
                .containsEntry("degraded", false);
            own.stop();
            awaitTrue(
                () -> {
                  users.user(1); // still answers, from the loader
                  return health.health().getStatus().equals(Status.DOWN);
                },
                "health DOWN after Redis stopped");
            Health down = health.health();
            assertThat(down.getDetails())
                .containsEntry("breaker", "open")
                .containsEntry("degraded", true);
            own.start();
            awaitTrue(
                () -> health.health().getStatus().equals(Status.UP),
                "health UP after Redis restarted");
          });
    } finally {
      own.close();
    }
  }

  @Test
  void theDownStatusIsConfigurable() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.health.down-status=DEGRADED")
        .run(context -> assertThat(
                context.getBean(TiercacheProperties.class).getHealth().getDownStatus())
            .isEqualTo("DEGRADED"));
  }

  @Test
  void aBadPropertyFailsStartUpNamingTheProperty() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.caches.users.ttl-jitter=1.5")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("tiercache.caches.users.ttl-jitter")
            .hasStackTraceContaining("ttlJitter must be in [0, 1)"));
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.defaults.l1-max-size=-3")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("tiercache.defaults.l1-max-size"));
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.caches.users.ttl=banana")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("tiercache.caches.users.ttl"));
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.caches.users.tll=1h") // a typo
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("tiercache.caches.users.tll"));
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.key-prefix=a:b")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("tiercache.key-prefix"));
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues(
            "tiercache.caches.users.refresh-after=2h", "tiercache.caches.users.ttl=1h")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            // a rule across two settings is checked when the spec is built: cache-core names the
            // settings
            .hasStackTraceContaining("tiercache.* configuration cannot be built")
            .hasStackTraceContaining("refreshAfter (PT2H) must be shorter than ttl (PT1H)"));
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.caches.users.replica-acks.replicas=99")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("tiercache.caches.users.replica-acks.replicas"));
  }

  @Test
  void aSecretInTheRedisUriIsNotInTheMessage() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TiercacheAutoConfiguration.class))
        .withPropertyValues("tiercache.redis.uri=http://user:s3cret@localhost:1")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).hasStackTraceContaining("tiercache.redis.uri");
          StringWriter trace = new StringWriter();
          context.getStartupFailure().printStackTrace(new PrintWriter(trace));
          assertThat(trace.toString()).doesNotContain("s3cret");
        });
  }

  @Test
  void undeclaredCachesAreRefusedWhenTheSwitchIsOff() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues(
            "tiercache.allow-undeclared-caches=false", "tiercache.caches.users.ttl=1h")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("is not declared")
            .hasStackTraceContaining("tiercache.allow-undeclared-caches"));
  }

  @Test
  void aSpringCacheWithSharedKeysIsRefused() {
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .withPropertyValues("tiercache.caches.users.shared-keys=true")
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("cache 'users' sets shared-keys"));
  }

  @Test
  void twoValueTypesForOneCacheFailStartUpNamingBothMethods() {
    Contexts.runner(redis)
        .withUserConfiguration(Conflicting.class)
        .run(context -> assertThat(context)
            .hasFailed()
            .getFailure()
            .hasStackTraceContaining("Conflicting$Service.name(long)")
            .hasStackTraceContaining("Conflicting$Service.age(long)")
            .hasStackTraceContaining("tiercache.caches.people.value-type"));
    Contexts.runner(redis)
        .withUserConfiguration(Conflicting.class)
        .withPropertyValues("tiercache.caches.people.value-type=java.lang.String")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Conflicting {
    static class Service {
      @Cacheable("people")
      public String name(long id) {
        return "n" + id;
      }

      @Cacheable("people")
      public Integer age(long id) {
        return (int) id;
      }
    }

    @Bean
    Service service() {
      return new Service();
    }
  }

  @Test
  void theTierCacheIsClosedWithTheContext() {
    TierCache[] seen = new TierCache[1];
    Contexts.runner(redis)
        .withUserConfiguration(UserApp.class)
        .run(context -> seen[0] = context.getBean(TierCache.class));
    Assertions.assertThatThrownBy(() -> seen[0].cache("users", User.class).get("1", k -> null))
        .isInstanceOf(IllegalStateException.class);
  }

  static void awaitTrue(Callable<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (Boolean.TRUE.equals(condition.call())) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out waiting for: " + what);
  }

  static Optional<Object> none() {
    return Optional.empty();
  }
}
