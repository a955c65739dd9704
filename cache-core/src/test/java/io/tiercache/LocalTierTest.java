package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The reads and writes through Redis that L1 keeps once they are done ({@link LocalTier#begin}):
 * a change of the key heard while one is in flight keeps its value out of L1, since the value may
 * be older than the change; two writes of one key at once keep neither.
 */
class LocalTierTest {

  private final LocalTier l1 =
      LocalTier.create(CacheSpec.defaults(), new StatsCounter(), Clock.systemUTC());

  @AfterEach
  void nothingLeftInFlight() {
    assertEquals(0, l1.guarded(), "every begin was ended: nothing is kept per key after");
  }

  @Test
  void aReadOrWrite_thatNothingChanged_isKept() {
    l1.end("r", l1.begin("r", false), "read");
    l1.end("w", l1.begin("w", true), "written");
    assertEquals("read", l1.getIfPresent("r"));
    assertEquals("written", l1.getIfPresent("w"));
  }

  @Test
  void aRead_thatFoundNothing_keepsNothing() {
    l1.end("k", l1.begin("k", false), null);
    assertNull(l1.getIfPresent("k"));
  }

  /** The race the guard is for: another instance's later write heard before the reply is used. */
  @Test
  void anEvictionWhileAWriteIsInFlight_keepsItsValueOut_andWhatL1HadBefore() {
    l1.put("k", "old");
    Object write = l1.begin("k", true);
    l1.invalidate("k");
    l1.put("k", "read meanwhile by another path");
    l1.end("k", write, "mine");
    assertNull(l1.getIfPresent("k"), "neither the write's value nor any other is trusted");
  }

  @Test
  void anEvictionWhileAReadIsInFlight_keepsItsValueOut() {
    Object read = l1.begin("k", false);
    l1.invalidate("k");
    l1.end("k", read, "read before the change");
    assertNull(l1.getIfPresent("k"));
  }

  @Test
  void aWriteOfThisInstance_spoilsTheReadsInFlight_beforeAndDuringIt() {
    Object before = l1.begin("k", false); // may read the value the write replaces
    Object write = l1.begin("k", true);
    Object during = l1.begin("k", false); // may too: the write is not done in Redis yet
    l1.end("k", write, "written");
    l1.end("k", before, "older");
    l1.end("k", during, "older");
    assertEquals("written", l1.getIfPresent("k"));
  }

  @Test
  void aReadBegunAfterAWrite_isKept() {
    l1.end("k", l1.begin("k", true), "written");
    l1.end("k", l1.begin("k", false), "read after");
    assertEquals("read after", l1.getIfPresent("k"));
  }

  /** Which of two overlapping writes Redis kept is unknown: L1 keeps neither. */
  @Test
  void twoWritesOfOneKeyAtOnce_keepNeither_inEitherOrder() {
    Object first = l1.begin("a", true);
    Object second = l1.begin("a", true);
    l1.end("a", first, "1");
    l1.end("a", second, "2");
    assertNull(l1.getIfPresent("a"));

    first = l1.begin("b", true);
    second = l1.begin("b", true);
    l1.end("b", second, "2");
    l1.end("b", first, "1");
    assertNull(l1.getIfPresent("b"));
  }

  @Test
  void aWriteEnded_dropsALoadOfTheKeyInFlight() {
    CompletableFuture<Object> load = new CompletableFuture<>();
    assertSame(load, l1.install("k", load));
    l1.end("k", l1.begin("k", true), "written");
    load.complete("loaded before the write");
    l1.loaded("k", load);
    assertEquals("written", l1.getIfPresent("k"));
  }

  @Test
  void invalidateAll_andInvalidateIf_spoilTheKeysInFlight() {
    Object a = l1.begin("a", false);
    Object b = l1.begin("b", true);
    l1.invalidateAll();
    l1.end("a", a, "A");
    l1.end("b", b, "B");
    assertNull(l1.getIfPresent("a"));
    assertNull(l1.getIfPresent("b"));

    Object hit = l1.begin("p:1", false);
    Object spared = l1.begin("q:1", false);
    l1.invalidateIf(key -> key.startsWith("p:"));
    l1.end("p:1", hit, "P");
    l1.end("q:1", spared, "Q");
    assertNull(l1.getIfPresent("p:1"));
    assertEquals("Q", l1.getIfPresent("q:1"));
  }

  @Test
  void aFailedWrite_removesWhatL1Had() {
    l1.put("k", "old");
    l1.end("k", l1.begin("k", true), null);
    assertNull(l1.getIfPresent("k"));
  }
}
