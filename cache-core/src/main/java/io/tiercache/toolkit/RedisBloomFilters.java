package io.tiercache.toolkit;

import io.lettuce.core.BitFieldArgs;
import io.lettuce.core.ScriptOutputType;
import io.tiercache.RedisUnavailableException;
import io.tiercache.internal.redis.RedisTier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BloomFilters} on Redis bitmaps. A filter has three keys sharing one cluster hash tag:
 * the bitmap ({@code bloom}), its parameters ({@code bloom_meta}, a hash of {@code bits} and
 * {@code hashes}) and, during a rebuild, the bitmap being built ({@code bloom_next}).
 *
 * <p>The bitmap has one bit past its {@code bits}: the sentinel, set when the filter is created.
 * Every check reads it in the same {@code BITFIELD}, so a bitmap that is gone (evicted, flushed)
 * is told from an empty one, and answered as "might contain" rather than "surely not".
 */
final class RedisBloomFilters implements BloomFilters {

  private static final Logger log = LoggerFactory.getLogger(RedisBloomFilters.class);

  static final int BATCH = 1_000;
  static final int MAX_PENDING = 10_000;
  private static final long REBUILD_TTL_MILLIS = 3_600_000;

  // KEYS: meta, bitmap; ARGV: bits, hashes. Returns {} when the parameters agree (recording them
  // and setting the sentinel of a new filter), else the recorded {bits, hashes}.
  private static final Script INIT = new Script("""
      local b = redis.call('HGET', KEYS[1], 'bits')
      if b then
        local h = redis.call('HGET', KEYS[1], 'hashes')
        if b ~= ARGV[1] or h ~= ARGV[2] then return {b, h or ''} end
        return {}
      end
      redis.call('HSET', KEYS[1], 'bits', ARGV[1], 'hashes', ARGV[2])
      if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SETBIT', KEYS[2], ARGV[1], 1) end
      return {}
      """);

  // KEYS: bitmap, next; ARGV: hashes, then the positions of each item in turn. Sets the bits in
  // the bitmap, and in the one being rebuilt if there is one; returns how many items had a 0 bit.
  private static final Script ADD = new Script("""
      local k = tonumber(ARGV[1])
      local mirror = redis.call('EXISTS', KEYS[2]) == 1
      local fresh = 0
      for i = 2, #ARGV, k do
        local new = 0
        for j = i, i + k - 1 do
          if redis.call('SETBIT', KEYS[1], ARGV[j], 1) == 0 then new = 1 end
          if mirror then redis.call('SETBIT', KEYS[2], ARGV[j], 1) end
        end
        fresh = fresh + new
      end
      return fresh
      """);

  // KEYS: next; ARGV: bits, ttl. A new bitmap to rebuild into, with its sentinel, expiring if the
  // rebuild is abandoned.
  private static final Script REBUILD_START = new Script("""
      redis.call('DEL', KEYS[1])
      redis.call('SETBIT', KEYS[1], ARGV[1], 1)
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return 1
      """);

  // KEYS: next, bitmap. Replaces the bitmap with the rebuilt one; 0 if that one is gone.
  private static final Script REBUILD_FINISH = new Script("""
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      redis.call('RENAME', KEYS[1], KEYS[2])
      redis.call('PERSIST', KEYS[2])
      return 1
      """);

  private final RedisTier redis;
  private final String prefix;
  private final Map<String, Filter> filters = new ConcurrentHashMap<>();

  RedisBloomFilters(RedisTier redis, String prefix) {
    this.redis = redis;
    this.prefix = prefix;
  }

  @Override
  public BloomFilter get(String name, long expectedInsertions, double falsePositiveRate) {
    Names.requireName(name, "name");
    if (expectedInsertions <= 0) {
      throw new IllegalArgumentException(
          "expectedInsertions must be positive, was " + expectedInsertions);
    }
    if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
      throw new IllegalArgumentException(
          "falsePositiveRate must be strictly between 0 and 1, was " + falsePositiveRate);
    }
    double ln2 = Math.log(2);
    double exactBits = Math.ceil(-expectedInsertions * Math.log(falsePositiveRate) / (ln2 * ln2));
    if (exactBits > MAX_BITS) {
      throw new IllegalArgumentException("a filter of " + expectedInsertions
          + " items at a false-positive rate of "
          + falsePositiveRate + " needs " + (long) exactBits + " bits, more than the " + MAX_BITS
          + " one bitmap can hold: split the items over several filters or accept a higher rate");
    }
    long bits = Math.max(8, (long) exactBits);
    int hashes =
        (int) Math.max(1, Math.min(30, Math.round((double) bits / expectedInsertions * ln2)));
    Filter filter = filters.computeIfAbsent(
        name, n -> new Filter(n, expectedInsertions, falsePositiveRate, bits, hashes));
    if (filter.expectedInsertions != expectedInsertions
        || filter.falsePositiveRate != falsePositiveRate) {
      throw new IllegalArgumentException("bloom filter '" + name + "' is open on this instance for "
          + filter.expectedInsertions + " items at " + filter.falsePositiveRate + ", not "
          + expectedInsertions
          + " at " + falsePositiveRate);
    }
    try {
      filter.ensureInitialized();
    } catch (RedisUnavailableException e) {
      // checked again on first use, once Redis answers
    }
    return filter;
  }

  final class Filter implements BloomFilter {
    private final String name;
    private final long expectedInsertions;
    private final double falsePositiveRate;
    private final long bits;
    private final int hashes;
    private final String bitmapKey;
    private final String metaKey;
    private final String nextKey;
    private volatile boolean initialized;
    /** Adds Redis did not take, written when it answers again. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean flushing = new AtomicBoolean();
    /** Set when adds were dropped (the pending set was full) or the bitmap was lost. */
    private volatile boolean incomplete;

    private volatile long lastLostWarning;
    private final LongAdder rejected = new LongAdder();
    private final LongAdder passed = new LongAdder();
    private final LongAdder failedOpen = new LongAdder();

    Filter(String name, long expectedInsertions, double falsePositiveRate, long bits, int hashes) {
      this.name = name;
      this.expectedInsertions = expectedInsertions;
      this.falsePositiveRate = falsePositiveRate;
      this.bits = bits;
      this.hashes = hashes;
      this.bitmapKey = Names.taggedKey(prefix, "bloom", name);
      this.metaKey = Names.taggedKey(prefix, "bloom_meta", name);
      this.nextKey = Names.taggedKey(prefix, "bloom_next", name);
    }

    void ensureInitialized() {
      if (initialized) {
        return;
      }
      List<Object> recorded = redis.call(
          "bloom filter parameters",
          r -> INIT.run(
              r,
              ScriptOutputType.MULTI,
              new String[] {metaKey, bitmapKey},
              Names.utf8(bits),
              Names.utf8(hashes)));
      if (!recorded.isEmpty()) {
        throw new IllegalStateException(
            "bloom filter '" + name + "' exists in Redis with " + text(recorded.get(0))
                + " bits and " + text(recorded.get(1)) + " hashes, but this instance sizes it to "
                + bits + " bits and "
                + hashes + " hashes (" + expectedInsertions + " items at " + falsePositiveRate
                + "): open it with the "
                + "same expectedInsertions and falsePositiveRate on every instance, or clear() it first");
      }
      initialized = true;
    }

    /** The bit positions of {@code item}: Kirsch and Mitzenmacher's two-hash scheme. */
    long[] positions(String item) {
      long[] h = Murmur3.hash128(item.getBytes(StandardCharsets.UTF_8));
      long[] positions = new long[hashes];
      long combined = h[0];
      for (int i = 0; i < hashes; i++) {
        positions[i] = (combined & Long.MAX_VALUE) % bits;
        combined += h[1];
      }
      return positions;
    }

    @Override
    public boolean add(String item) {
      Names.requireNonNull(item, "item");
      return addBatch(List.of(item)) > 0;
    }

    @Override
    public long addAll(Collection<String> items) {
      Names.requireNonNull(items, "items");
      List<String> batch = new ArrayList<>(Math.min(items.size(), BATCH));
      long fresh = 0;
      for (String item : items) {
        if (item == null) {
          throw new IllegalArgumentException("items must not contain null");
        }
        batch.add(item);
        if (batch.size() == BATCH) {
          fresh += addBatch(batch);
          batch.clear();
        }
      }
      return batch.isEmpty() ? fresh : fresh + addBatch(batch);
    }

    private long addBatch(List<String> items) {
      try {
        ensureInitialized();
        long fresh = write(items);
        flushPending();
        return fresh;
      } catch (RedisUnavailableException e) {
        for (String item : items) {
          if (pending.size() >= MAX_PENDING) {
            if (!incomplete) {
              incomplete = true;
              log.warn(
                  "bloom filter '{}': more than {} adds waited for Redis, later ones are dropped; the filter "
                      + "answers 'might contain' for everything until it is rebuilt",
                  name,
                  MAX_PENDING);
            }
            break;
          }
          pending.add(item);
        }
        return 0;
      }
    }

    private long write(List<String> items) {
      byte[][] args = new byte[1 + items.size() * hashes][];
      args[0] = Names.utf8(hashes);
      int at = 1;
      for (String item : items) {
        for (long position : positions(item)) {
          args[at++] = Names.utf8(position);
        }
      }
      Long fresh = redis.call(
          "bloom filter add",
          r -> ADD.run(r, ScriptOutputType.INTEGER, new String[] {bitmapKey, nextKey}, args));
      return fresh == null ? 0 : fresh;
    }

    /** Writes the adds Redis did not take, once it answers; one thread at a time. */
    private void flushPending() {
      if (pending.isEmpty() || !flushing.compareAndSet(false, true)) {
        return;
      }
      try {
        List<String> batch = new ArrayList<>(BATCH);
        for (String item : pending) {
          batch.add(item);
          if (batch.size() == BATCH) {
            write(batch);
            batch.forEach(pending::remove);
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          write(batch);
          batch.forEach(pending::remove);
        }
      } catch (RedisUnavailableException e) {
        // kept for the next call that reaches Redis
      } finally {
        flushing.set(false);
      }
    }

    @Override
    public boolean mightContain(String item) {
      Names.requireNonNull(item, "item");
      if (incomplete || pending.contains(item)) {
        failedOpen.increment();
        return true;
      }
      List<Long> read = readBits(List.of(item));
      if (read == null) {
        failedOpen.increment();
        return true;
      }
      for (int i = 0; i < hashes; i++) {
        if (read.get(i) == 0) {
          rejected.increment();
          return false;
        }
      }
      passed.increment();
      return true;
    }

    @Override
    public Set<String> mightContainAll(Collection<String> items) {
      Names.requireNonNull(items, "items");
      Set<String> result = new LinkedHashSet<>();
      List<String> batch = new ArrayList<>(Math.min(items.size(), BATCH));
      for (String item : items) {
        if (item == null) {
          throw new IllegalArgumentException("items must not contain null");
        }
        batch.add(item);
        if (batch.size() == BATCH) {
          checkBatch(batch, result);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        checkBatch(batch, result);
      }
      return result;
    }

    private void checkBatch(List<String> items, Set<String> result) {
      List<Long> read = incomplete ? null : readBits(items);
      if (read == null) {
        failedOpen.add(items.size());
        result.addAll(items);
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        String item = items.get(i);
        boolean all = true;
        for (int j = 0; j < hashes && all; j++) {
          all = read.get(i * hashes + j) != 0;
        }
        if (all) {
          passed.increment();
          result.add(item);
        } else if (pending.contains(item)) {
          failedOpen.increment();
          result.add(item);
        } else {
          rejected.increment();
        }
      }
    }

    /**
     * The bits of {@code items}' positions, {@link #hashes} per item in turn, read with one
     * {@code BITFIELD} that also reads the sentinel; null when the filter must fail open (Redis
     * down, or the bitmap lost). Once Redis answers, the adds it missed are written.
     */
    private List<Long> readBits(List<String> items) {
      BitFieldArgs args = new BitFieldArgs();
      BitFieldArgs.BitFieldType bit = BitFieldArgs.unsigned(1);
      for (String item : items) {
        for (long position : positions(item)) {
          args.get(bit, (int) position);
        }
      }
      args.get(bit, (int) bits); // the sentinel
      List<Long> read;
      try {
        ensureInitialized();
        read = redis.call("bloom filter check", r -> r.bitfield(bitmapKey, args));
      } catch (RedisUnavailableException e) {
        return null;
      }
      flushPending(); // Redis answers: what it missed is written, even to a lost bitmap
      if (read.get(read.size() - 1) == 0) {
        lost();
        return null;
      }
      return read;
    }

    private void lost() {
      long now = System.nanoTime();
      if (lastLostWarning == 0 || now - lastLostWarning > 60_000_000_000L) {
        lastLostWarning = now;
        log.warn(
            "bloom filter '{}': its bitmap is gone from Redis (evicted, flushed, or Redis restarted without "
                + "persistence); it answers 'might contain' for everything until rebuild() (logged at most once a "
                + "minute)",
            name);
      }
    }

    @Override
    public long rebuild(Iterator<String> items) {
      Names.requireNonNull(items, "items");
      ensureInitialized();
      redis.call(
          "bloom filter rebuild",
          r -> REBUILD_START.run(
              r,
              ScriptOutputType.INTEGER,
              new String[] {nextKey},
              Names.utf8(bits),
              Names.utf8(REBUILD_TTL_MILLIS)));
      long read = 0;
      BitFieldArgs.BitFieldType bit = BitFieldArgs.unsigned(1);
      while (items.hasNext()) {
        BitFieldArgs args = new BitFieldArgs();
        int n = 0;
        while (n < BATCH && items.hasNext()) {
          String item = items.next();
          if (item == null) {
            throw new IllegalArgumentException(
                "items must not contain null (item " + (read + n) + ")");
          }
          for (long position : positions(item)) {
            args.set(bit, (int) position, 1);
          }
          n++;
        }
        read += n;
        redis.call("bloom filter rebuild", r -> r.bitfield(nextKey, args));
        if (read % (BATCH * 100L) < BATCH) {
          redis.call("bloom filter rebuild", r -> r.pexpire(nextKey, REBUILD_TTL_MILLIS));
        }
      }
      Long done = redis.call(
          "bloom filter rebuild",
          r -> REBUILD_FINISH.run(r, ScriptOutputType.INTEGER, new String[] {nextKey, bitmapKey}));
      if (done == null || done == 0) {
        throw new IllegalStateException(
            "bloom filter '" + name + "': the bitmap being rebuilt disappeared from Redis "
                + "(evicted, or the rebuild took longer than an hour); the current bitmap is unchanged");
      }
      incomplete = false;
      flushPending();
      return read;
    }

    @Override
    public void clear() {
      redis.call("bloom filter clear", r -> r.del(bitmapKey, metaKey, nextKey));
      initialized = false;
      incomplete = false;
      pending.clear();
    }

    @Override
    public BloomStats stats() {
      long set = -1;
      try {
        Long count = redis.call("bloom filter BITCOUNT", r -> r.bitcount(bitmapKey));
        Long sentinel = redis.call("bloom filter GETBIT", r -> r.getbit(bitmapKey, bits));
        set = count - (sentinel == null ? 0 : sentinel);
      } catch (RedisUnavailableException e) {
        // unknown
      }
      double fill = set < 0 ? -1 : (double) set / bits;
      long estimated = set < 0
          ? -1
          : fill >= 1 ? Long.MAX_VALUE : Math.round(-((double) bits / hashes) * Math.log1p(-fill));
      return new BloomStats(
          rejected.sum(), passed.sum(), failedOpen.sum(), pending.size(), set, fill, estimated);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long bits() {
      return bits;
    }

    @Override
    public int hashes() {
      return hashes;
    }

    @Override
    public long expectedInsertions() {
      return expectedInsertions;
    }

    @Override
    public double falsePositiveRate() {
      return falsePositiveRate;
    }

    @Override
    public String toString() {
      return "BloomFilter[" + name + ", " + bits + " bits, " + hashes + " hashes]";
    }
  }

  private static String text(Object value) {
    return value instanceof byte[] b
        ? new String(b, StandardCharsets.UTF_8)
        : String.valueOf(value);
  }
}
