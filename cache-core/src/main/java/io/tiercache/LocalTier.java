package io.tiercache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * The in-process level and the single-flight table of one cache name. L1 values are the decoded
 * value or {@link #NULL} for a cached null. With L1 off, only the single-flight table remains.
 *
 * <p>L1 is a synchronous Caffeine cache holding the values themselves, so a hit is one Caffeine
 * lookup and an entry costs what it costs in a plain Caffeine cache. Loads in progress live in a
 * separate table of futures ({@link #install}); when a load completes, {@link #loaded} moves its
 * value into L1 and drops the future in one step under the table's lock for that key, and every
 * eviction ({@link #put}, {@link #invalidate}, ...) drops the future first and the value second, so
 * an invalidation that overtakes a load in progress always wins.
 *
 * <p>L1 expires entries a fixed time after they were written ({@code l1Ttl}). An entry that must
 * go sooner (a cached null, or a value capped by a period boundary) is stored as {@link Until}
 * with its own deadline and treated as absent once the deadline has passed. A per-entry Caffeine
 * {@code Expiry} would do the same but costs every hit a timer-wheel update (measured: 20-70 ns,
 * about a third of a hit; see docs/benchmarks.md).
 *
 * <p>Both deadlines are read from one ticker ({@link ClockTicker#of}, from the builder's clock):
 * Caffeine's system ticker for the system clock, a test's clock otherwise. L1 has no Caffeine
 * scheduler: an expired entry is a miss for the read that finds it, and is removed by Caffeine's
 * maintenance after some later reads or writes, not at its deadline.
 *
 * <p>Loads are thread-confined: a caller installs its own incomplete future with {@link
 * #install}; if that succeeds it loads and completes the future, otherwise it waits on the one it
 * found. No loader runs inside a map computation.
 */
abstract class LocalTier {

  /** Loads in progress, by key: the single-flight table. */
  final ConcurrentHashMap<String, CompletableFuture<Object>> flights = new ConcurrentHashMap<>();

  /** Stands for a cached null in L1 and in load futures. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "NULL";
    }
  };

  /** A value that must leave L1 before the L1 TTL: a cached null, or an entry capped by a boundary. */
  record Until(Object value, long deadlineNanos) {
    /** Whether the deadline has passed at {@code nowNanos}, a reading of L1's ticker. */
    boolean expired(long nowNanos) {
      return nowNanos - deadlineNanos >= 0;
    }
  }

  /** The stored value without its deadline. */
  static Object strip(Object stored) {
    return stored instanceof Until until ? until.value() : stored;
  }

  /** A completed, non-failed entry (without its deadline), or null. Never blocks. */
  abstract Object getIfPresent(String key);

  /** Installs {@code mine} unless a future exists for {@code key}; returns the winner. */
  abstract CompletableFuture<Object> install(String key, CompletableFuture<Object> mine);

  /** Whether {@code mine} is still the load in progress for {@code key} (not invalidated meanwhile). */
  final boolean isCurrent(String key, CompletableFuture<Object> mine) {
    return flights.get(key) == mine;
  }

  /** Called after the owner completed {@code mine}: keeps its value unless it was invalidated. */
  abstract void loaded(String key, CompletableFuture<Object> mine);

  /** Drops {@code mine} if it is still the load in progress (a failed or uncacheable load). */
  final void remove(String key, CompletableFuture<Object> mine) {
    flights.remove(key, mine);
  }

  abstract void put(String key, Object value);

  /**
   * Starts a read or a write of {@code key} through Redis whose value L1 should keep once it is
   * known ({@link #end}), unless the key changed meanwhile: an eviction (another instance's write
   * heard from the stream or from client tracking) or a write of this instance. Without it, the
   * eviction that a write made right after this one's reply can run before the value enters L1,
   * which would then keep the older value until its TTL.
   *
   * @param write whether this is a write: it spoils the reads and writes of the key in flight, and
   *     a write that overlaps another one of the key keeps neither (Redis's order is unknown)
   * @return the ticket to give {@link #end}
   */
  abstract Object begin(String key, boolean write);

  /**
   * Ends what {@link #begin} started: puts {@code value} in L1 (dropping a load of the key in
   * flight, as {@link #put} does) unless the key changed since, or {@code value} is null (the
   * read found nothing, the write failed). A spoiled or failed write also removes what L1 holds for
   * the key.
   */
  abstract void end(String key, Object ticket, Object value);

  /** The keys with a read or write begun and not ended; for tests. */
  int guarded() {
    return 0;
  }

  abstract void invalidate(String key);

  abstract void invalidateAll();

  /** Evicts every key {@code test} accepts; returns how many. */
  abstract int invalidateIf(Predicate<String> test);

  abstract long size();

  /** The most frequently read keys, hottest first (Caffeine's frequency sketch). */
  abstract List<String> hottest(int limit);

  static LocalTier create(CacheSpec spec, StatsCounter stats, Clock clock) {
    return create(spec, stats, clock, null);
  }

  /**
   * @param trust whether L1 may answer now (coherence: not while the invalidations after a
   *     recovery, or past the strict bound, are unread); null when it always may
   */
  static LocalTier create(CacheSpec spec, StatsCounter stats, Clock clock, Trust trust) {
    return spec.l1Enabled() ? new CaffeineTier(spec, stats, clock, trust) : new FlightsOnly();
  }

  /** Whether this instance has read the invalidations it needs to answer from L1 ({@link Coherence#trusted}). */
  interface Trust {
    boolean trusted();
  }

  /** The reads and writes of one key in flight ({@link #begin}); changed under the table's lock. */
  static final class Guard {
    int active;
    int writers;
    long changes;
  }

  /**
   * One read or write in flight: the changes of its key seen at its start. Its key's guard stays
   * in the table until the last of them ends.
   */
  record Ticket(long seen, boolean write, boolean contended) {}

  /** L1 on: a synchronous Caffeine cache of the values, beside the table of loads in progress. */
  static final class CaffeineTier extends LocalTier {
    /** The keys with a read or write in flight, and what changed them since it began. */
    private final ConcurrentHashMap<String, Guard> guards = new ConcurrentHashMap<>();

    private final Cache<String, Object> cache;
    private final ConcurrentMap<String, Object> values;
    private final CacheSpec spec;
    private final Clock clock;
    private final Ticker ticker;
    private final long valueTtl;
    private final long nullTtl;
    private final Trust trust;

    CaffeineTier(CacheSpec spec, StatsCounter stats, Clock clock, Trust trust) {
      this.trust = trust;
      this.spec = spec;
      this.clock = clock;
      this.ticker = ClockTicker.of(clock);
      this.valueTtl = spec.l1Ttl().toNanos();
      this.nullTtl = Math.min(valueTtl, spec.nullTtl().toNanos());
      this.cache = Caffeine.newBuilder()
          .maximumSize(spec.l1MaxSize())
          .expireAfterWrite(spec.l1Ttl())
          .ticker(ticker) // for the system clock, Caffeine's default
          .removalListener((String key, Object value, RemovalCause cause) -> {
            if (cause == RemovalCause.SIZE) {
              stats.evictions.increment();
            }
          })
          .build();
      this.values = cache.asMap();
    }

    /** Adds a deadline to values that must leave before the L1 TTL. */
    private Object withDeadline(Object value) {
      if (value instanceof Until) {
        return value;
      }
      boolean bounded = spec.expiryBoundary() != null;
      if (value != NULL && !bounded) {
        return value;
      }
      long ttl = value == NULL ? nullTtl : valueTtl;
      if (bounded) {
        ttl = Math.min(ttl, Expiries.capMillis(spec, clock, Long.MAX_VALUE) * 1_000_000L);
      }
      return new Until(value, ticker.read() + ttl);
    }

    @Override
    Object getIfPresent(String key) {
      if (trust != null && !trust.trusted()) {
        return null; // kept, not served: the invalidations not read yet may concern it
      }
      Object value = cache.getIfPresent(key);
      if (value instanceof Until until) {
        if (until.expired(ticker.read())) {
          values.remove(key, value);
          return null;
        }
        return until.value();
      }
      return value;
    }

    @Override
    CompletableFuture<Object> install(String key, CompletableFuture<Object> mine) {
      Object value = getIfPresent(key);
      if (value != null) {
        return CompletableFuture.completedFuture(value);
      }
      CompletableFuture<Object> winner = flights.putIfAbsent(key, mine);
      if (winner != null) {
        return winner;
      }
      // A load that finished between the lookup and the install has moved its value into L1.
      value = getIfPresent(key);
      if (value != null) {
        flights.remove(key, mine);
        return CompletableFuture.completedFuture(value);
      }
      return mine;
    }

    @Override
    void loaded(String key, CompletableFuture<Object> mine) {
      Object stored = withDeadline(mine.getNow(null));
      // Under the table's lock for the key: an eviction either ran before (the future is gone,
      // nothing is stored) or waits for this and then removes the value.
      flights.computeIfPresent(key, (k, current) -> {
        if (current != mine) {
          return current;
        }
        cache.put(k, stored);
        return null;
      });
    }

    @Override
    void put(String key, Object value) {
      flights.remove(key);
      cache.put(key, withDeadline(value));
    }

    @Override
    Object begin(String key, boolean write) {
      Ticket[] ticket = new Ticket[1];
      guards.compute(key, (k, guard) -> {
        Guard g = guard == null ? new Guard() : guard;
        g.active++;
        boolean contended = write && g.writers > 0;
        if (write) {
          g.writers++;
          g.changes++;
        }
        ticket[0] = new Ticket(g.changes, write, contended);
        return g;
      });
      return ticket[0];
    }

    @Override
    void end(String key, Object ticket, Object value) {
      Ticket t = (Ticket) ticket;
      Object stored = value == null ? null : withDeadline(value);
      // Under the guard's lock: an eviction either ran before (this sees the change and keeps
      // nothing) or waits for this and then removes the value.
      guards.computeIfPresent(key, (k, g) -> {
        boolean spoiled = t.contended() || g.changes != t.seen();
        if (t.write()) {
          g.writers--;
          g.changes++; // a read that began during this write may have read the value before it
        }
        if (stored != null && !spoiled) {
          flights.remove(k);
          cache.put(k, stored);
        } else if (t.write()) {
          flights.remove(k);
          values.remove(k);
        }
        g.active--;
        return g.active == 0 ? null : g;
      });
    }

    @Override
    int guarded() {
      return guards.size();
    }

    /** Marks a change of {@code key} for the reads and writes of it in flight. */
    private void changed(String key) {
      guards.computeIfPresent(key, (k, g) -> {
        g.changes++;
        return g;
      });
    }

    @Override
    void invalidate(String key) {
      changed(key);
      flights.remove(key);
      values.remove(key);
    }

    @Override
    void invalidateAll() {
      guards.keySet().forEach(this::changed);
      flights.clear();
      values.clear();
    }

    @Override
    int invalidateIf(Predicate<String> test) {
      int[] count = {0};
      Predicate<String> counting = key -> {
        boolean hit = test.test(key);
        if (hit) {
          count[0]++;
        }
        return hit;
      };
      for (String key : guards.keySet()) {
        if (test.test(key)) {
          changed(key);
        }
      }
      flights.keySet().removeIf(counting);
      values.keySet().removeIf(counting);
      return count[0];
    }

    @Override
    long size() {
      return cache.estimatedSize();
    }

    @Override
    List<String> hottest(int limit) {
      return cache
          .policy()
          .eviction()
          .map(eviction -> List.copyOf(eviction.hottest(limit).keySet()))
          .orElse(List.of());
    }
  }

  /** L1 off: only concurrent loads of one key are shared; nothing is kept after a load. */
  static final class FlightsOnly extends LocalTier {
    @Override
    Object getIfPresent(String key) {
      return null;
    }

    @Override
    CompletableFuture<Object> install(String key, CompletableFuture<Object> mine) {
      CompletableFuture<Object> existing = flights.putIfAbsent(key, mine);
      return existing == null ? mine : existing;
    }

    @Override
    void loaded(String key, CompletableFuture<Object> mine) {
      flights.remove(key, mine);
    }

    @Override
    void put(String key, Object value) {
      // nothing is kept in the process
    }

    @Override
    Object begin(String key, boolean write) {
      return null;
    }

    @Override
    void end(String key, Object ticket, Object value) {
      // nothing is kept in the process
    }

    @Override
    void invalidate(String key) {
      flights.remove(key);
    }

    @Override
    void invalidateAll() {
      flights.clear();
    }

    @Override
    int invalidateIf(Predicate<String> test) {
      flights.keySet().removeIf(test);
      return 0;
    }

    @Override
    long size() {
      return 0;
    }

    @Override
    List<String> hottest(int limit) {
      return List.of();
    }
  }
}
