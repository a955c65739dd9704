package io.tiercache.examples.stats;

import java.util.List;
import java.util.Map;

/** The stats use case's values, as cached and as served. */
public final class Model {

  private Model() {}

  /** A user, without credentials: {@code user:{id}}. */
  public record User(
      long id, String name, String displayName, String email, String city, String createdOn) {}

  /** The body of {@code PUT /users/{id}}: the fields to change, null for unchanged. */
  public record UserUpdate(String displayName, String email, String city) {}

  /** {@code stats:global}: aggregations over every article. */
  public record GlobalStats(
      long users,
      long articles,
      long totalViews,
      Map<String, Long> viewsByCategory,
      List<AuthorViews> topAuthors,
      String computedAt) {}

  /** An author and the views of their articles. */
  public record AuthorViews(long userId, String name, long views) {}

  /** {@code stats:user:{id}}: one author's figures. */
  public record UserStats(
      long userId,
      long articles,
      long totalViews,
      double averageViews,
      String mostViewed,
      String computedAt) {}

  /** An article: {@code article:{id}}. {@code views} is the count when the row was read. */
  public record Article(
      long id, long authorId, String title, String category, long views, String publishedOn) {}
}
