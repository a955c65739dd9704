package io.tiercache.examples.dashboard;

import io.tiercache.CacheStats;
import io.tiercache.CoherenceStats;
import io.tiercache.TierCache;
import io.tiercache.examples.web.RouteStats;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last {@value #SAMPLES} intervals of one instance, for the dashboard's charts: per interval
 * the cache reads and how they were answered, the hit rate, the p99 of the app's HTTP requests
 * (the dashboard's own are not among them) and the invalidations sent and received.
 */
final class History {

  static final int SAMPLES = 150;

  /**
   * One interval.
   *
   * @param at when it ended (epoch ms)
   * @param reads cache reads in it, every cache
   * @param l1Hits of which L1 hits
   * @param l2Hits of which L2 hits
   * @param loads loader calls
   * @param hitRate (L1 + L2 hits) / reads, or -1 without reads
   * @param httpRequests the app's requests
   * @param p99Micros their p99, or -1 without requests
   * @param sent invalidation messages sent
   * @param received invalidation messages received
   */
  record Sample(
      long at,
      long reads,
      long l1Hits,
      long l2Hits,
      long loads,
      double hitRate,
      long httpRequests,
      long p99Micros,
      long sent,
      long received) {}

  private final TierCache tier;
  private final RouteStats routes;
  private final Clock clock;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private long[] last = new long[6];

  History(TierCache tier, RouteStats routes, Clock clock) {
    this.tier = tier;
    this.routes = routes;
    this.clock = clock;
    this.last = totals();
  }

  /** Ends the current interval. */
  synchronized Sample sample() {
    long[] now = totals();
    long[] d = new long[now.length];
    for (int i = 0; i < now.length; i++) {
      d[i] = now[i] - last[i];
    }
    last = now;
    RouteStats.Interval http = routes.drainInterval();
    Sample sample = new Sample(
        clock.millis(),
        d[0],
        d[1],
        d[2],
        d[3],
        d[0] == 0 ? -1 : (double) (d[1] + d[2]) / d[0],
        http.requests(),
        http.requests() == 0 ? -1 : RouteStats.percentile(http.sortedMicros(), 0.99),
        d[4],
        d[5]);
    samples.addLast(sample);
    while (samples.size() > SAMPLES) {
      samples.removeFirst();
    }
    return sample;
  }

  synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  private long[] totals() {
    long[] t = new long[6];
    for (CacheStats s : tier.stats().values()) {
      t[0] += s.requests();
      t[1] += s.l1Hits();
      t[2] += s.l2Hits();
      t[3] += s.loads();
    }
    CoherenceStats c = tier.coherenceStats();
    t[4] = c.sent();
    t[5] = c.received();
    return t;
  }
}
