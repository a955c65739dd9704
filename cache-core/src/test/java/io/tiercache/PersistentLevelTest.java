package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.MutableClock;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent third level against a real Redis: read after an L2 miss and before the loader,
 * with Redis flushed or stopped; TTLs, invalidations from other instances, invalidations missed
 * while down (replayed, or the level dropped when the stream no longer holds them), the size
 * bound, a broken file, and off by default.
 */
class PersistentLevelTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @TempDir
  Path dir;

  private final List<TierCache> opened = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  @BeforeEach
  void empty() {
    command("FLUSHALL");
  }

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private Object command(String... args) {
    try (Resp resp = redis.connect()) {
      return resp.command(args);
    }
  }

  private TierCache tier(
      Path l3Dir, UnaryOperator<CacheSpec.Builder> more, UnaryOperator<TierCacheBuilder> builder) {
    TierCache tier = builder
        .apply(TierCache.builder()
            .redisUri(redis.uri())
            .keyPrefix("p3")
            .commandTimeout(Duration.ofMillis(150))
            .connectTimeout(Duration.ofMillis(300))
            .probeInterval(Duration.ofMillis(100))
            .cache(
                "c",
                s -> more.apply(
                    l3Dir == null
                        ? s.valueType(String.class).l1(false)
                        : s.valueType(String.class).l1(false).l3(l3Dir, 8L << 20))))
        .build();
    opened.add(tier);
    return tier;
  }

  private TierCache tier(Path l3Dir) {
    return tier(l3Dir, s -> s, b -> b);
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

  @Test
  void offByDefault_noFileIsCreated() throws Exception {
    TierCache tier = tier(null);
    Cache<String, String> cache = tier.cache("c");
    load(cache, "a");
    cache.put("b", "x");
    assertFalse(cache.spec().l3Enabled());
    assertEquals(
        0, cache.stats().l3Hits() + cache.stats().l3Misses() + cache.stats().l3Size());
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "no file in the directory");
    }
  }

  @Test
  void afterAFlushAll_aReadIsServedFromL3_withoutTheLoader_andCopiedBackToRedis() {
    TierCache tier = tier(dir);
    Cache<String, String> cache = tier.cache("c");
    assertEquals("v:a", load(cache, "a"));
    assertEquals(1, loads.get());
    assertTrue(Files.exists(dir.resolve("p3@c.l3")));

    command("FLUSHALL");
    assertEquals("v:a", load(cache, "a"));
    assertEquals(1, loads.get(), "served by L3, not the loader");
    assertEquals(1, cache.stats().l3Hits());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Long.valueOf(1).equals(command("EXISTS", "p3:c:a")));
    long ttl = (Long) command("PTTL", "p3:c:a");
    assertTrue(
        ttl > 0 && ttl <= CacheSpec.DEFAULT_TTL.toMillis(),
        "copied with the rest of its TTL: " + ttl);
  }

  @Test
  void redisStopped_readsAreServedFromL3() {
    TierCache tier = tier(dir);
    Cache<String, String> cache = tier.cache("c");
    load(cache, "a");
    load(cache, "b");
    redis.stop();
    try {
      assertEquals("v:a", load(cache, "a"));
      assertEquals(
          "v:b",
          cache
              .getAll(List.of("b"), missing -> {
                loads.addAndGet(missing.size());
                return Map.of();
              })
              .get("b"));
      assertEquals("v:c", load(cache, "c"), "a key never loaded goes to the loader");
      assertEquals(3, loads.get());
      assertEquals(2, cache.stats().l3Hits());
      assertTrue(cache.stats().degradedCalls() > 0);
      cache.invalidate("a"); // applied to L3 while Redis is down
      assertEquals("v:a", load(cache, "a"));
      assertEquals(4, loads.get());
    } finally {
      redis.restart();
    }
  }

  @Test
  void redisRestartedEmptyWhileRunning_theLevelIsKept_andServes() {
    TierCache tier = tier(dir);
    Cache<String, String> cache = tier.cache("c");
    load(cache, "a");
    load(cache, "b");
    // the reader follows the stream before Redis restarts (it reads another instance's message)
    tier(null).<String, String>cache("c").invalidate("before");
    await().atMost(Duration.ofSeconds(5)).until(() -> tier.coherenceStats().received() >= 1);
    redis.restart();
    await().atMost(Duration.ofSeconds(10)).until(tier::isRedisAvailable);
    assertEquals("v:a", load(cache, "a"));
    // the next message restarts the sequence: L1 is cleared, L3 kept
    tier(null).<String, String>cache("c").invalidate("unrelated");
    await().atMost(Duration.ofSeconds(5)).until(() -> tier.coherenceStats().gapFlushes() >= 1);
    command("FLUSHALL");
    assertEquals("v:b", load(cache, "b"));
    assertEquals(2, loads.get(), "both served by L3 after the restart");
  }

  @Test
  void concurrentLoadsPutsAndInvalidationsOnTwoInstances_leaveNoOldValueInL3() throws Exception {
    Map<String, String> db = new ConcurrentHashMap<>();
    TierCache a = tier(dir.resolve("a"));
    TierCache b = tier(dir.resolve("b"));
    List<Cache<String, String>> caches = List.of(a.cache("c"), b.cache("c"));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    AtomicLong version = new AtomicLong();
    long until = System.nanoTime() + 3_000_000_000L;
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 6; t++) {
      int thread = t;
      workers.add(pool.submit(() -> {
        Random random = new Random(thread);
        while (System.nanoTime() < until) {
          String key = "k" + random.nextInt(20);
          Cache<String, String> cache = caches.get(random.nextInt(2));
          switch (random.nextInt(4)) {
            case 0 -> {
              synchronized (
                  db) { // the system of record and its cache change together, as a row lock would
                String value = "v" + version.incrementAndGet();
                db.put(key, value);
                cache.put(key, value);
              }
            }
            case 1 -> {
              synchronized (db) {
                db.put(key, "v" + version.incrementAndGet());
                cache.invalidate(key);
              }
            }
            default -> cache.get(key, db::get);
          }
        }
        return null;
      }));
    }
    for (Future<?> worker : workers) {
      worker.get();
    }
    pool.shutdown();
    // every announcement read by both, then Redis flushed: what each L3 answers must be current
    Thread.sleep(300); // announcements in flight
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.coherenceStats().pendingPublishes() == 0
            && a.coherenceStats().pendingPublishes() == 0
            && a.coherenceStats().received() >= b.coherenceStats().sent()
            && b.coherenceStats().received() >= a.coherenceStats().sent());
    command("FLUSHALL");
    long hitsBefore = caches.get(0).stats().l3Hits() + caches.get(1).stats().l3Hits();
    for (int i = 0; i < 20; i++) {
      String key = "k" + i;
      for (Cache<String, String> cache : caches) {
        String value = cache.get(key, db::get);
        assertEquals(db.get(key), value, key + " from " + cache.stats().l3Hits() + " L3 hits");
      }
    }
    long hits = caches.get(0).stats().l3Hits() + caches.get(1).stats().l3Hits() - hitsBefore;
    assertTrue(hits > 0, "some answers came from L3: " + hits);
  }

  @Test
  void aSequenceJumpWhileRunning_dropsTheLevel() {
    TierCache tier = tier(dir);
    Cache<String, String> cache = tier.cache("c");
    load(cache, "a");
    // messages this reader never saw: the next one it reads skips numbers
    command(
        "XADD",
        "p3:__tc:{inval}:stream",
        "*",
        "seq",
        "1000",
        "src",
        "elsewhere",
        "op",
        "k",
        "c",
        "c",
        "ts",
        "0",
        "k0",
        "unrelated");
    await().atMost(Duration.ofSeconds(5)).until(() -> tier.coherenceStats().gapFlushes() >= 1);
    command("DEL", "p3:c:a");
    load(cache, "a");
    assertEquals(2, loads.get(), "an invalidation of 'a' may be among the lost messages");
  }

  @Test
  void aFrameThatDoesNotDecode_isAMiss_andIsRemoved() {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("p3")
        .cache("d", s -> s.l1(false).l3(dir, 8L << 20))
        .build();
    opened.add(tier);
    tier.<String, String>cache("d", String.class).put("k", "text");
    command("FLUSHALL");
    Cache<String, Integer> numbers = tier.cache("d", Integer.class);
    assertEquals(7, numbers.get("k", k -> {
      loads.incrementAndGet();
      return 7;
    }));
    assertEquals(1, loads.get());
    assertEquals(1, numbers.stats().decodeErrors());
  }

  @Test
  void getAsyncAndGetAll_readL3_andWriteIt() throws Exception {
    TierCache tier = tier(dir);
    Cache<String, String> cache = tier.cache("c");
    cache
        .getAsync("x", k -> {
          loads.incrementAndGet();
          return CompletableFuture.completedFuture("v:" + k);
        })
        .get();
    cache.getAll(List.of("y", "z"), missing -> {
      loads.addAndGet(missing.size());
      Map<String, String> values = new HashMap<>();
      missing.forEach(m -> values.put(m, "v:" + m));
      return values;
    });
    assertEquals(3, loads.get());
    command("FLUSHALL");
    assertEquals(
        "v:x",
        cache
            .getAsync("x", k -> {
              loads.incrementAndGet();
              return CompletableFuture.completedFuture("loaded");
            })
            .get());
    assertEquals(Map.of("y", "v:y", "z", "v:z"), cache.getAll(List.of("y", "z"), missing -> {
      loads.addAndGet(missing.size());
      return Map.of();
    }));
    assertEquals(3, loads.get());
    assertEquals(3, cache.stats().l3Hits());
  }

  @Test
  void anExpiredEntryIsAMiss_andIsDeleted() {
    MutableClock clock = new MutableClock();
    TierCache tier = tier(dir, s -> s.ttl(Duration.ofMinutes(10)), b -> b.clock(clock));
    Cache<String, String> cache = tier.cache("c");
    load(cache, "a");
    command("FLUSHALL");
    clock.advance(Duration.ofMinutes(9));
    assertEquals("v:a", load(cache, "a"));
    assertEquals(1, loads.get(), "not expired after 9 of 10 minutes");
    // copied back to Redis in the background: flush once it is there
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Long.valueOf(1).equals(command("EXISTS", "p3:c:a")));
    command("FLUSHALL");
    clock.advance(Duration.ofMinutes(2));
    assertEquals("v:a", load(cache, "a"));
    assertEquals(2, loads.get(), "expired after 11 minutes");
  }

  @Test
  void putAndWriteBack_areWrittenToL3() {
    Map<String, String> store = new ConcurrentHashMap<>();
    CacheWriter<String, String> writer = new CacheWriter<>() {
      @Override
      public void write(String key, String value) {
        store.put(key, value);
      }

      @Override
      public void writeAll(Map<String, String> values) {
        store.putAll(values);
      }
    };
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("p3")
        .cache("aside", s -> s.valueType(String.class).l1(false).l3(dir, 8L << 20))
        .cache(
            "back",
            s -> s.valueType(String.class)
                .l1(false)
                .l3(dir, 8L << 20)
                .strategy(Strategy.WRITE_BACK)
                .writer(writer)
                .writeBackInterval(Duration.ofHours(1)))
        .build();
    opened.add(tier);
    Cache<String, String> aside = tier.cache("aside");
    Cache<String, String> back = tier.cache("back");
    aside.put("a", "put");
    back.put("b", "queued");
    command("FLUSHALL");
    assertEquals("put", load(aside, "a"));
    assertEquals("queued", load(back, "b"), "pending in the queue");
    back.flush();
    assertEquals("queued", store.get("b"));
    command("FLUSHALL");
    assertEquals("queued", load(back, "b"), "from L3 once the writer took it");
    assertEquals(0, loads.get());
  }

  @Test
  void anInvalidationOnOneInstance_removesTheKeyFromAnotherInstancesL3() throws Exception {
    TierCache a = tier(dir.resolve("a"));
    TierCache b = tier(dir.resolve("b"));
    Cache<String, String> ca = a.cache("c");
    Cache<String, String> cb = b.cache("c");
    load(ca, "k");
    load(ca, "other");
    load(ca, "p:1");
    long received = a.coherenceStats().received();
    cb.invalidate("k");
    b.invalidatePattern("p:*");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> a.coherenceStats().received() >= received + 2);
    command("FLUSHALL");
    assertEquals(3, loads.get());
    load(ca, "k");
    load(ca, "p:1");
    assertEquals(5, loads.get(), "gone from a's L3");
    load(ca, "other");
    assertEquals(5, loads.get(), "the others stay");
  }

  @Test
  void aKeyInvalidatedWhileTheInstanceWasDown_isNotServedAfterItsRestart() {
    TierCache a = tier(dir);
    Cache<String, String> ca = a.cache("c");
    load(ca, "k1");
    load(ca, "k2");
    close(a);

    TierCache b = tier(null);
    b.<String, String>cache("c").invalidate("k1");
    b.invalidatePattern("x*"); // more messages to replay
    command("DEL", "p3:c:k2"); // not announced: as if Redis had evicted it

    TierCache again = tier(dir);
    Cache<String, String> cache = again.cache("c");
    assertEquals("v:k1", load(cache, "k1"));
    assertEquals(3, loads.get(), "k1 was invalidated while down: replayed, loaded again");
    assertEquals("v:k2", load(cache, "k2"));
    assertEquals(3, loads.get(), "k2 still served by L3");
  }

  @Test
  void theLevelIsDropped_whenTheStreamWasTrimmedPastItsPosition() {
    TierCache a = tier(dir);
    Cache<String, String> ca = a.cache("c");
    load(ca, "k1");
    load(ca, "k2");
    close(a);

    TierCache b = tier(null);
    b.<String, String>cache("c").invalidate("unrelated1");
    b.<String, String>cache("c").invalidate("unrelated2");
    // announcements are sent asynchronously: trim once both are in (the marker is seq 1)
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> "3".equals(command("GET", "p3:__tc:{inval}:seq")));
    command("XTRIM", "p3:__tc:{inval}:stream", "MAXLEN", "1");
    command("DEL", "p3:c:k1", "p3:c:k2");

    TierCache again = tier(dir);
    Cache<String, String> cache = again.cache("c");
    load(cache, "k2");
    assertEquals(3, loads.get(), "dropped: an invalidation it needed may be among the trimmed");
    assertEquals(0, cache.stats().l3Hits());
  }

  @Test
  void theLevelIsDropped_whenRedisRestartedEmptyWhileTheInstanceWasDown() {
    TierCache a = tier(dir);
    Cache<String, String> ca = a.cache("c");
    load(ca, "k1");
    close(a);
    redis.restart();

    TierCache b = tier(null);
    b.<String, String>cache("c").invalidate("unrelated");
    TierCache again = tier(dir);
    load(again.cache("c"), "k1");
    assertEquals(2, loads.get());
  }

  @Test
  void aLevelWrittenUnderAnotherPrefix_isNotReadUnderThisOne() throws Exception {
    TierCache a = tier(dir);
    load(a.cache("c"), "k1");
    close(a);
    Files.move(dir.resolve("p3@c.l3"), dir.resolve("q3@c.l3"));
    TierCache q = tier(dir, s -> s, builder -> builder.keyPrefix("q3"));
    load(q.cache("c"), "k1");
    assertEquals(2, loads.get(), "its stream is another one: dropped");
  }

  @Test
  void theSizeIsBounded_theEntriesNearestToExpiryGoFirst() throws Exception {
    TierCache tier = tier(dir, s -> s.l3(dir, 1L << 20).compressionThreshold(1 << 20), b -> b);
    Cache<String, String> cache = tier.cache("c");
    Random random = new Random(1);
    Map<String, String> written = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      StringBuilder value = new StringBuilder();
      for (int j = 0; j < 10_000; j++) {
        value.append((char) ('a' + random.nextInt(26)));
      }
      written.put("k" + i, value.toString());
      cache.put("k" + i, value.toString());
    }
    CacheStats stats = cache.stats();
    assertTrue(
        stats.l3Size() < 110 && stats.l3Size() > 50,
        "about 1 MiB of 10 kB records: " + stats.l3Size());
    command("FLUSHALL");
    assertEquals(written.get("k299"), load(cache, "k299"), "the newest are kept");
    assertEquals(0, loads.get());
    load(cache, "k0");
    assertEquals(1, loads.get(), "the oldest went first");
    tier.close();
    opened.remove(tier);
    assertTrue(
        Files.size(dir.resolve("p3@c.l3")) < 8L << 20,
        "file " + Files.size(dir.resolve("p3@c.l3")));
  }

  @Test
  void aGarbledFileAtStartUp_isDeleted_andTheCacheWorks() throws Exception {
    Files.write(dir.resolve("p3@c.l3"), new byte[] {1, 2, 3, 'H', 'x', 0, 0, 0, 9});
    TierCache tier = tier(dir);
    Cache<String, String> cache = tier.cache("c");
    assertEquals("v:a", load(cache, "a"));
    command("FLUSHALL");
    assertEquals("v:a", load(cache, "a"));
    assertEquals(1, loads.get(), "a new file serves");
  }

  @Test
  void settingsAreChecked() {
    CacheSpec.Builder b = CacheSpec.builder();
    assertEquals(
        "l3 directory must not be null",
        assertThrows(NullPointerException.class, () -> b.l3(null, 1L << 20)).getMessage());
    assertEquals(
        "l3 maxBytes must be between 1048576 and 1099511627776 (1 MiB to 1 TiB), was 1000",
        assertThrows(IllegalArgumentException.class, () -> b.l3(dir, 1000)).getMessage());
    assertFalse(b.l3(dir, 1L << 20).l3Off().build().l3Enabled());
    CacheSpec spec = CacheSpec.builder().l3(dir, 2L << 20).build();
    assertEquals(dir.toAbsolutePath().normalize(), spec.l3Directory());
    assertEquals(2L << 20, spec.l3MaxBytes());
    assertTrue(spec.toString().contains("l3="));
    assertEquals(spec.l3Directory(), spec.toBuilder().build().l3Directory());
  }

  @Test
  void withoutRedis_theLevelWorksForL1AndL3Alone() {
    TierCache tier = TierCache.builder()
        .cache("c", s -> s.valueType(String.class).l2(false).l1MaxSize(1).l3(dir, 8L << 20))
        .build();
    opened.add(tier);
    Cache<String, String> cache = tier.cache("c");
    load(cache, "a");
    load(cache, "b"); // evicts a from L1 (size 1), eventually
    close(tier);
    TierCache again = TierCache.builder()
        .cache("c", s -> s.valueType(String.class).l2(false).l3(dir, 8L << 20))
        .build();
    opened.add(again);
    assertEquals("v:a", load(again.cache("c"), "a"));
    assertEquals(2, loads.get(), "served by L3 after a restart");
    assertEquals(Set.of(), Set.of());
  }
}
