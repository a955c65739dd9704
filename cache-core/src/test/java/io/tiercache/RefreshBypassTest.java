package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** refresh(key) reloads one key everywhere; getBypassingL1 reads past this instance's copy. */
class RefreshBypassTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();
  private final AtomicReference<String> source = new AtomicReference<>("v1");
  private final AtomicInteger loads = new AtomicInteger();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache instance(CoherenceMode mode) {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("rb")
        .coherence(mode)
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(10)))
        .build();
    opened.add(tier);
    return tier;
  }

  private String load(String key) {
    loads.incrementAndGet();
    return source.get();
  }

  @Test
  void refresh_reloadsNow_storesInRedis_andOtherInstancesReadTheNewValue() {
    Cache<String, String> a = instance(CoherenceMode.STREAM).cache("c", String.class);
    Cache<String, String> b = instance(CoherenceMode.STREAM).cache("c", String.class);
    assertEquals("v1", a.get("k", this::load));
    assertEquals("v1", b.get("k", this::load));
    assertEquals(1, loads.get());
    source.set("v2");
    assertEquals("v2", a.refresh("k", this::load));
    assertEquals(2, loads.get());
    assertEquals("v2", a.get("k", this::load));
    await().atMost(Duration.ofSeconds(5)).until(() -> "v2".equals(b.get("k", this::load)));
    assertEquals(2, loads.get(), "B read the refreshed value from Redis");
    try (Resp resp = redis.connect()) {
      assertEquals(1L, resp.command("EXISTS", "rb:c:k"));
    }
  }

  @Test
  void refresh_toNull_isCachedAsNull_andAFailingLoaderChangesNothing() {
    Cache<String, String> a = instance(CoherenceMode.STREAM).cache("c", String.class);
    assertEquals("v1", a.get("k", this::load));
    assertThrows(
        IllegalStateException.class,
        () -> a.refresh("k", key -> {
          throw new IllegalStateException("source down");
        }));
    assertEquals("v1", a.get("k", this::load));
    assertNull(a.refresh("k", key -> null));
    int before = loads.get();
    assertNull(a.get("k", this::load), "the null is cached, as the cache caches nulls");
    assertEquals(before, loads.get());
  }

  @Test
  void getBypassingL1_readsRedisPastAStaleLocalCopy() {
    Cache<String, String> a = instance(CoherenceMode.NONE).cache("c", String.class);
    Cache<String, String> b = instance(CoherenceMode.NONE).cache("c", String.class);
    assertEquals("v1", b.get("k", this::load));
    a.put("k", "v3"); // without coherence, B's L1 keeps v1
    assertEquals("v1", b.get("k", this::load));
    assertEquals("v3", b.getBypassingL1("k", this::load));
    assertEquals("v3", b.get("k", this::load), "the value read replaced L1's copy");
    assertEquals(1, loads.get());
    source.set("v4");
    assertEquals("v4", b.getBypassingL1("absent", this::load), "a Redis miss loads");
  }
}
