package io.tiercache.examples.stats;

import io.tiercache.Cache;
import io.tiercache.CacheWriter;
import io.tiercache.Keys;
import io.tiercache.Strategy;
import io.tiercache.TierCache;
import io.tiercache.TierCacheBuilder;
import io.tiercache.examples.stats.Model.Article;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Articles, read through the {@code articles} cache ({@code article:{id}}, 10 min), and their view
 * counts, a write-back example: each read adds one view in the {@code article-views} cache and
 * returns at once; the counts reach the {@code articles.views} column in coalesced batches
 * (every second, and when the app closes), one {@code UPDATE} batch instead of one per view.
 *
 * <p>The read-modify-write of a count is serialised per article in this instance. Several
 * instances counting the same article would use a Redis counter (see the counter use case) and
 * write its value back instead.
 */
public final class Articles {

  /** How often pending view counts are written to the database. */
  public static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

  private final Database db;
  private final Cache<String, Article> articles;
  private final Cache<Long, Long> views;
  private final Object[] locks = new Object[64];
  private final Flushes flushes;

  private Articles(Database db, TierCache tier, Flushes flushes) {
    this.db = db;
    this.flushes = flushes;
    this.articles = tier.cache("articles", Article.class);
    this.views = tier.cache("article-views", Long.class);
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
  }

  /** Counts the batches the write-back writer sent to the database. */
  public static final class Flushes implements CacheWriter<Long, Long> {
    private final Database db;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();

    Flushes(Database db) {
      this.db = db;
    }

    @Override
    public void write(Long id, Long count) {
      writeAll(Map.of(id, count));
    }

    @Override
    public void writeAll(Map<Long, Long> counts) {
      List<Object[]> params = new ArrayList<>(counts.size());
      counts.forEach((id, count) -> params.add(new Object[] {count, id}));
      db.batch("UPDATE articles SET views = ? WHERE id = ?", params);
      batches.incrementAndGet();
      rows.addAndGet(counts.size());
    }
  }

  /** Declares {@code articles} and the write-back {@code article-views} over {@code db}. */
  static Flushes declareCaches(TierCacheBuilder builder, Database db) {
    Flushes flushes = new Flushes(db);
    builder
        .cache(
            "articles",
            c -> c.valueType(Article.class)
                .ttl(Duration.ofMinutes(10))
                .nullTtl(Duration.ofMinutes(1)))
        .cache(
            "article-views",
            c -> c.valueType(Long.class)
                .ttl(Duration.ofHours(1))
                .strategy(Strategy.WRITE_BACK)
                .writer(flushes)
                .writeBackInterval(FLUSH_INTERVAL));
    return flushes;
  }

  static Articles create(Database db, TierCache tier, Flushes flushes) {
    return new Articles(db, tier, flushes);
  }

  /** The article, or null if there is none. */
  public Article find(long id) {
    return articles.get(
        Keys.of("article", id),
        k -> db.query(
            "SELECT id, author_id, title, category, views, published_on FROM articles WHERE id = ?",
            rows -> rows.next()
                ? new Article(
                    rows.getLong(1),
                    rows.getLong(2),
                    rows.getString(3),
                    rows.getString(4),
                    rows.getLong(5),
                    rows.getObject(6).toString())
                : null,
            id));
  }

  /** Adds one view of an existing article; returns the new count. */
  public long view(long id) {
    synchronized (locks[(int) (id % locks.length)]) {
      long count = current(id) + 1;
      views.put(id, count);
      return count;
    }
  }

  /** The view count, including views not yet written to the database. */
  public long views(long id) {
    return current(id);
  }

  /** Writes pending view counts now. */
  public void flush() {
    views.flush();
  }

  /** Batches written to the database so far. */
  public long flushedBatches() {
    return flushes.batches.get();
  }

  /** Rows written by those batches. */
  public long flushedRows() {
    return flushes.rows.get();
  }

  private long current(long id) {
    Long count = views.get(
        id,
        k -> db.query(
            "SELECT views FROM articles WHERE id = ?",
            rows -> rows.next() ? rows.getLong(1) : null,
            id));
    return count == null ? 0 : count;
  }
}
