package io.tiercache.examples.web;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Latency of each route: count and p50/p99 of the last {@value #WINDOW} requests. */
public final class RouteStats {

  static final int WINDOW = 1024;

  /**
   * One route's figures.
   *
   * @param requests requests so far
   * @param p50Micros median of the recent latencies
   * @param p99Micros 99th percentile of the recent latencies
   */
  public record Figures(long requests, long p50Micros, long p99Micros) {}

  /** Latencies kept between two {@link #drainInterval} calls; beyond, new ones replace random ones. */
  static final int INTERVAL_CAPACITY = 1 << 16;

  private final Map<String, Window> routes = new ConcurrentHashMap<>();
  private final long[] interval = new long[INTERVAL_CAPACITY];
  private long intervalCount;

  void record(String route, long nanos) {
    long micros = nanos / 1_000;
    routes.computeIfAbsent(route, r -> new Window()).add(micros);
    synchronized (interval) {
      long n = intervalCount++;
      if (n < INTERVAL_CAPACITY) {
        interval[(int) n] = micros;
      } else {
        long slot = ThreadLocalRandom.current().nextLong(n + 1); // reservoir sampling
        if (slot < INTERVAL_CAPACITY) {
          interval[(int) slot] = micros;
        }
      }
    }
  }

  /**
   * The latencies (µs, sorted; a uniform sample past {@value #INTERVAL_CAPACITY}) of every request
   * of every route since the previous call, and how many there were; starts the next interval.
   */
  public Interval drainInterval() {
    long[] copy;
    long n;
    synchronized (interval) {
      n = intervalCount;
      copy = Arrays.copyOf(interval, (int) Math.min(n, INTERVAL_CAPACITY));
      intervalCount = 0;
    }
    Arrays.sort(copy);
    return new Interval(n, copy);
  }

  /**
   * One interval's requests.
   *
   * @param requests how many
   * @param sortedMicros their latencies, sorted
   */
  public record Interval(long requests, long[] sortedMicros) {}

  /** The figures of every route that was called, by route ("GET /projects/{id}"). */
  public Map<String, Figures> snapshot() {
    Map<String, Figures> result = new LinkedHashMap<>();
    routes.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> result.put(e.getKey(), e.getValue().figures()));
    return result;
  }

  private static final class Window {
    private final long[] micros = new long[WINDOW];
    private final AtomicLong count = new AtomicLong();

    void add(long value) {
      long n = count.getAndIncrement();
      synchronized (micros) {
        micros[(int) (n % WINDOW)] = value;
      }
    }

    Figures figures() {
      long n = count.get();
      long[] copy;
      synchronized (micros) {
        copy = Arrays.copyOf(micros, (int) Math.min(n, WINDOW));
      }
      Arrays.sort(copy);
      return new Figures(n, percentile(copy, 0.50), percentile(copy, 0.99));
    }
  }

  /** The {@code q} quantile of sorted values (nearest rank); 0 when there are none. */
  public static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
