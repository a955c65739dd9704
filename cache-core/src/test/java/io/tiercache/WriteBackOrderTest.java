package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Write-back from several instances: writes of one key, serialised as a row lock would, reach the
 * writer and Redis in their order, whatever order the instances flush in.
 */
class WriteBackOrderTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();
  /** A database that keeps the last write it is given, and every write in the order it came. */
  private final Map<String, Integer> database = new ConcurrentHashMap<>();

  private final Map<String, List<Integer>> history = new ConcurrentHashMap<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private Cache<String, Integer> instance() {
    CacheWriter<String, Integer> writer = (key, value) -> {
      database.put(key, value);
      history
          .computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(value);
    };
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("wb")
        .cache(
            "c",
            s -> s.valueType(Integer.class)
                .strategy(Strategy.WRITE_BACK)
                .writer(writer)
                .writeBackInterval(
                    Duration.ofHours(1))) // flushed by the test, in the order it chooses
        .build();
    opened.add(tier);
    // the guarantee needs Redis: on a loaded machine the first connection may take a moment
    await().atMost(Duration.ofSeconds(10)).until(tier::isRedisAvailable);
    return tier.cache("c");
  }

  @Test
  void anOlderWriteFlushedLast_doesNotReplaceTheNewerOne() {
    Cache<String, Integer> a = instance();
    Cache<String, Integer> b = instance();
    a.put("row", 1);
    b.put("row", 2); // later, once A's write was acknowledged
    b.flush();
    a.flush(); // A flushes its older write last
    assertEquals(2, database.get("row"), "the database keeps the newest write");
    assertEquals(
        List.of(2),
        history.get("row"),
        "the older write was not given to the writer after the newer");
    Cache<String, Integer> c = instance();
    assertEquals(2, c.get("row", k -> -1), "Redis holds the newest write");
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> Integer.valueOf(2).equals(a.get("row", k -> -1)));
  }

  @Test
  void manyWritesOfOneKeyFromThreeInstances_endWithTheLast() {
    List<Cache<String, Integer>> instances = List.of(instance(), instance(), instance());
    Random random = new Random(7);
    int last = 0;
    for (int round = 0; round < 30; round++) {
      for (int i = 0; i < 3; i++) {
        last++;
        instances.get(random.nextInt(3)).put("row", last);
      }
      List<Cache<String, Integer>> order = new ArrayList<>(instances);
      Collections.shuffle(order, random);
      order.forEach(Cache::flush);
      List<Integer> seen = history.get("row");
      for (int j = 1; j < seen.size(); j++) {
        assertTrue(
            seen.get(j) > seen.get(j - 1),
            "the writer was given " + seen.get(j) + " after " + seen.get(j - 1));
      }
      assertEquals(last, database.get("row"));
    }
  }
}
