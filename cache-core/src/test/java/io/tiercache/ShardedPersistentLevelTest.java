package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisCluster;
import io.tiercache.test.RedisClusterExtension;
import io.tiercache.test.Resp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent level on a cluster with one invalidation stream per master: it records where
 * it stands on every shard, replays every shard after a restart, and is dropped when one shard
 * no longer holds what it needs.
 */
@Tag("cluster")
class ShardedPersistentLevelTest {

  static final int SHARDS = 3;

  @RegisterExtension
  static final RedisClusterExtension server = new RedisClusterExtension();

  @TempDir
  Path dir;

  private final List<TierCache> opened = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache tier(Path l3Dir) {
    TierCache tier = TierCache.builder()
        .redisCluster(server.seedUris())
        .keyPrefix("p3")
        .commandTimeout(Duration.ofSeconds(2)) // a cold JVM's first commands
        .cache(
            "c",
            s -> l3Dir == null
                ? s.valueType(String.class).l1(false)
                : s.valueType(String.class).l1(false).l3(l3Dir, 8L << 20))
        .build();
    opened.add(tier);
    return tier;
  }

  private String load(Cache<String, String> cache, String key) {
    return cache.get(key, k -> {
      loads.incrementAndGet();
      return "v:" + k;
    });
  }

  private void close(TierCache tier) {
    tier.close();
    opened.remove(tier);
  }

  private static int shardOf(String key) {
    return Coherence.shardOf("p3:c:" + key, SHARDS);
  }

  private static Object command(EmbeddedRedisCluster cluster, String key, String... args) {
    try (Resp resp = cluster.connect(cluster.nodeOf(key))) {
      return resp.command(args);
    }
  }

  @Test
  void aKeyInvalidatedWhileDown_onAnyShard_isNotServedAfterARestart_andTheOthersAre(
      EmbeddedRedisCluster cluster) {
    List<String> keys = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
    Set<Integer> shards = new HashSet<>();
    keys.forEach(k -> shards.add(shardOf(k)));
    assertTrue(shards.size() >= 2, "the keys are on several shards: " + shards);
    TierCache a = tier(dir);
    Cache<String, String> ca = a.cache("c");
    keys.forEach(k -> load(ca, k));
    close(a);

    TierCache b = tier(null);
    // one key of every shard the keys use is invalidated while A is down, and a pattern on every
    // shard
    Set<String> invalidated = new HashSet<>();
    Set<Integer> covered = new HashSet<>();
    for (String key : keys) {
      if (covered.add(shardOf(key))) {
        b.<String, String>cache("c").invalidate(key);
        invalidated.add(key);
      }
    }
    b.invalidatePattern("x*");
    for (String key : keys) {
      command(cluster, "p3:c:" + key, "DEL", "p3:c:" + key); // not announced: only L3 can answer
    }

    TierCache again = tier(dir);
    Cache<String, String> cache = again.cache("c");
    // The replay of every shard runs at the level's first use; a read that finds it in progress
    // on another thread (the coherence reader's first batch) is a miss. Wait until it is done.
    MvStoreLevel level = (MvStoreLevel) ((DefaultTierCache) again).persistentLevel("c");
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      level.get("never-stored");
      return level.isReady();
    });
    for (String key : keys) {
      int before = loads.get();
      assertEquals("v:" + key, load(cache, key));
      assertEquals(
          invalidated.contains(key) ? before + 1 : before,
          loads.get(),
          key
              + (invalidated.contains(key)
                  ? " was invalidated while down: loaded again"
                  : " is served by L3"));
    }
    assertEquals(keys.size() - invalidated.size(), cache.stats().l3Hits());
  }

  @Test
  void theLevelIsDropped_whenOneShardWasTrimmedPastItsPosition(EmbeddedRedisCluster cluster) {
    TierCache a = tier(dir);
    Cache<String, String> ca = a.cache("c");
    load(ca, "k1");
    load(ca, "k2");
    close(a);

    // two invalidations on one shard, then that shard's stream trimmed to its last entry: the
    // first of them, which the level needed, is gone (each shard holds A's marker, sequence 1)
    List<String> sameShard = new ArrayList<>();
    for (int i = 0; sameShard.size() < 2; i++) {
      if (sameShard.isEmpty() || shardOf("u" + i) == shardOf(sameShard.get(0))) {
        sameShard.add("u" + i);
      }
    }
    Coherence.StreamKeys shard =
        Coherence.layout("p3", true, SHARDS).get(shardOf(sameShard.get(0)));
    TierCache b = tier(null);
    sameShard.forEach(k -> b.<String, String>cache("c").invalidate(k));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> "3".equals(command(cluster, shard.seq(), "GET", shard.seq())));
    command(cluster, shard.stream(), "XTRIM", shard.stream(), "MAXLEN", "1");
    command(cluster, "p3:c:k1", "DEL", "p3:c:k1");
    command(cluster, "p3:c:k2", "DEL", "p3:c:k2");

    TierCache again = tier(dir);
    Cache<String, String> cache = again.cache("c");
    load(cache, "k1");
    load(cache, "k2");
    assertEquals(4, loads.get(), "dropped: an invalidation it needed may be among the trimmed");
    assertEquals(0, cache.stats().l3Hits());
  }
}
