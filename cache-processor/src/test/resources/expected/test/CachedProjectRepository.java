package test;

import io.tiercache.Cache;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import java.util.Objects;
import javax.annotation.processing.Generated;

/**
 * A {@link ProjectRepository} whose annotated methods go through the cache.
 *
 * <p>Declare the caches with {@link #declareCaches} before building the {@link TierCache}.
 */
@Generated("io.tiercache.processor.TierCacheProcessor")
public final class CachedProjectRepository extends ProjectRepository {
  private final TierCache tierCache;

  private final Cache<String, String> nameCache;

  /**
   * Calls the matching constructor of {@link ProjectRepository} and uses the caches of {@code tierCache}.
   */
  public CachedProjectRepository(TierCache tierCache, String table) {
    super(table);
    this.tierCache = Objects.requireNonNull(tierCache, "tierCache must not be null");
    this.nameCache = this.tierCache.cache("names", String.class);
  }

  /**
   * Calls the matching constructor of {@link ProjectRepository} and uses the caches of {@code tierCache}.
   */
  public CachedProjectRepository(TierCache tierCache) {
    super();
    this.tierCache = Objects.requireNonNull(tierCache, "tierCache must not be null");
    this.nameCache = this.tierCache.cache("names", String.class);
  }

  /**
   * Declares the caches that {@link ProjectRepository} uses, with the settings of its annotations. A
   * {@code builder.cache(name, ...)} declaration of the application overrides them.
   *
   * @param builder the builder of the {@link TierCache} to use, not null
   * @return {@code builder}
   */
  public static TierCacheBuilder declareCaches(TierCacheBuilder builder) {
    Objects.requireNonNull(builder, "builder must not be null");
    return builder
            .cacheDefaults("names", spec -> spec);
  }

  @Override
  public String name(int id) {
    if (this.tierCache == null) {
      // called by the superclass constructor, before the caches are set
      return super.name(id);
    }
    String key = ProjectRepositoryKeys.name(id);
    String cached = this.nameCache.getIfInL1(key);
    return cached != null ? cached : this.nameCache.get(key, k -> super.name(id));
  }

  @Override
  protected void rename(int id, String name) {
    if (this.tierCache == null) {
      // called by the superclass constructor, before the caches are set
      super.rename(id, name);
      return;
    }
    super.rename(id, name);
    this.tierCache.invalidate(ProjectRepositoryKeys.rename(id, name));
  }
}
