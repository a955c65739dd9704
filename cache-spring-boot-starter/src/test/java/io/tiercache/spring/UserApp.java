package io.tiercache.spring;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.CacheConfig;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Seed 003's user cache, Spring flavour: users by id under {@code {prefix}:users:{id}} for an
 * hour (tiercache.caches.users.ttl), written when a user logs in, evicted when a user changes.
 */
@Configuration(proxyBeanMethods = false)
@EnableCaching
public class UserApp {

  /** A user as the service returns it. */
  public record User(long id, String name, String email) {}

  /** The slow system of record, counting its calls. */
  public static class UserRepository {
    final Map<Long, User> rows = new ConcurrentHashMap<>();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger slowLoads = new AtomicInteger();

    User find(long id) {
      loads.incrementAndGet();
      return rows.get(id);
    }
  }

  /** The cached service: what an application writes with Spring's annotations only. */
  @CacheConfig(cacheNames = "users")
  public static class UserService {
    final UserRepository repository;

    public UserService(UserRepository repository) {
      this.repository = repository;
    }

    @Cacheable
    public User user(long id) {
      return repository.find(id);
    }

    @Cacheable(key = "#id")
    public Optional<User> maybeUser(long id) {
      return Optional.ofNullable(repository.find(id));
    }

    /** At login the user is written to the cache, as seed 003 does. */
    @CachePut(key = "#result.id()")
    public User login(String email, long id) {
      return repository.find(id);
    }

    @CacheEvict(key = "#id")
    public void update(long id, String name) {
      repository.rows.computeIfPresent(id, (k, u) -> new User(id, name, u.email()));
    }

    @CacheEvict(allEntries = true)
    public void reload() {}

    @Cacheable(cacheNames = "slow-users", sync = true)
    public User slowUser(long id) throws InterruptedException {
      repository.slowLoads.incrementAndGet();
      Thread.sleep(200);
      return repository.find(id);
    }

    @Cacheable(cacheNames = "async-users")
    public CompletableFuture<User> userAsync(long id) {
      return CompletableFuture.supplyAsync(() -> repository.find(id));
    }

    @Cacheable(cacheNames = "async-users", sync = true)
    public CompletableFuture<User> userAsyncSync(long id) {
      return CompletableFuture.supplyAsync(() -> repository.find(id));
    }

    @Cacheable(cacheNames = "mono-users")
    public Mono<User> userMono(long id) {
      return Mono.fromSupplier(() -> repository.find(id));
    }

    @Cacheable(cacheNames = "team")
    public Flux<User> team(String name) {
      return Flux.defer(() -> Flux.fromIterable(List.of(repository.find(1), repository.find(2))));
    }

    @Cacheable(cacheNames = "by-region")
    public User byRegion(String region, int rank) {
      return repository.find(rank);
    }
  }

  @Bean
  UserRepository userRepository() {
    UserRepository repository = new UserRepository();
    repository.rows.put(1L, new User(1, "Ada", "ada@example.org"));
    repository.rows.put(2L, new User(2, "Grace", "grace@example.org"));
    repository.rows.put(42L, new User(42, "Alan", "alan@example.org"));
    return repository;
  }

  @Bean
  UserService userService(UserRepository userRepository) {
    return new UserService(userRepository);
  }
}
