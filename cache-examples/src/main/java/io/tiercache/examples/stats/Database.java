package io.tiercache.examples.stats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The stats use case's upstream: an in-process H2 database with {@code users} and
 * {@code articles}, seeded with a few thousand rows. Every statement is counted and can be made
 * to cost a fixed network round trip ({@code latencyMillis}), as a remote database would.
 *
 * <p>User {@code n} logs in as {@code user{n}} with the password {@code password{n}}.
 */
public final class Database implements AutoCloseable {

  /** Article categories. */
  static final String[] CATEGORIES = {"java", "redis", "databases", "devops", "frontend", "career"};

  private static final String[] CITIES = {
    "Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Chengdu", "Berlin", "Lisbon", "Toronto"
  };

  /** A read of one row or value. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rows) throws SQLException;
  }

  private final JdbcConnectionPool pool;
  private final long latencyMillis;
  private final AtomicLong statements = new AtomicLong();
  private final int users;
  private final int articles;

  private Database(JdbcConnectionPool pool, long latencyMillis, int users, int articles) {
    this.pool = pool;
    this.latencyMillis = latencyMillis;
    this.users = users;
    this.articles = articles;
  }

  /** A fresh database with {@code users} users and {@code articles} articles. */
  public static Database create(int users, int articles, long latencyMillis) {
    if (users < 1 || articles < 1) {
      throw new IllegalArgumentException(
          "users and articles must be positive, were " + users + ", " + articles);
    }
    JdbcConnectionPool pool = JdbcConnectionPool.create(
        "jdbc:h2:mem:tiercache-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    pool.setMaxConnections(32);
    Database db = new Database(pool, latencyMillis, users, articles);
    try {
      db.seed();
    } catch (SQLException e) {
      pool.dispose();
      throw new IllegalStateException("cannot seed the example database", e);
    }
    return db;
  }

  private void seed() throws SQLException {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE, "
              + "display_name VARCHAR(128) NOT NULL, email VARCHAR(128) NOT NULL, city VARCHAR(64) NOT NULL, "
              + "password_salt VARCHAR(32) NOT NULL, password_hash VARCHAR(64) NOT NULL, created_on DATE NOT NULL)");
      s.execute(
          "CREATE TABLE articles (id BIGINT PRIMARY KEY, author_id BIGINT NOT NULL REFERENCES users(id), "
              + "title VARCHAR(200) NOT NULL, category VARCHAR(32) NOT NULL, views BIGINT NOT NULL, "
              + "published_on DATE NOT NULL)");
      s.execute("CREATE INDEX articles_author ON articles(author_id)");
      c.setAutoCommit(false);
      LocalDate start = LocalDate.of(2024, 1, 1);
      try (PreparedStatement insert =
          c.prepareStatement("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (long id = 1; id <= users; id++) {
          String salt = Long.toHexString(id * 0x9E3779B97F4A7C15L);
          insert.setLong(1, id);
          insert.setString(2, "user" + id);
          insert.setString(3, "User " + id);
          insert.setString(4, "user" + id + "@example.com");
          insert.setString(5, CITIES[(int) (id % CITIES.length)]);
          insert.setString(6, salt);
          insert.setString(7, hash(salt, "password" + id));
          insert.setObject(8, start.plusDays(id % 365));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (PreparedStatement insert =
          c.prepareStatement("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?)")) {
        for (long id = 1; id <= articles; id++) {
          insert.setLong(1, id);
          insert.setLong(2, 1 + (id * 7919) % users);
          insert.setString(
              3, "Article " + id + ": notes on " + CATEGORIES[(int) (id % CATEGORIES.length)]);
          insert.setString(4, CATEGORIES[(int) (id % CATEGORIES.length)]);
          insert.setLong(5, (id * 37) % 1_000);
          insert.setObject(6, start.plusDays(id % 500));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      c.commit();
    }
  }

  /** The salted SHA-256 of a password, hex. (A real service would use a slow KDF such as PBKDF2.) */
  static String hash(String salt, String password) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of()
          .formatHex(digest.digest((salt + ":" + password).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Runs a query and maps its rows with {@code mapper} (which iterates them itself). */
  public <T> T query(String sql, RowMapper<T> mapper, Object... params) {
    roundTrip();
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, params);
      try (ResultSet rows = s.executeQuery()) {
        return mapper.map(rows);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + sql, e);
    }
  }

  /** Runs an update; returns the rows changed. */
  public int update(String sql, Object... params) {
    roundTrip();
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, params);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("update failed: " + sql, e);
    }
  }

  /** Runs one statement for many parameter rows in one batch and one transaction. */
  public void batch(String sql, List<Object[]> rows) {
    roundTrip();
    try (Connection c = pool.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      c.setAutoCommit(false);
      for (Object[] row : rows) {
        bind(s, row);
        s.addBatch();
      }
      s.executeBatch();
      c.commit();
      c.setAutoCommit(true);
    } catch (SQLException e) {
      throw new IllegalStateException("batch failed: " + sql, e);
    }
  }

  /** Statements run so far (queries, updates and batches). */
  public long statements() {
    return statements.get();
  }

  /** Seeded users. */
  public int users() {
    return users;
  }

  /** Seeded articles. */
  public int articles() {
    return articles;
  }

  @Override
  public void close() {
    pool.dispose();
  }

  private static void bind(PreparedStatement s, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      s.setObject(i + 1, params[i]);
    }
  }

  private void roundTrip() {
    statements.incrementAndGet();
    if (latencyMillis == 0) {
      return;
    }
    try {
      Thread.sleep(latencyMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while querying the database", e);
    }
  }
}
