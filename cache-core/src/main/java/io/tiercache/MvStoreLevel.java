package io.tiercache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PersistentLevel} in one H2 MVStore file: pure Java, a single file, no native code.
 *
 * <p>Maps: {@code values} (key → record), {@code expiry} (a key ordered by expiry, then key → the
 * record's size: the eviction order and the byte count), {@code meta} (the format, the stream the
 * level follows and the position up to which it applied it). MVStore commits every map together, so
 * after a crash the file is as of one commit: a position never runs ahead of the removals before it.
 *
 * <p>A record is {@code [format=1][expiry: 8 bytes, epoch ms][CRC-32 of key, format, expiry and
 * frame: 4 bytes][frame]}: a record that is short, of another format or fails its check is a miss
 * and is removed; so is one read under another key (the key is in the check). Keys and records are
 * read through data types that refuse a length longer than the page being read or than the largest
 * record, so no garbled length makes a read allocate more. A file that fails to open, or throws
 * while read, is deleted and replaced by an empty one (logged once at WARN, without values).
 */
final class MvStoreLevel implements PersistentLevel {

  private static final Logger log = LoggerFactory.getLogger(MvStoreLevel.class);

  private static final byte FORMAT = 1;
  private static final int HEADER = 13;
  /** Longest key in UTF-8 bytes: keys are bounded to a few hundred characters by the cache. */
  private static final int MAX_KEY_BYTES = 16 * 1024;
  /** Per-entry overhead counted against {@code maxBytes} besides key and record. */
  private static final int OVERHEAD = 48;
  /** How long closing may spend compacting the file. */
  private static final int CLOSE_COMPACTION_MILLIS = 500;
  /** How long a failed verification (Redis unavailable) waits before the next attempt. */
  private static final long RETRY_NANOS = 1_000_000_000L;

  private enum State {
    UNVERIFIED,
    READY,
    OFF
  }

  /** One open file: replaced as a whole when the file is found broken. */
  private record OpenFile(
      MVStore store,
      MVMap<String, byte[]> values,
      MVMap<String, String> expiry,
      MVMap<String, String> meta) {}

  private final String cacheName;
  private final Path file;
  private final long maxBytes;
  /** Largest record: the largest frame a read of L2 takes, and the header. */
  private final int maxRecord;
  /** A file this much larger than the bound is not trusted at start-up. */
  private final long maxFileBytes;

  private final Clock clock;
  private final Replayer replayer;
  private final String streamIdentity;
  private final Object lock = new Object();
  /** Held by the one thread replaying the stream into the level. */
  private final ReentrantLock verifying = new ReentrantLock();

  private volatile OpenFile files;
  private volatile State state = State.UNVERIFIED;
  private long lastAttemptNanos;
  private boolean attempted;
  private long bytes;
  private volatile boolean corruptionLogged;

  MvStoreLevel(String cacheName, String keyPrefix, CacheSpec spec, Clock clock, Replayer replayer) {
    this.cacheName = cacheName;
    this.file = spec.l3Directory().resolve(keyPrefix + "@" + cacheName + ".l3");
    this.maxBytes = spec.l3MaxBytes();
    this.maxRecord = spec.maxValueSize() + 6 + HEADER;
    this.maxFileBytes = maxBytes * 8 + (64L << 20);
    this.clock = clock;
    this.replayer = replayer;
    this.streamIdentity = replayer == null ? "" : replayer.streamIdentity();
    try {
      Files.createDirectories(spec.l3Directory());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cache '" + cacheName + "': the l3 directory " + spec.l3Directory()
              + " cannot be created: " + e.getMessage(),
          e);
    }
    synchronized (lock) {
      openFile(true);
    }
  }

  /* ---- Opening, breaking, closing ---- */

  /** Opens the file; a broken one is deleted and replaced by an empty one; a locked one turns the level off. */
  private void openFile(boolean mayRetry) {
    try {
      if (Files.size(file) > maxFileBytes) {
        warnCorrupt("the file is " + Files.size(file) + " bytes, more than " + maxFileBytes
            + " for a bound of " + maxBytes);
        deleteFile();
      }
    } catch (IOException absent) {
      // a new file
    }
    MVStore store = null;
    try {
      store = new MVStore.Builder()
          .fileName(file.toString())
          .autoCommitBufferSize(1024)
          .backgroundExceptionHandler((thread, error) -> log.debug(
              "l3 of cache '{}': background write failed: {}", cacheName, error.toString()))
          .open();
      // Space of old chunks is reused after 1 s instead of 45 s: the file stays near its live size.
      // The cost is crash safety on file systems that reorder writes, and a torn file is a miss
      // here.
      store.setRetentionTime(1_000);
      MVMap<String, byte[]> values = store.openMap(
          "values",
          new MVMap.Builder<String, byte[]>()
              .keyType(new KeyType())
              .valueType(new RecordType(maxRecord)));
      MVMap<String, String> expiry = store.openMap(
          "expiry",
          new MVMap.Builder<String, String>().keyType(new KeyType()).valueType(new KeyType()));
      MVMap<String, String> meta = store.openMap(
          "meta",
          new MVMap.Builder<String, String>().keyType(new KeyType()).valueType(new KeyType()));
      String format = meta.get("format");
      if (format != null && !format.equals(Byte.toString(FORMAT))) {
        throw new IllegalStateException("format " + format + " is not " + FORMAT);
      }
      long counted = 0;
      for (Iterator<Map.Entry<String, String>> it = expiry.entrySet().iterator(); it.hasNext(); ) {
        counted += Long.parseLong(it.next().getValue());
      }
      meta.put("format", Byte.toString(FORMAT));
      this.files = new OpenFile(store, values, expiry, meta);
      this.bytes = counted;
      evictOverBound();
    } catch (MVStoreException e) {
      closeQuietly(store);
      if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
        off("the file " + file
            + " is in use by another process (one file per instance: give each instance its "
            + "own l3 directory)");
        return;
      }
      brokenAtOpen(e, mayRetry);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      // OutOfMemoryError: a garbled length in MVStore's own metadata asked for an array it could
      // not have
      closeQuietly(store);
      brokenAtOpen(e, mayRetry);
    }
  }

  private void brokenAtOpen(Throwable e, boolean mayRetry) {
    if (!mayRetry) {
      off("an empty file " + file + " cannot be created: " + e);
      return;
    }
    warnCorrupt(e.toString());
    deleteFile();
    openFile(false);
  }

  private void off(String reason) {
    state = State.OFF;
    files = null;
    log.warn("l3 of cache '{}' is off for this run: {}", cacheName, reason);
  }

  /** The file failed while in use: delete it and start empty, not yet verified. */
  private void broken(OpenFile seen, Throwable e) {
    synchronized (lock) {
      if (files != seen || seen == null) {
        return; // replaced already, or closed
      }
      warnCorrupt(e.toString());
      files = null;
      closeQuietly(seen.store());
      deleteFile();
      openFile(false);
      if (state != State.OFF) {
        state = State.UNVERIFIED;
        attempted = false;
      }
    }
  }

  private void warnCorrupt(String what) {
    if (!corruptionLogged) {
      corruptionLogged = true;
      log.warn(
          "l3 of cache '{}': the file {} is unreadable and is deleted; the level starts empty (logged once): {}",
          cacheName,
          file,
          what);
    } else {
      log.debug(
          "l3 of cache '{}': the file {} is unreadable and is deleted: {}", cacheName, file, what);
    }
  }

  private void deleteFile() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.debug("l3 of cache '{}': {} not deleted: {}", cacheName, file, e.toString());
    }
  }

  private static void closeQuietly(MVStore store) {
    if (store != null) {
      try {
        store.closeImmediately();
      } catch (RuntimeException ignored) {
        // already broken
      }
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      OpenFile current = files;
      files = null;
      state = State.OFF;
      if (current != null) {
        try {
          current.store().close(CLOSE_COMPACTION_MILLIS); // rewrites live pages into less space
        } catch (RuntimeException e) {
          log.debug("l3 of cache '{}' not closed cleanly: {}", cacheName, e.toString());
          closeQuietly(current.store());
        }
      }
    }
  }

  /* ---- Verification against the invalidation stream ---- */

  /** Whether the level may serve and take values: verified against the stream, verifying it now if due. */
  private boolean ready() {
    State s = state;
    if (s == State.READY) {
      return true;
    }
    return s == State.UNVERIFIED && verify();
  }

  /**
   * Replays the stream into the level once, on one thread: callers that find a verification in
   * progress get a miss rather than wait for it. The level's own lock is taken only per change, so
   * the coherence reader, which removes keys here as it evicts L1, is never held up by a replay.
   */
  private boolean verify() {
    if (!verifying.tryLock()) {
      return false;
    }
    try {
      OpenFile f;
      synchronized (lock) {
        f = files;
        if (state != State.UNVERIFIED || f == null) {
          return state == State.READY;
        }
        long now = System.nanoTime();
        if (attempted && now - lastAttemptNanos < RETRY_NANOS) {
          return false;
        }
        attempted = true;
        lastAttemptNanos = now;
      }
      try {
        String stream = f.meta().get("stream");
        Position from = position(f.meta().get("position"));
        boolean known = streamIdentity.equals(stream) && from != null;
        if (!known && !f.values().isEmpty()) {
          drop(
              stream == null || from == null
                  ? "it does not know which invalidations it applied"
                  : "it followed another invalidation stream ('" + stream + "')");
        }
        String end = "- 0";
        if (replayer != null) {
          Replay replay = replayer.replay(known ? from : null, this);
          if (replay.gap() != null) {
            drop(replay.gap());
          }
          end = replay.end().id() + " " + replay.end().seq();
        }
        synchronized (lock) {
          if (files != f || state != State.UNVERIFIED) {
            return state == State.READY; // replaced (broken) or closed meanwhile
          }
          f.meta().put("stream", streamIdentity);
          f.meta().put("position", end);
          f.store().commit();
          state = State.READY;
        }
        log.debug("l3 of cache '{}' verified: {} entries", cacheName, f.values().sizeAsLong());
        return true;
      } catch (RedisUnavailableException e) {
        log.debug(
            "l3 of cache '{}' not verified yet, Redis is unavailable: {}",
            cacheName,
            e.getMessage());
        return false;
      } catch (RuntimeException | StackOverflowError e) {
        broken(f, e);
        return false;
      }
    } finally {
      verifying.unlock();
    }
  }

  private static Position position(String stored) {
    if (stored == null) {
      return null;
    }
    int space = stored.indexOf(' ');
    try {
      return space <= 0
          ? null
          : new Position(stored.substring(0, space), Long.parseLong(stored.substring(space + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public void applied(Position position) {
    if (state != State.READY) {
      return;
    }
    OpenFile f = files;
    if (f != null) {
      try {
        f.meta().put("position", position.id() + " " + position.seq());
      } catch (RuntimeException | StackOverflowError e) {
        broken(f, e);
      }
    }
  }

  @Override
  public void reverify() {
    synchronized (lock) {
      if (state == State.READY) {
        state = State.UNVERIFIED;
        attempted = false;
      }
    }
  }

  @Override
  public void apply(String op, String cache, List<String> keys) {
    if (op == null) {
      drop("an invalidation message without an operation");
      return;
    }
    switch (op) {
      case Coherence.OP_KEYS -> {
        if (cache == null || cache.isEmpty() || cache.equals(cacheName)) {
          keys.forEach(this::remove);
        }
      }
      case Coherence.OP_PATTERN ->
        keys.forEach(pattern -> removeIf(key -> Glob.matches(pattern, key)));
      case Coherence.OP_CACHE -> {
        if (cacheName.equals(cache)) {
          clear();
        }
      }
      case Coherence.OP_FLUSH -> clear();
      case Coherence.OP_NAMESPACE -> {
        // a namespace bump changes the keys read, not the values under the old ones
      }
      default -> drop("an invalidation message with an unknown operation '" + op + "'");
    }
  }

  /* ---- Reads and writes ---- */

  @Override
  public Found get(String key) {
    if (!ready()) {
      return null;
    }
    OpenFile f = files;
    if (f == null) {
      return null;
    }
    byte[] record;
    try {
      record = f.values().get(key);
    } catch (RuntimeException | StackOverflowError e) {
      broken(f, e);
      return null;
    }
    if (record == null) {
      return null;
    }
    if (!intact(key, record)) {
      warnCorrupt("a record failed its check");
      removeRecord(f, key, record);
      return null;
    }
    long expiresAt = ByteBuffer.wrap(record, 1, 8).getLong();
    if (expiresAt <= clock.millis()) {
      removeRecord(f, key, record);
      return null;
    }
    byte[] frame = Arrays.copyOfRange(record, HEADER, record.length);
    return new Found(frame, expiresAt);
  }

  @Override
  public void put(String key, byte[] frame, long ttlMillis) {
    if (frame == null || ttlMillis <= 0 || !ready()) {
      return;
    }
    long expiresAt = clock.millis() + ttlMillis;
    byte[] record = record(key, frame, expiresAt);
    long size = sizeOf(key, record);
    if (record.length > maxRecord || size > maxBytes / 4) {
      return; // larger than a quarter of the level: not kept
    }
    synchronized (lock) {
      OpenFile f = files;
      if (f == null || state != State.READY) {
        return;
      }
      try {
        byte[] old = f.values().put(key, record);
        if (old != null) {
          unindex(f, key, old);
        }
        String before = f.expiry().put(indexKey(expiresAt, key), Long.toString(size));
        bytes += size - (before == null ? 0 : Long.parseLong(before));
        evictOverBound();
      } catch (RuntimeException | StackOverflowError e) {
        broken(f, e);
      }
    }
  }

  /**
   * Runs {@code change} on the open file under the lock, unless there is none or it was replaced
   * meanwhile; a failure marks the file broken.
   */
  private void change(Consumer<OpenFile> change) {
    OpenFile f = files;
    if (f == null) {
      return;
    }
    synchronized (lock) {
      if (files != f) {
        return;
      }
      try {
        change.accept(f);
      } catch (RuntimeException | StackOverflowError e) {
        broken(f, e);
      }
    }
  }

  @Override
  public void remove(String key) {
    change(f -> {
      byte[] old = f.values().remove(key);
      if (old != null) {
        unindex(f, key, old);
      }
    });
  }

  @Override
  public void removeIf(Predicate<String> test) {
    change(f -> {
      List<String> matching = new ArrayList<>();
      for (Iterator<String> it = f.values().keyIterator(null); it.hasNext(); ) {
        String key = it.next();
        if (test.test(key)) {
          matching.add(key);
        }
      }
      matching.forEach(this::remove);
    });
  }

  @Override
  public void clear() {
    change(f -> {
      f.values().clear();
      f.expiry().clear();
      bytes = 0;
    });
  }

  @Override
  public void drop(String reason) {
    OpenFile f = files;
    long held = 0;
    try {
      held = f == null ? 0 : f.values().sizeAsLong();
    } catch (RuntimeException ignored) {
      // counted for the log line only
    }
    clear();
    if (held > 0) {
      log.warn("l3 of cache '{}' emptied ({} entries): {}", cacheName, held, reason);
    } else {
      log.debug("l3 of cache '{}' (empty) reset: {}", cacheName, reason);
    }
  }

  @Override
  public long size() {
    OpenFile f = files;
    try {
      return f == null ? 0 : f.values().sizeAsLong();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  @Override
  public long bytes() {
    synchronized (lock) {
      return bytes;
    }
  }

  /** The file, for tests. */
  Path file() {
    return file;
  }

  /** Whether the level is verified and serving, for tests. */
  boolean isReady() {
    return state == State.READY;
  }

  /** Writes raw bytes as the record of {@code key}, for tests of corruption. */
  void putRawForTest(String key, byte[] record) {
    synchronized (lock) {
      files.values().put(key, record);
    }
  }

  /** Commits what is written, for tests that damage the file afterwards. */
  void commitForTest() {
    files.store().commit();
  }

  /* ---- Internals (under the lock) ---- */

  private void removeRecord(OpenFile f, String key, byte[] record) {
    synchronized (lock) {
      if (files != f) {
        return;
      }
      try {
        if (f.values().remove(key, record)) {
          unindex(f, key, record);
        }
      } catch (RuntimeException | StackOverflowError e) {
        broken(f, e);
      }
    }
  }

  private void unindex(OpenFile f, String key, byte[] record) {
    if (record.length >= HEADER) {
      String size = f.expiry().remove(indexKey(ByteBuffer.wrap(record, 1, 8).getLong(), key));
      if (size != null) {
        bytes -= Long.parseLong(size);
      }
    }
    // a record too short to name its expiry leaves its index entry to the eviction below
  }

  /** Evicts the entries nearest to expiry (expired ones first) until the records fit in 90 % of the bound. */
  private void evictOverBound() {
    OpenFile f = files;
    if (f == null || bytes <= maxBytes) {
      return;
    }
    long target = maxBytes / 10 * 9;
    Iterator<Map.Entry<String, String>> it = f.expiry().entrySet().iterator();
    List<Map.Entry<String, String>> evicted = new ArrayList<>();
    long freed = 0;
    while (bytes - freed > target && it.hasNext()) {
      Map.Entry<String, String> e = it.next();
      evicted.add(e);
      freed += Long.parseLong(e.getValue());
    }
    for (Map.Entry<String, String> e : evicted) {
      String indexKey = e.getKey();
      String key = indexKey.substring(17);
      long expiresAt = Long.parseUnsignedLong(indexKey.substring(0, 16), 16);
      byte[] record = f.values().get(key);
      if (record != null
          && (record.length < HEADER || ByteBuffer.wrap(record, 1, 8).getLong() == expiresAt)) {
        f.values().remove(key);
      }
      if (f.expiry().remove(indexKey) != null) {
        bytes -= Long.parseLong(e.getValue());
      }
    }
  }

  /** {@code expiry (16 hex digits) ':' key}: sorts by expiry, then key (expiries are never negative). */
  private static String indexKey(long expiresAt, String key) {
    String hex = Long.toHexString(Math.max(0, expiresAt));
    return "0".repeat(16 - hex.length()) + hex + ":" + key;
  }

  private static long sizeOf(String key, byte[] record) {
    return record.length + 2L * key.length() + OVERHEAD;
  }

  private static byte[] record(String key, byte[] frame, long expiresAt) {
    byte[] record = new byte[HEADER + frame.length];
    ByteBuffer buffer = ByteBuffer.wrap(record);
    buffer.put(FORMAT).putLong(expiresAt).putInt(0).put(frame);
    buffer.putInt(9, check(key, record));
    return record;
  }

  private static boolean intact(String key, byte[] record) {
    return record.length > HEADER
        && record[0] == FORMAT
        && ByteBuffer.wrap(record, 9, 4).getInt() == check(key, record);
  }

  /** CRC-32 of the key, the format and expiry, and the frame: everything but the check itself. */
  private static int check(String key, byte[] record) {
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    crc.update(record, 0, 9);
    crc.update(record, HEADER, record.length - HEADER);
    return (int) crc.getValue();
  }

  /* ---- Data types that never allocate more than the page holds ---- */

  /** UTF-8 with a varint length, at most {@link #MAX_KEY_BYTES} and never past the page. */
  static final class KeyType extends BasicDataType<String> {
    @Override
    public int getMemory(String value) {
      return 24 + 2 * value.length();
    }

    @Override
    public void write(WriteBuffer buffer, String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      buffer.putVarInt(utf8.length).put(utf8);
    }

    @Override
    public String read(ByteBuffer buffer) {
      int length = DataUtils.readVarInt(buffer);
      if (length < 0 || length > MAX_KEY_BYTES || length > buffer.remaining()) {
        throw new IllegalStateException(
            "a key of " + length + " bytes in a page of " + buffer.remaining());
      }
      byte[] utf8 = new byte[length];
      buffer.get(utf8);
      return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public int compare(String a, String b) {
      return a.compareTo(b);
    }

    @Override
    public String[] createStorage(int size) {
      return new String[size];
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof KeyType;
    }

    @Override
    public int hashCode() {
      return KeyType.class.hashCode();
    }
  }

  /** Bytes with a varint length, at most the largest record and never past the page. */
  static final class RecordType extends BasicDataType<byte[]> {
    private final int max;

    RecordType(int max) {
      this.max = max;
    }

    @Override
    public int getMemory(byte[] value) {
      return 24 + value.length;
    }

    @Override
    public void write(WriteBuffer buffer, byte[] value) {
      buffer.putVarInt(value.length).put(value);
    }

    @Override
    public byte[] read(ByteBuffer buffer) {
      int length = DataUtils.readVarInt(buffer);
      if (length < 0 || length > max || length > buffer.remaining()) {
        throw new IllegalStateException(
            "a record of " + length + " bytes in a page of " + buffer.remaining());
      }
      byte[] value = new byte[length];
      buffer.get(value);
      return value;
    }

    @Override
    public int compare(byte[] a, byte[] b) {
      return Arrays.compare(a, b);
    }

    @Override
    public byte[][] createStorage(int size) {
      return new byte[size][];
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof RecordType;
    }

    @Override
    public int hashCode() {
      return RecordType.class.hashCode();
    }
  }
}
