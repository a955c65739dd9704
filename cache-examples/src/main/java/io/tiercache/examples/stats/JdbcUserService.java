package io.tiercache.examples.stats;

import io.tiercache.examples.stats.Model.User;
import io.tiercache.examples.stats.Model.UserUpdate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Users in the database, uncached. */
final class JdbcUserService implements UserService {

  private static final String COLUMNS = "id, name, display_name, email, city, created_on";

  private final Database db;

  JdbcUserService(Database db) {
    this.db = db;
  }

  @Override
  public User find(long id) {
    return db.query(
        "SELECT " + COLUMNS + " FROM users WHERE id = ?",
        rows -> rows.next() ? user(rows) : null,
        id);
  }

  @Override
  public User remember(User user) {
    return user;
  }

  @Override
  public User update(long id, UserUpdate update) {
    int changed = db.update(
        "UPDATE users SET display_name = COALESCE(?, display_name), "
            + "email = COALESCE(?, email), city = COALESCE(?, city) WHERE id = ?",
        update.displayName(),
        update.email(),
        update.city(),
        id);
    return changed == 0 ? null : find(id);
  }

  /** The user whose name and password match; one query. */
  Optional<User> authenticate(String name, String password) {
    record Row(User user, String salt, String hash) {}
    Row row = db.query(
        "SELECT " + COLUMNS + ", password_salt, password_hash FROM users WHERE name = ?",
        rows -> rows.next()
            ? new Row(user(rows), rows.getString("password_salt"), rows.getString("password_hash"))
            : null,
        name);
    if (row == null) {
      return Optional.empty();
    }
    byte[] expected = row.hash().getBytes(StandardCharsets.US_ASCII);
    byte[] actual = Database.hash(row.salt(), password).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, actual) ? Optional.of(row.user()) : Optional.empty();
  }

  private static User user(ResultSet rows) throws SQLException {
    return new User(
        rows.getLong("id"),
        rows.getString("name"),
        rows.getString("display_name"),
        rows.getString("email"),
        rows.getString("city"),
        rows.getObject("created_on").toString());
  }
}
