package test;

import javax.annotation.processing.Generated;

/**
 * The keys of {@link ProjectRepository}'s cached methods: each method takes the same parameters as the
 * annotated method and returns the key its template gives.
 */
@Generated("io.tiercache.processor.TierCacheProcessor")
public final class ProjectRepositoryKeys {
  private ProjectRepositoryKeys() {
  }

  /**
   * Returns the key of {@link ProjectRepository#name}: {@code name:{id}}.
   */
  public static String name(int id) {
    return "name:" + id;
  }

  /**
   * Returns the key or pattern removed by {@link ProjectRepository#rename}: {@code name:{id}}.
   */
  public static String rename(int id, String name) {
    return "name:" + id;
  }
}
