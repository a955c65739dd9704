package com.example.projects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tiercache.CacheStats;
import io.tiercache.test.EmbeddedRedisServer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real Redis, started here without the JUnit extension (see junit-extension for that). */
class ProjectCatalogTest {
  private static EmbeddedRedisServer redis;

  private final AtomicInteger calls = new AtomicInteger();
  private final ProjectApi api = new ProjectApi() {
    @Override
    public ProjectInfo info(long id) {
      calls.incrementAndGet();
      return new ProjectInfo(id, "project " + id, 3);
    }

    @Override
    public Map<Long, User> findUsers(Set<Long> ids) {
      calls.incrementAndGet();
      return ids.stream().collect(Collectors.toMap(id -> id, id -> new User(id, "user " + id)));
    }
  };

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedisServer.launch();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void info_loadsOnceThenHits() {
    try (ProjectCatalog catalog = new ProjectCatalog(redis.uri(), api)) {
      assertEquals("project 42", catalog.info(42).name());
      assertEquals("project 42", catalog.info(42).name());
      assertEquals(1, calls.get());
      CacheStats stats = catalog.infoStats();
      assertEquals(1, stats.l1Hits());
      assertEquals(1, stats.loads());
    }
  }

  @Test
  void info_afterChanged_loadsAgain() {
    try (ProjectCatalog catalog = new ProjectCatalog(redis.uri(), api)) {
      catalog.info(7);
      catalog.changed(7);
      catalog.info(7);
      assertEquals(2, calls.get());
    }
  }

  @Test
  void info_fromAnotherInstance_isReadFromRedis() {
    try (ProjectCatalog first = new ProjectCatalog(redis.uri(), api);
        ProjectCatalog second = new ProjectCatalog(redis.uri(), api)) {
      first.info(9);
      assertEquals("project 9", second.info(9).name());
      assertEquals(1, calls.get());
      assertEquals(1, second.infoStats().l2Hits());
    }
  }

  @Test
  void users_loadsTheMissingOnesInOneCall() {
    try (ProjectCatalog catalog = new ProjectCatalog(redis.uri(), api)) {
      catalog.users(Set.of(1L, 2L));
      Map<Long, User> users = catalog.users(Set.of(1L, 2L, 3L));
      assertEquals(Set.of(1L, 2L, 3L), users.keySet());
      assertEquals(2, calls.get());
    }
  }

  @Test
  void removeProject_removesItsKeys() {
    try (ProjectCatalog catalog = new ProjectCatalog(redis.uri(), api)) {
      catalog.info(5);
      catalog.removeProject(5);
      catalog.info(5);
      assertEquals(2, calls.get());
    }
  }
}
