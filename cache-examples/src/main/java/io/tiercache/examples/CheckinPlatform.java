package io.tiercache.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upstream of seed 000: a check-in platform whose API answers in about 30 ms per call. Every
 * call is counted, so the saving a cache brings is visible.
 */
public final class CheckinPlatform {

  /** A project as the platform's API returns it. */
  public record ProjectInfo(long id, String name, long members, long checkins) {}

  private final long latencyMillis;
  private final AtomicLong calls = new AtomicLong();
  private final Map<Long, Long> checkins = new ConcurrentHashMap<>();

  /** A platform whose calls take {@code latencyMillis}. */
  public CheckinPlatform(long latencyMillis) {
    if (latencyMillis < 0) {
      throw new IllegalArgumentException("latencyMillis must not be negative, was " + latencyMillis);
    }
    this.latencyMillis = latencyMillis;
  }

  /** {@code GET /projects/{id}}: null for an unknown project (ids above 10,000). */
  public ProjectInfo projectInfo(long id) {
    call();
    return id > 10_000 ? null : info(id);
  }

  /** One batched call for many projects, as the platform's bulk endpoint. */
  public Map<Long, ProjectInfo> projectInfos(Set<Long> ids) {
    call();
    Map<Long, ProjectInfo> result = new LinkedHashMap<>();
    for (long id : ids) {
      if (id <= 10_000) {
        result.put(id, info(id));
      }
    }
    return result;
  }

  /** Records a check-in. */
  public void checkIn(long projectId) {
    call();
    checkins.merge(projectId, 1L, Long::sum);
  }

  /** Upstream calls so far. */
  public long calls() {
    return calls.get();
  }

  private ProjectInfo info(long id) {
    return new ProjectInfo(id, "Project " + id, 10 + id % 90, 1_000 + checkins.getOrDefault(id, 0L));
  }

  private void call() {
    calls.incrementAndGet();
    try {
      Thread.sleep(latencyMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling the platform", e);
    }
  }

  /** Ids 1..n. */
  static List<Long> ids(int n) {
    List<Long> ids = new ArrayList<>(n);
    for (long i = 1; i <= n; i++) {
      ids.add(i);
    }
    return ids;
  }
}
