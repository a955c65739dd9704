package com.example.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tiercache.test.RedisExtension;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProjectServiceTest {
  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  private final DbProjectService db = new DbProjectService();

  @Test
  void project_readsTheDatabaseOnce() {
    db.save(new Project(1, "tiercache"));
    try (ProjectModule module = new ProjectModule(redis.uri(), db)) {
      ProjectService projects = module.projects();
      assertEquals("tiercache", projects.project(1).name());
      assertEquals("tiercache", projects.project(1).name());
      assertEquals(List.of("ada", "linus"), projects.members(1));
      assertEquals(2, db.reads.get());
    }
  }

  @Test
  void projects_loadsOnlyTheMissingIds() {
    db.save(new Project(1, "one"));
    db.save(new Project(2, "two"));
    try (ProjectModule module = new ProjectModule(redis.uri(), db)) {
      ProjectService projects = module.projects();
      projects.project(1);
      Map<Long, Project> both = projects.projects(Set.of(1L, 2L));
      assertEquals(Set.of(1L, 2L), both.keySet());
      assertEquals(2, db.reads.get());
    }
  }

  @Test
  void save_thenDelete_updatesAndRemoves() {
    try (ProjectModule module = new ProjectModule(redis.uri(), db)) {
      ProjectService projects = module.projects();
      projects.save(new Project(3, "three"));
      assertEquals("three", projects.project(3).name());
      assertEquals(0, db.reads.get());                   // @CachePut stored it
      projects.delete(3);
      assertNull(projects.project(3));
      assertEquals(1, db.reads.get());
    }
  }

  @Test
  @SuppressWarnings("deprecation")                       // calling the deprecated method is this test's point
  void title_deprecatedMethod_isCachedToo() {
    db.save(new Project(4, "four"));
    try (ProjectModule module = new ProjectModule(redis.uri(), db)) {
      ProjectService projects = module.projects();
      assertEquals("FOUR", projects.title(4));
      assertEquals("FOUR", projects.title(4));
      assertEquals(1, db.reads.get());
    }
  }
}
