package com.example.users;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/** Seed 003's user cache: {prefix}:users:{id}, written at login, evicted when the user changes. */
@Service
public class UserService {
  private final Map<Long, User> database = new ConcurrentHashMap<>(Map.of(
      1L, new User(1, "Ada", "ada@example.org"), 2L, new User(2, "Grace", "grace@example.org")));
  final AtomicInteger queries = new AtomicInteger();

  @Cacheable(cacheNames = "users", sync = true)
  public User user(long id) {
    queries.incrementAndGet();
    return database.get(id);
  }

  @CachePut(cacheNames = "users", key = "#id")
  public User login(long id) {
    queries.incrementAndGet();
    return database.get(id);
  }

  @CacheEvict(cacheNames = "users", key = "#id")
  public void rename(long id, String name) {
    database.computeIfPresent(id, (k, u) -> new User(id, name, u.email()));
  }

  public int queries() {
    return queries.get();
  }
}
