package io.tiercache.examples.stats;

import io.tiercache.examples.stats.Model.AuthorViews;
import io.tiercache.examples.stats.Model.GlobalStats;
import io.tiercache.examples.stats.Model.UserStats;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The aggregations, computed by the database on every call. */
final class JdbcStatsService implements StatsService {

  private final Database db;
  private final Clock clock;

  JdbcStatsService(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  @Override
  public GlobalStats global() {
    long users = db.query("SELECT COUNT(*) FROM users", rows -> rows.next() ? rows.getLong(1) : 0L);
    Map<String, Long> byCategory = db.query(
        "SELECT category, SUM(views) FROM articles GROUP BY category ORDER BY category", rows -> {
          Map<String, Long> result = new LinkedHashMap<>();
          while (rows.next()) {
            result.put(rows.getString(1), rows.getLong(2));
          }
          return result;
        });
    long articles =
        db.query("SELECT COUNT(*) FROM articles", rows -> rows.next() ? rows.getLong(1) : 0L);
    List<AuthorViews> top = db.query(
        "SELECT u.id, u.display_name, SUM(a.views) AS v FROM articles a "
            + "JOIN users u ON u.id = a.author_id GROUP BY u.id, u.display_name ORDER BY v DESC, u.id LIMIT 5",
        rows -> {
          List<AuthorViews> result = new ArrayList<>();
          while (rows.next()) {
            result.add(new AuthorViews(rows.getLong(1), rows.getString(2), rows.getLong(3)));
          }
          return result;
        });
    long total = byCategory.values().stream().mapToLong(Long::longValue).sum();
    return new GlobalStats(
        users, articles, total, byCategory, top, clock.instant().toString());
  }

  @Override
  public UserStats user(long id) {
    boolean exists = db.query("SELECT 1 FROM users WHERE id = ?", rows -> rows.next(), id);
    if (!exists) {
      return null;
    }
    return db.query(
        "SELECT COUNT(*), COALESCE(SUM(views), 0), "
            + "(SELECT title FROM articles WHERE author_id = ? ORDER BY views DESC, id LIMIT 1) "
            + "FROM articles WHERE author_id = ?",
        rows -> {
          rows.next();
          long count = rows.getLong(1);
          long views = rows.getLong(2);
          return new UserStats(
              id,
              count,
              views,
              count == 0 ? 0 : Math.round(100.0 * views / count) / 100.0,
              rows.getString(3),
              clock.instant().toString());
        },
        id,
        id);
  }
}
