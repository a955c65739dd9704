package io.tiercache;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads per key over a sliding window, in bounded memory: the window is cut into {@link #BUCKETS}
 * buckets of time; each bucket holds {@link #STRIPES} Misra-Gries summaries of {@link #CAPACITY}
 * counters (a key always counts in the same stripe). A summary undercounts a key by at most its
 * reads divided by {@code CAPACITY + 1}, so a key read more often than that within a bucket is
 * never missed, and the order of keys whose counts differ by more is exact. Memory: at most
 * {@code BUCKETS * STRIPES * CAPACITY} counters, about 6,000, whatever the number of keys.
 */
final class HotKeys {

  static final int BUCKETS = 12;
  static final int STRIPES = 4;
  static final int CAPACITY = 128;

  private final Clock clock;
  private final long bucketMillis;
  private final Bucket[] ring = new Bucket[BUCKETS];

  HotKeys(Clock clock, Duration window) {
    this.clock = clock;
    this.bucketMillis = Math.max(1, window.toMillis() / BUCKETS);
    for (int i = 0; i < BUCKETS; i++) {
      ring[i] = new Bucket();
    }
  }

  /** Counts one read of {@code key}. */
  void record(String key) {
    long epoch = clock.millis() / bucketMillis;
    Bucket bucket = ring[(int) Math.floorMod(epoch, (long) BUCKETS)];
    Summary summary = bucket.stripes[(key.hashCode() & 0x7fffffff) % STRIPES];
    synchronized (summary) {
      if (summary.epoch != epoch) {
        summary.counts.clear();
        summary.epoch = epoch;
      }
      summary.offer(key);
    }
  }

  /** The keys read most within the window, most first; ties in key order. */
  List<String> top(int limit) {
    if (limit == 0) {
      return List.of();
    }
    long now = clock.millis() / bucketMillis;
    Map<String, Long> totals = new HashMap<>();
    for (Bucket bucket : ring) {
      for (Summary summary : bucket.stripes) {
        synchronized (summary) {
          // the current bucket and the BUCKETS - 1 before it: the window, to one bucket's width
          if (summary.epoch > now - BUCKETS && summary.epoch <= now) {
            summary.counts.forEach((k, c) -> totals.merge(k, c[0], Long::sum));
          }
        }
      }
    }
    List<Map.Entry<String, Long>> entries = new ArrayList<>(totals.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue()
        .reversed()
        .thenComparing(Map.Entry.comparingByKey()));
    List<String> keys = new ArrayList<>(Math.min(limit, entries.size()));
    for (int i = 0; i < entries.size() && i < limit; i++) {
      keys.add(entries.get(i).getKey());
    }
    return keys;
  }

  private static final class Bucket {
    final Summary[] stripes = new Summary[STRIPES];

    Bucket() {
      for (int i = 0; i < STRIPES; i++) {
        stripes[i] = new Summary();
      }
    }
  }

  /** Misra-Gries: a new key when full lowers every counter by one, dropping those at zero. */
  private static final class Summary {
    long epoch = Long.MIN_VALUE;
    final Map<String, long[]> counts = new HashMap<>();

    void offer(String key) {
      long[] count = counts.get(key);
      if (count != null) {
        count[0]++;
      } else if (counts.size() < CAPACITY) {
        counts.put(key, new long[] {1});
      } else {
        Iterator<long[]> it = counts.values().iterator();
        while (it.hasNext()) {
          if (--it.next()[0] == 0) {
            it.remove();
          }
        }
      }
    }
  }
}
