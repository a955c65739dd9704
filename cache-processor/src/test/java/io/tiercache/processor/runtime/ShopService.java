package io.tiercache.processor.runtime;

import io.tiercache.annotation.CacheDefaults;
import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The service whose generated decorator {@code GeneratedCodeTest} runs against Redis. Maven
 * compiles it without the processor; the test compiles it again with the processor and loads the
 * generated classes.
 */
@CacheDefaults(cache = "shop", ttlJitter = 0.2)
public interface ShopService {

  @Cached(
      cache = "product",
      key = "product:{id}:info",
      ttl = "1h",
      nullTtl = "30s",
      localTtl = "1m",
      localMaxSize = 500,
      compressionThreshold = 0,
      distributedLoad = "2s",
      ttlJitter = 0)
  Product product(long id);

  @Cached(cache = "leaderboard", key = "project:{id}:leaderboard:{type}", refresh = "30m")
  List<String> leaderboard(long id, RankType type);

  @Cached(key = "user:{ids[]}")
  Map<Long, String> users(Set<Long> ids);

  @Cached(key = "name:{ids[]}")
  List<String> names(List<Long> ids);

  @Cached(key = "product:{id}:owner")
  Optional<String> owner(long id);

  @Cached(key = "product:{id}:stock", l1 = false)
  CompletableFuture<Integer> stock(long id);

  @Cached(key = "search:{filter.category}:{filter#hash}")
  List<Long> search(Filter filter);

  /** State Jackson cannot see: a private field and no getter. */
  final class Opaque {
    private final String secret;

    public Opaque(String secret) {
      this.secret = secret;
    }

    @Override
    public String toString() {
      return secret;
    }
  }

  @Cached(key = "opaque:{token#hash}")
  String opaque(Opaque token);

  @Cached(key = "tags:{id}")
  String[] tags(long id);

  @Cached(key = "blob:{id}")
  byte[] blob(long id);

  @Cached(key = "grid:{id}")
  int[][] grid(long id);

  @Cached(key = "level:{level}")
  String level(Level level);

  @CachePut(cache = "product", key = "product:{p.id}:info")
  Product save(Product p);

  @Invalidate(key = "product:{id}:*")
  void touch(long id);

  @Invalidate(key = "product:{id}:info")
  @Invalidate(key = "user:{userId}")
  int transfer(long id, long userId);

  /** Not annotated: delegated untouched. */
  String describe(long id);
}
