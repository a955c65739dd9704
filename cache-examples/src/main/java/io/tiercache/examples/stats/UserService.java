package io.tiercache.examples.stats;

import io.tiercache.annotation.CacheDefaults;
import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;
import io.tiercache.examples.stats.Model.User;
import io.tiercache.examples.stats.Model.UserUpdate;

/**
 * Seed 003's user cache: {@code user:{id}} for 1 h, written at login, filled on the first read,
 * evicted on update. The processor generates {@code CachedUserService}.
 */
@CacheDefaults(cache = "users")
public interface UserService {

  /** {@code user:{id}}; an unknown user is remembered as absent for 1 min. */
  @Cached(key = "user:{id}", ttl = "1h", nullTtl = "1m")
  User find(long id);

  /** Puts a user just read from the database (at login) into {@code user:{id}}. */
  @CachePut(key = "user:{user.id}")
  User remember(User user);

  /** Updates the row, then evicts {@code user:{id}} on every instance. */
  @Invalidate(key = "user:{id}")
  User update(long id, UserUpdate update);
}
