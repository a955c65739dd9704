package com.example.service;

import io.tiercache.annotation.CacheDefaults;
import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;
import java.util.List;
import java.util.Map;
import java.util.Set;

@CacheDefaults(cache = "projects")
public interface ProjectService {
  @Cached(key = "project:{id}", ttl = "2h")
  Project project(long id);

  @Cached(cache = "members", key = "project:{id}:members", ttl = "10m")
  List<String> members(long id);

  @Cached(key = "project:{ids[]}")                   // one Redis read, one call for the missing ids
  Map<Long, Project> projects(Set<Long> ids);

  @CachePut(key = "project:{p.id}")
  Project save(Project p);

  @Invalidate(key = "project:{id}:*")                 // every key of the project, in every cache
  @Invalidate(key = "project:{id}")
  void delete(long id);

  /** @deprecated use {@link #project(long)}; still cached meanwhile. */
  @Deprecated
  @Cached(cache = "titles", key = "project:{id}:title")
  String title(long id);
}
