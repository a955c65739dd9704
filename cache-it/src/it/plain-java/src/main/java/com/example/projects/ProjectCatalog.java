package com.example.projects;

import io.tiercache.Cache;
import io.tiercache.CacheStats;
import io.tiercache.Keys;
import io.tiercache.TierCache;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

public final class ProjectCatalog implements AutoCloseable {
  private final TierCache tier;
  private final Cache<String, ProjectInfo> info;
  private final Cache<Long, User> users;
  private final ProjectApi api;

  public ProjectCatalog(String redisUri, ProjectApi api) {
    this.api = api;
    this.tier = TierCache.builder()
        .redisUri(redisUri)                                        // rediss:// for TLS
        .keyPrefix("shop")                                         // Redis keys are shop:{cache}:{key}
        .defaults(d -> d.ttl(Duration.ofHours(1)).ttlJitter(0.1))  // ±10% against avalanches
        .cache("project-info", c -> c.valueType(ProjectInfo.class).ttl(Duration.ofHours(2)))
        .cache("users", c -> c.valueType(User.class).l1(false))   // Redis only
        .build();
    this.info = tier.cache("project-info");
    this.users = tier.cache("users");
  }

  /** L1, then Redis, then the API: once, however many threads ask at the same time. */
  public ProjectInfo info(long id) {
    return info.get(Keys.of("project", id, "info"), key -> api.info(id));
  }

  /** One Redis round trip; the missing ids in one call of the API. */
  public Map<Long, User> users(Set<Long> ids) {
    return users.getAll(ids, missing -> api.findUsers(missing));
  }

  /** After a change upstream: Redis, then this instance's L1 and every other instance's. */
  public void changed(long id) {
    info.invalidate(Keys.of("project", id, "info"));
  }

  /** Every key of the project, in every cache: SCAN + UNLINK. */
  public long removeProject(long id) {
    return tier.invalidatePattern("project:" + Keys.segment(id) + ":*");
  }

  public CacheStats infoStats() {
    return info.stats();  // hits per level, loads, degraded calls
  }

  @Override
  public void close() {
    tier.close();  // drains write-back queues, closes the connection
  }
}
