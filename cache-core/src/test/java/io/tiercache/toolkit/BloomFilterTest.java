package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BloomFilterTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private Fixture a;
  private Fixture b;

  @BeforeEach
  void open() {
    a = Fixture.open(redis);
    b = Fixture.open(redis);
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  private static List<String> ids(String kind, int from, int count) {
    return IntStream.range(from, from + count).mapToObj(i -> kind + ":" + i).toList();
  }

  @Test
  void murmur3_matchesTheReferenceVectors() {
    // MurmurHash3_x64_128, seed 0, as the reference implementation and Guava give them
    assertHash("", 0L, 0L);
    assertHash("hello", 0xcbd8a7b341bd9b02L, 0x5b1e906a48ae1d19L);
    assertHash(
        "The quick brown fox jumps over the lazy dog", 0xe34bbc7bbc071b6cL, 0x7a433ca9c49a9347L);
    assertHash("0123456789abcdefX", 0xcdebd2acb570d6f7L, 0x8f72119782104b27L);
    assertHash("é中🙂", 0x83b97f800a13ee2eL, 0x5476f4d831375a60L);
  }

  private static void assertHash(String text, long h1, long h2) {
    long[] h = Murmur3.hash128(text.getBytes(StandardCharsets.UTF_8));
    assertEquals(h1, h[0], text);
    assertEquals(h2, h[1], text);
  }

  @Test
  void sizing_followsTheFormula() {
    BloomFilter filter = a.toolkit.bloomFilters().get("sized", 1_000_000, 0.01);
    assertEquals(9_585_059, filter.bits());
    assertEquals(7, filter.hashes());
    try (Resp resp = redis.connect()) {
      // the bitmap is bits + 1 (the sentinel) rounded up to bytes
      assertEquals(
          (9_585_059 + 1 + 7) / 8,
          ((Number) resp.command("STRLEN", "t:__tk:bloom:{sized}")).longValue());
    }
  }

  @Test
  void added_alwaysMightContain_othersAtAboutTheTargetRate_sharedByInstances() {
    BloomFilter onA = a.toolkit.bloomFilters().get("users", 20_000, 0.01);
    BloomFilter onB = b.toolkit.bloomFilters().get("users", 20_000, 0.01);
    List<String> members = ids("user", 0, 20_000);
    long fresh = onA.addAll(members);
    assertTrue(
        fresh > 19_900 && fresh <= 20_000,
        fresh + " ids had a 0 bit when added (the rest were false positives)");
    assertEquals(
        members.size(),
        onB.mightContainAll(members).size(),
        "no false negative, on the other instance");
    assertTrue(onB.mightContain("user:123"));
    List<String> strangers = ids("stranger", 0, 100_000);
    int falsePositives = onB.mightContainAll(strangers).size();
    double rate = falsePositives / 100_000.0;
    assertTrue(
        rate > 0.009 && rate < 0.011, "false-positive rate " + rate + " against the target 0.01");
    assertFalse(onA.add("user:7"), "already there");
    BloomStats stats = onB.stats();
    assertEquals(100_000 - falsePositives, stats.rejected());
    assertTrue(
        Math.abs(stats.estimatedItems() - 20_000) < 400,
        "estimated items " + stats.estimatedItems());
    assertTrue(stats.fill() > 0.45 && stats.fill() < 0.55, "fill " + stats.fill());
  }

  @Test
  void anInstanceSizingItDifferently_isRefusedWithBothSizes() {
    a.toolkit.bloomFilters().get("sku", 1_000, 0.01);
    IllegalStateException e = assertThrows(
        IllegalStateException.class, () -> b.toolkit.bloomFilters().get("sku", 2_000, 0.01));
    assertEquals(
        "bloom filter 'sku' exists in Redis with 9586 bits and 7 hashes, but this instance sizes it to "
            + "19171 bits and 7 hashes (2000 items at 0.01): open it with the same expectedInsertions and "
            + "falsePositiveRate on every instance, or clear() it first",
        e.getMessage());
    IllegalArgumentException local = assertThrows(
        IllegalArgumentException.class, () -> a.toolkit.bloomFilters().get("sku", 1_000, 0.02));
    assertEquals(
        "bloom filter 'sku' is open on this instance for 1000 items at 0.01, not 1000 at 0.02",
        local.getMessage());
  }

  @Test
  void badArguments_areRefusedByName() {
    BloomFilters filters = a.toolkit.bloomFilters();
    assertEquals(
        "expectedInsertions must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> filters.get("x", 0, 0.01))
            .getMessage());
    assertEquals(
        "falsePositiveRate must be strictly between 0 and 1, was 1.0",
        assertThrows(IllegalArgumentException.class, () -> filters.get("x", 10, 1.0))
            .getMessage());
    assertEquals(
        "falsePositiveRate must be strictly between 0 and 1, was NaN",
        assertThrows(IllegalArgumentException.class, () -> filters.get("x", 10, Double.NaN))
            .getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> filters.get("x", 1_000_000_000, 0.001))
            .getMessage()
            .startsWith("a filter of 1000000000 items at a false-positive rate of 0.001 needs "));
    BloomFilter filter = filters.get("x", 10, 0.01);
    assertEquals(
        "item must not be null",
        assertThrows(NullPointerException.class, () -> filter.add(null)).getMessage());
    assertEquals(
        "items must not contain null",
        assertThrows(IllegalArgumentException.class, () -> filter.addAll(Arrays.asList("a", null)))
            .getMessage());
  }

  @Test
  void aLostBitmap_failsOpen_untilRebuilt() {
    BloomFilter filter = a.toolkit.bloomFilters().get("lost", 1_000, 0.01);
    filter.addAll(ids("p", 0, 100));
    assertFalse(filter.mightContain("nobody"));
    try (Resp resp = redis.connect()) {
      resp.command("DEL", "t:__tk:bloom:{lost}"); // as an eviction or a flush would
    }
    assertTrue(filter.mightContain("nobody"), "a missing bitmap is not an empty set");
    assertEquals(1, filter.stats().failedOpen());
    assertEquals(50, filter.rebuild(ids("p", 0, 50).iterator()));
    assertTrue(filter.mightContainAll(ids("p", 0, 50)).size() == 50);
    assertFalse(filter.mightContain("nobody"));
  }

  @Test
  void rebuild_dropsRemovedItems_andKeepsAddsMadeMeanwhileByAnyInstance() {
    BloomFilter onA = a.toolkit.bloomFilters().get("orders", 10_000, 0.001);
    BloomFilter onB = b.toolkit.bloomFilters().get("orders", 10_000, 0.001);
    onA.addAll(ids("o", 0, 3_000));
    List<String> source = ids("o", 0, 2_000); // 2,000..2,999 were deleted from the database
    Iterator<String> items = new Iterator<>() {
      int at;

      @Override
      public boolean hasNext() {
        return at < source.size();
      }

      @Override
      public String next() {
        if (at == 1_500) {
          onB.add("o:new"); // inserted on another instance while the rebuild runs
        }
        return source.get(at++);
      }
    };
    assertEquals(2_000, onA.rebuild(items));
    assertEquals(2_000, onB.mightContainAll(source).size());
    assertTrue(onB.mightContain("o:new"), "an add during the rebuild is in the new bitmap");
    int stale = onB.mightContainAll(ids("o", 2_000, 1_000)).size();
    assertTrue(stale < 20, stale + " deleted ids still pass after the rebuild");
    try (Resp resp = redis.connect()) {
      assertEquals(0L, resp.command("EXISTS", "t:__tk:bloom_next:{orders}"));
      assertEquals(
          -1L, resp.command("PTTL", "t:__tk:bloom:{orders}"), "the rebuilt bitmap has no TTL");
    }
  }

  @Test
  void redisDown_failsOpen_andAddsMadeMeanwhileAreWrittenWhenItIsBack() {
    try (Fixture faulty = Fixture.openForFaults(redis)) {
      BloomFilter filter = faulty.toolkit.bloomFilters().get("down", 1_000, 0.01);
      filter.add("before");
      assertFalse(filter.mightContain("during"));
      redis.stop();
      try {
        assertTrue(filter.mightContain("anything"), "fails open");
        assertFalse(filter.add("during"));
        assertEquals(1, filter.stats().pendingAdds());
        assertTrue(filter.mightContain("during"));
      } finally {
        redis.restart();
      }
      for (int i = 0; i < 100 && filter.stats().pendingAdds() > 0; i++) {
        filter.mightContain("before");
        sleep(50);
      }
      assertEquals(0, filter.stats().pendingAdds(), "the pending add was written");
      try (Resp resp = redis.connect()) {
        for (long position : ((RedisBloomFilters.Filter) filter).positions("during")) {
          assertEquals(1L, resp.command("GETBIT", "t:__tk:bloom:{down}", Long.toString(position)));
        }
      }
      // This Redis kept nothing over its restart: the bitmap is not trusted until it is rebuilt.
      BloomFilter other = b.toolkit.bloomFilters().get("down", 1_000, 0.01);
      assertTrue(other.mightContain("never"), "a bitmap without its sentinel fails open");
      other.rebuild(List.of("before", "during").iterator());
      assertTrue(other.mightContain("during"));
      assertFalse(other.mightContain("never"));
    }
  }

  @Test
  void clear_emptiesTheFilter_andLetsItBeSizedAgain() {
    BloomFilter small = a.toolkit.bloomFilters().get("resized", 100, 0.01);
    small.add("x");
    small.clear();
    try (Resp resp = redis.connect()) {
      assertEquals(
          Set.of(),
          Set.copyOf(
              Fixture.keys(resp).stream().filter(k -> k.contains("resized")).toList()));
    }
    BloomFilter big = b.toolkit.bloomFilters().get("resized", 10_000, 0.01);
    assertFalse(big.mightContain("x"));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
