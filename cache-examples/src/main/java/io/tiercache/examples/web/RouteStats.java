package io.tiercache.examples.web;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

  private final Map<String, Window> routes = new ConcurrentHashMap<>();

  void record(String route, long nanos) {
    routes.computeIfAbsent(route, r -> new Window()).add(nanos / 1_000);
  }

  /** The figures of every route that was called, by route ("GET /projects/{id}"). */
  public Map<String, Figures> snapshot() {
    Map<String, Figures> result = new LinkedHashMap<>();
    routes.entrySet().stream().sorted(Map.Entry.comparingByKey())
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
