package io.tiercache;

import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;

/**
 * The optional persistent third level of one cache ({@link CacheSpec.Builder#l3}): frames on the
 * instance's local disk, each with its absolute expiry, read after an L2 miss and before the loader.
 *
 * <p>This interface names no class of the store, so that a service without {@code
 * com.h2database:h2} on its class path never loads one: {@link #open} checks for it first and
 * only then creates the {@link MvStoreLevel}.
 *
 * <p>Every method is safe to call at any time: a broken file is a miss (and is replaced by an
 * empty one), never an exception for the caller.
 */
interface PersistentLevel extends AutoCloseable {

  /** A frame found, with the absolute expiry it was stored with (epoch milliseconds). */
  record Found(byte[] frame, long expiresAtMillis) {}

  /** Where the invalidation stream stands: the id of its last entry applied, and that entry's sequence. */
  record Position(String id, long seq) {}

  /**
   * What the replay of the invalidation stream found, from the position the level was consistent
   * with to the end: the position reached, and why the level must be emptied (messages it needed
   * are gone), or null when every message after its position was applied.
   */
  record Replay(Position end, String gap) {}

  /**
   * Replays the invalidations published after a position into a level; supplied by {@link
   * Coherence}. With a null {@code from}, only tells where the stream ends now.
   *
   * @throws RedisUnavailableException when Redis cannot be read now (the level tries again later)
   */
  interface Replayer {
    Replay replay(Position from, PersistentLevel into);

    /** What identifies the stream (its key): a level written beside another stream is emptied. */
    String streamIdentity();
  }

  /** The frame of {@code key} if present, verified, not expired and intact; null otherwise. */
  Found get(String key);

  /** Stores a frame that lives {@code ttlMillis} from now; skipped while the level is not verified. */
  void put(String key, byte[] frame, long ttlMillis);

  void remove(String key);

  void removeIf(Predicate<String> test);

  /** Removes every entry (an invalidateAll of the cache, a flush announced on the stream). */
  void clear();

  /** Removes every entry because invalidations it needed may be lost; logs the reason once at WARN. */
  void drop(String reason);

  /** Applies one invalidation message read from the stream (during the start-up replay). */
  void apply(String op, String cache, List<String> keys);

  /** Records that every invalidation up to {@code position} has been applied (only once verified). */
  void applied(Position position);

  /** Forgets that the level was verified: it replays from its recorded position before it serves again. */
  void reverify();

  /** Entries held (an estimate). */
  long size();

  /** Bytes of records held (an estimate). */
  long bytes();

  @Override
  void close();

  /** The level of a cache without one: holds nothing, and every change is a no-op. */
  enum Off implements PersistentLevel {
    INSTANCE;

    @Override
    public Found get(String key) {
      return null;
    }

    @Override
    public void put(String key, byte[] frame, long ttlMillis) {}

    @Override
    public void remove(String key) {}

    @Override
    public void removeIf(Predicate<String> test) {}

    @Override
    public void clear() {}

    @Override
    public void drop(String reason) {}

    @Override
    public void apply(String op, String cache, List<String> keys) {}

    @Override
    public void applied(Position position) {}

    @Override
    public void reverify() {}

    @Override
    public long size() {
      return 0;
    }

    @Override
    public long bytes() {
      return 0;
    }

    @Override
    public void close() {}
  }

  /**
   * Opens the level of a cache, or fails with an error naming the missing dependency.
   *
   * @param replayer null when there is no invalidation stream (coherence off, or no L2): the level
   *     then trusts that no other instance changes the cache
   */
  static PersistentLevel open(
      String cacheName, String keyPrefix, CacheSpec spec, Clock clock, Replayer replayer) {
    requireMvStore(cacheName, PersistentLevel.class.getClassLoader());
    return new MvStoreLevel(cacheName, keyPrefix, spec, clock, replayer);
  }

  /** Fails with an error naming the dependency when {@code loader} cannot load MVStore. */
  static void requireMvStore(String cacheName, ClassLoader loader) {
    try {
      Class.forName("org.h2.mvstore.MVStore", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "cache '" + cacheName + "' turns on the persistent level (l3), which needs "
              + "H2's MVStore: add the dependency com.h2database:h2 (2.3.232 or later 2.x) to the application, or "
              + "turn l3 off",
          e);
    }
  }
}
