package com.example.projects;

import java.util.Map;
import java.util.Set;

/** The slow upstream the caches sit in front of. */
public interface ProjectApi {
  ProjectInfo info(long id);

  Map<Long, User> findUsers(Set<Long> ids);
}
