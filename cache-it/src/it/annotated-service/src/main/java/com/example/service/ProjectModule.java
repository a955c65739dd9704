package com.example.service;

import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;

/** Wires the generated decorator: one TierCache for the application, the service behind it. */
public final class ProjectModule implements AutoCloseable {
  private final TierCache tier;
  private final ProjectService projects;

  public ProjectModule(String redisUri, ProjectService database) {
    TierCacheBuilder builder = TierCache.builder().redisUri(redisUri).keyPrefix("shop");
    CachedProjectService.declareCaches(builder);       // projects, members, titles, with the annotations' TTLs
    builder.cache("members", c -> c.ttlJitter(0.1));    // the application's own settings win
    this.tier = builder.build();
    this.projects = new CachedProjectService(database, tier);
  }

  public ProjectService projects() {
    return projects;
  }

  @Override
  public void close() {
    tier.close();
  }
}
