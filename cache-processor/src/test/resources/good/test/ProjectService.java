package test;

import io.tiercache.annotation.CacheDefaults;
import io.tiercache.annotation.CachePut;
import io.tiercache.annotation.Cached;
import io.tiercache.annotation.Invalidate;
import io.tiercache.annotation.WriteStrategy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

@CacheDefaults(cache = "projects", ttlJitter = 0.1, distributedLoad = "3s")
public interface ProjectService {
  @Cached(cache = "project-info", key = "project:{id}:info", ttl = "2h", nullTtl = "1m", localTtl = "5m",
      localMaxSize = 50_000, compressionThreshold = 0, strategy = WriteStrategy.CACHE_ASIDE)
  ProjectInfo info(long id);

  @Cached(cache = "leaderboard", key = "project:{id}:leaderboard:{type}", ttl = "1h", refresh = "30m")
  List<String> leaderboard(long id, RankType type);

  @Cached(key = "user:{ids[]}")
  Map<Long, String> users(Set<Long> ids);

  @Cached(key = "project:{id}:owner")
  Optional<String> owner(long id);

  @Cached(key = "project:{id}:stats", l1 = false, ttlJitter = 0.25)
  CompletableFuture<Integer> stats(long id);

  @Cached(key = "search:{filter#hash}")
  List<String> search(Filter filter);

  @CachePut(cache = "project-info", key = "project:{p.id}:info")
  ProjectInfo save(ProjectInfo p);

  @Invalidate(key = "project:{id}:*")
  @Invalidate(key = "user:{userId}")
  void checkIn(long id, long userId);

  String name();
}
