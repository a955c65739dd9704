package io.tiercache.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tiercache.CacheSpec;
import io.tiercache.TierCache;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Memory per L1 entry: fills {@code N} entries (100,000 by default) into a Tiercache L1 (L2 off)
 * and into a raw Caffeine cache with the same bounds ({@code maximumSize N}, {@code
 * expireAfterWrite} of L1's default 10 minutes), and reports the retained heap per entry of each.
 * Not a JMH benchmark: the quantity is a heap delta, taken from {@link MemoryMXBean} after
 * repeated {@link System#gc()}, median of several runs (alternating which cache goes first).
 *
 * <p>Keys and values are built before the measurement and held by this class throughout, so each
 * figure is what the cache itself adds per entry: Caffeine's node and table slot, and whatever
 * Tiercache's L1 adds to them (its own removal listener; loads in progress are kept in a separate
 * table, empty here). The key and value sizes are reported for scale.
 *
 * <pre>{@code
 * java -cp cache-bench/target/benchmarks.jar io.tiercache.bench.L1Memory [entries] [runs]
 * }</pre>
 */
public final class L1Memory {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private L1Memory() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    if (n < 1 || runs < 1) {
      throw new IllegalArgumentException("entries and runs must be positive");
    }
    long before = usedAfterGc();
    String[] keys = new String[n];
    ProjectInfo[] values = new ProjectInfo[n];
    long[] ids = Fixtures.ids(n);
    for (int i = 0; i < n; i++) {
      keys[i] = Fixtures.key(ids[i]);
      values[i] = ProjectInfo.sample(ids[i]);
    }
    double data = (double) (usedAfterGc() - before) / n;
    double[] tier = new double[runs];
    double[] raw = new double[runs];
    for (int run = 0; run < runs; run++) {
      boolean rawFirst = run % 2 == 1;
      if (rawFirst) {
        raw[run] = caffeine(keys, values);
      }
      tier[run] = tiercache(keys, values);
      if (!rawFirst) {
        raw[run] = caffeine(keys, values);
      }
      System.out.printf(
          Locale.ROOT,
          "run %d: Tiercache L1 %.1f B/entry, raw Caffeine %.1f B/entry%n",
          run + 1,
          tier[run],
          raw[run]);
    }
    Arrays.sort(tier);
    Arrays.sort(raw);
    System.out.printf(
        Locale.ROOT,
        "%,d entries, median of %d runs: Tiercache L1 %.1f B/entry (range %.1f-%.1f), "
            + "raw Caffeine %.1f B/entry (range %.1f-%.1f), difference %.1f B/entry (%.2fx)%n",
        n,
        runs,
        tier[runs / 2],
        tier[0],
        tier[runs - 1],
        raw[runs / 2],
        raw[0],
        raw[runs - 1],
        tier[runs / 2] - raw[runs / 2],
        tier[runs / 2] / raw[runs / 2]);
    System.out.printf(
        Locale.ROOT,
        "for scale: the keys and values themselves, held outside both caches, take "
            + "%.0f B/entry (a %d-character key and a ProjectInfo)%n",
        data,
        keys[0].length());
    System.out.printf(
        Locale.ROOT,
        "heap: %s, JVM %s%n",
        MEMORY.getHeapMemoryUsage(),
        System.getProperty("java.vm.version"));
  }

  private static double tiercache(String[] keys, ProjectInfo[] values) {
    int n = keys.length;
    try (TierCache tier = TierCache.builder()
        .cache("project-info", c -> c.valueType(ProjectInfo.class).l2(false).l1MaxSize(n))
        .build()) {
      io.tiercache.Cache<String, ProjectInfo> cache = tier.cache("project-info", ProjectInfo.class);
      cache.put(keys[0], values[0]); // whatever the first entry creates lazily, on both sides
      long empty = usedAfterGc();
      for (int i = 1; i < n; i++) {
        cache.put(keys[i], values[i]);
      }
      for (int i = 0; i < n; i += n / 100 + 1) {
        if (cache.getIfPresent(keys[i]) != values[i]) {
          throw new IllegalStateException("L1 lost key " + keys[i] + ": the bound is too small");
        }
      }
      long full = usedAfterGc();
      return (double) (full - empty) / (n - 1);
    }
  }

  private static double caffeine(String[] keys, ProjectInfo[] values) {
    int n = keys.length;
    Cache<String, ProjectInfo> cache = Caffeine.newBuilder()
        .maximumSize(n)
        .expireAfterWrite(CacheSpec.DEFAULT_L1_MAX_TTL)
        .build();
    cache.put(keys[0], values[0]);
    long empty = usedAfterGc();
    for (int i = 1; i < n; i++) {
      cache.put(keys[i], values[i]);
    }
    cache.cleanUp();
    for (int i = 0; i < n; i += n / 100 + 1) {
      if (cache.getIfPresent(keys[i]) != values[i]) {
        throw new IllegalStateException("Caffeine lost key " + keys[i]);
      }
    }
    long full = usedAfterGc();
    double perEntry = (double) (full - empty) / (n - 1);
    cache.invalidateAll();
    return perEntry;
  }

  /** Used heap after collections have stopped freeing anything (at most 10 rounds). */
  private static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long now = MEMORY.getHeapMemoryUsage().getUsed();
      if (now >= used - 1024 && i >= 2) {
        return Math.min(now, used);
      }
      used = Math.min(used, now);
    }
    return used;
  }
}
