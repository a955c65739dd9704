package test;

import io.tiercache.Cache;
import io.tiercache.Strategy;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.TypeRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.annotation.processing.Generated;

/**
 * Caches the results of a {@link ProjectService} as its annotations say; other calls go to the delegate.
 *
 * <p>Declare the caches with {@link #declareCaches} before building the {@link TierCache}.
 */
@Generated("io.tiercache.processor.TierCacheProcessor")
public final class CachedProjectService implements ProjectService {
  private final ProjectService delegate;

  private final TierCache tierCache;

  private final Cache<String, ProjectInfo> infoCache;

  private final Cache<String, List<String>> leaderboardCache;

  private final Cache<String, String> usersCache;

  private final Cache<String, String> ownerCache;

  private final Cache<String, Integer> statsCache;

  private final Cache<String, List<String>> searchCache;

  private final Cache<String, ProjectInfo> saveCache;

  /**
   * Decorates {@code delegate} with the caches of {@code tierCache}, which must declare them
   * (see {@link #declareCaches}).
   */
  public CachedProjectService(ProjectService delegate, TierCache tierCache) {
    this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
    this.tierCache = Objects.requireNonNull(tierCache, "tierCache must not be null");
    this.infoCache = this.tierCache.cache("project-info", ProjectInfo.class);
    this.leaderboardCache = this.tierCache.cache("leaderboard", new TypeRef<List<String>>() {});
    this.usersCache = this.tierCache.cache("projects", String.class);
    this.ownerCache = this.tierCache.cache("projects", String.class);
    this.statsCache = this.tierCache.cache("projects", Integer.class);
    this.searchCache = this.tierCache.cache("projects", new TypeRef<List<String>>() {});
    this.saveCache = this.tierCache.cache("project-info", ProjectInfo.class);
  }

  /**
   * Declares the caches that {@link ProjectService} uses, with the settings of its annotations. A
   * {@code builder.cache(name, ...)} declaration of the application overrides them.
   *
   * @param builder the builder of the {@link TierCache} to use, not null
   * @return {@code builder}
   */
  public static TierCacheBuilder declareCaches(TierCacheBuilder builder) {
    Objects.requireNonNull(builder, "builder must not be null");
    return builder
            .cacheDefaults("project-info", spec -> spec
                .ttl(Duration.ofHours(2))
                .nullTtl(Duration.ofMinutes(1))
                .l1Ttl(Duration.ofMinutes(5))
                .ttlJitter(0.1)
                .l1MaxSize(50000L)
                .strategy(Strategy.CACHE_ASIDE)
                .distributedLoad(Duration.ofSeconds(3))
                .compressionThreshold(0))
            .cacheDefaults("leaderboard", spec -> spec
                .ttl(Duration.ofHours(1))
                .refreshAfter(Duration.ofMinutes(30))
                .ttlJitter(0.1)
                .distributedLoad(Duration.ofSeconds(3)))
            .cacheDefaults("projects", spec -> spec
                .ttlJitter(0.25)
                .l1(false)
                .distributedLoad(Duration.ofSeconds(3)));
  }

  @Override
  public ProjectInfo info(long id) {
    String key = ProjectServiceKeys.info(id);
    ProjectInfo cached = this.infoCache.getIfInL1(key);
    return cached != null ? cached : this.infoCache.get(key, k -> this.delegate.info(id));
  }

  @Override
  public List<String> leaderboard(long id, RankType type) {
    String key = ProjectServiceKeys.leaderboard(id, type);
    List<String> cached = this.leaderboardCache.getIfInL1(key);
    return cached != null ? cached : this.leaderboardCache.get(key, k -> this.delegate.leaderboard(id, type));
  }

  @Override
  public Map<Long, String> users(Set<Long> ids) {
    Objects.requireNonNull(ids, "ids must not be null");
    List<String> keys = new ArrayList<>(ids.size());
    Map<String, Long> elements = new HashMap<>();
    for (Long element : ids) {
      String key = ProjectServiceKeys.usersKey(element);
      keys.add(key);
      elements.put(key, element);
    }
    Map<String, String> values = this.usersCache.getAll(keys, missing -> {
      Set<Long> missingElements = new LinkedHashSet<>();
      for (String key : missing) {
        missingElements.add(elements.get(key));
      }
      Map<Long, String> loaded = this.delegate.users(missingElements);
      Objects.requireNonNull(loaded, "users() returned null: return a map of the values found, empty if none");
      Map<String, String> loadedByKey = new HashMap<>();
      for (Map.Entry<Long, String> entry : loaded.entrySet()) {
        loadedByKey.put(ProjectServiceKeys.usersKey(entry.getKey()), entry.getValue());
      }
      return loadedByKey;
    });
    Map<Long, String> result = new LinkedHashMap<>();
    for (String key : keys) {
      String value = values.get(key);
      if (value != null) {
        result.put(elements.get(key), value);
      }
    }
    return result;
  }

  @Override
  public Optional<String> owner(long id) {
    String key = ProjectServiceKeys.owner(id);
    String cached = this.ownerCache.getIfInL1(key);
    return cached != null ? Optional.of(cached) : Optional.ofNullable(this.ownerCache.get(key, k -> this.delegate.owner(id).orElse(null)));
  }

  @Override
  public CompletableFuture<Integer> stats(long id) {
    return this.statsCache.getAsync(ProjectServiceKeys.stats(id), key -> this.delegate.stats(id));
  }

  @Override
  public List<String> search(Filter filter) {
    String key = ProjectServiceKeys.search(filter);
    List<String> cached = this.searchCache.getIfInL1(key);
    return cached != null ? cached : this.searchCache.get(key, k -> this.delegate.search(filter));
  }

  @Override
  public ProjectInfo save(ProjectInfo p) {
    ProjectInfo value = this.delegate.save(p);
    String key = ProjectServiceKeys.save(p);
    if (value != null) {
      this.saveCache.put(key, value);
    } else {
      this.tierCache.invalidate(key);
    }
    return value;
  }

  @Override
  public void checkIn(long id, long userId) {
    this.delegate.checkIn(id, userId);
    List<String> keys = ProjectServiceKeys.checkIn(id, userId);
    this.tierCache.invalidatePattern(keys.get(0));
    this.tierCache.invalidate(keys.get(1));
  }

  @Override
  public String name() {
    return this.delegate.name();
  }
}
