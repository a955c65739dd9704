package com.example.service;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Stands in for the database: counts its reads, so the tests see what the cache saves. */
public class DbProjectService implements ProjectService {
  private final Map<Long, Project> rows = new ConcurrentHashMap<>();
  final AtomicInteger reads = new AtomicInteger();

  @Override
  public Project project(long id) {
    reads.incrementAndGet();
    return rows.get(id);
  }

  @Override
  public List<String> members(long id) {
    reads.incrementAndGet();
    return List.of("ada", "linus");
  }

  @Override
  public Map<Long, Project> projects(Set<Long> ids) {
    reads.incrementAndGet();
    return ids.stream().filter(rows::containsKey).collect(Collectors.toMap(id -> id, rows::get));
  }

  @Override
  public Project save(Project p) {
    rows.put(p.id(), p);
    return p;
  }

  @Override
  public void delete(long id) {
    rows.remove(id);
  }

  @Deprecated
  @Override
  public String title(long id) {
    reads.incrementAndGet();
    Project p = rows.get(id);
    return p == null ? null : p.name().toUpperCase(java.util.Locale.ROOT);
  }
}
