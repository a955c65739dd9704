package io.tiercache.bench;

import io.tiercache.annotation.Cached;

/** The service of {@link L1HitBenchmark}'s decorator; the processor generates {@code CachedProjectService}. */
public interface ProjectService {

  /** A project's details. */
  @Cached(cache = "project-info", key = "project:{id}:info")
  ProjectInfo info(long id);
}
