package io.tiercache.examples.counter;

import io.tiercache.RedisUnavailableException;
import io.tiercache.examples.stats.Articles;
import io.tiercache.examples.stats.Model.Article;
import io.tiercache.examples.web.HttpError;
import io.tiercache.examples.web.Principal;
import io.tiercache.examples.web.Request;
import io.tiercache.examples.web.Response;
import io.tiercache.examples.web.Router;
import io.tiercache.toolkit.Counters;
import io.tiercache.toolkit.Hashes;
import io.tiercache.toolkit.RateLimit;
import io.tiercache.toolkit.RateLimiter;
import io.tiercache.toolkit.RateLimiters;
import io.tiercache.toolkit.TypedHash;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counter use case (seed 001) on the toolkit: a like is one field in the article's likers
 * hash ({@code HSET} tells whether it is new) and one atomic increment of its counter, so a
 * user's like counts once however many times it is sent, and counts stay exact under
 * concurrent clients and across instances. Likes are rate-limited per user with a sliding
 * window: over the limit the answer is 429 with {@code Retry-After}.
 *
 * <pre>
 * GET  /articles/{id}          the article (article:{id}), its likes and views (one view added)
 * POST /articles/{id}/like     Bearer token; rate-limited per user
 * POST /articles/{id}/unlike   Bearer token; rate-limited per user
 * </pre>
 */
public final class CounterModule {

  private final Articles articles;
  private final Counters counters;
  private final Hashes hashes;
  private final RateLimiter likes;

  /**
   * @param articles the articles and their view counts
   * @param counters the toolkit's counters
   * @param hashes the toolkit's hashes
   * @param likeLimit likes and unlikes one user may send in {@code likeWindow}
   */
  public CounterModule(
      Articles articles,
      Counters counters,
      Hashes hashes,
      RateLimiters limiters,
      int likeLimit,
      Duration likeWindow) {
    this.articles = articles;
    this.counters = counters;
    this.hashes = hashes;
    this.likes = limiters.slidingWindow("likes", likeLimit, likeWindow);
  }

  /** Adds the routes; {@code auth} guards like and unlike. */
  public void routes(Router router, Router.Filter auth) {
    router
        .route("GET", "/articles/{id}", this::article)
        .route("POST", "/articles/{id}/like", auth, r -> like(r, true))
        .route("POST", "/articles/{id}/unlike", auth, r -> like(r, false));
  }

  /** The like count of an article. */
  public long likes(long articleId) {
    return counters.get(likesName(articleId));
  }

  private Response article(Request request) {
    long id = request.id("id");
    Article article = existing(id);
    long views = articles.view(id);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("article", article);
    body.put("views", views);
    body.put("likes", likesOrNull(id));
    return Response.json(body);
  }

  private Response like(Request request, boolean like) {
    long id = request.id("id");
    existing(id);
    long user = Principal.of(request).userId();
    RateLimit limit = likes.tryAcquire(Long.toString(user));
    if (!limit.allowed()) {
      long seconds = Math.max(1, (limit.retryAfter().toMillis() + 999) / 1000);
      throw new HttpError(
          429,
          "at most " + likes.limit() + " likes per " + likes.window().toSeconds() + " s; retry in "
              + seconds + " s",
          Map.of("Retry-After", Long.toString(seconds)));
    }
    TypedHash<String> likers = hashes.strings(likersName(id));
    boolean changed;
    long count;
    if (like) {
      changed = likers.put(Long.toString(user), Instant.now().toString());
      count = changed ? counters.increment(likesName(id)) : counters.get(likesName(id));
    } else {
      changed = likers.remove(Long.toString(user));
      count = changed ? counters.decrement(likesName(id)) : counters.get(likesName(id));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("article_id", id);
    body.put("liked", like);
    body.put("changed", changed);
    body.put("likes", count);
    body.put("remaining", limit.remaining());
    return Response.json(body);
  }

  private Article existing(long id) {
    Article article = articles.find(id);
    if (article == null) {
      throw HttpError.notFound("article " + id + " does not exist");
    }
    return article;
  }

  /** The count, or null while Redis is unavailable: the article is still served. */
  private Long likesOrNull(long id) {
    try {
      return counters.get(likesName(id));
    } catch (RedisUnavailableException e) {
      return null;
    }
  }

  private static String likesName(long articleId) {
    return "article:" + articleId + ":likes";
  }

  private static String likersName(long articleId) {
    return "article:" + articleId + ":likers";
  }
}
