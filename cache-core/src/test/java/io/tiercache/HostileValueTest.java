package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values in Redis written by someone hostile: a compression bomb, a frame that lies about its
 * length, a value far larger than the cache allows. Each is a miss, and no read may allocate much
 * more than the cache's {@code maxValueSize}, whatever the frame declares.
 */
class HostileValueTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache tier() {
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("h")
        .cache("c", s -> s.valueType(String.class).l1(false))
        .cache("bytes", s -> s.valueType(byte[].class).l1(false).maxValueSize(64 * 1024))
        .build();
    opened.add(tier);
    return tier;
  }

  /** A compressed frame {@code [1][1][declared length][DEFLATE of n zero bytes]}. */
  static byte[] bomb(long zeros, int declared, boolean raw) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1);
    out.write(1 | (raw ? 4 : 0));
    out.write(declared >>> 24);
    out.write(declared >>> 16);
    out.write(declared >>> 8);
    out.write(declared);
    byte[] chunk = new byte[1 << 20];
    byte[] buffer = new byte[64 * 1024];
    for (long left = zeros; left > 0; left -= chunk.length) {
      deflater.setInput(chunk, 0, (int) Math.min(chunk.length, left));
      while (!deflater.needsInput()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  private static void store(String key, byte[] frame) {
    try (Resp resp = redis.connect()) {
      resp.commandBytes(
          "SET".getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8), frame);
    }
  }

  private static long allocatedByThisThread() {
    return ((ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void bombDeclaringItsRealSize_isAMiss_andTheReadAllocatesLittle() {
    Cache<String, String> cache = tier().cache("c");
    store("h:c:bomb", bomb(64L << 20, 64 << 20, false)); // 64 MiB of zeros in about 64 KB
    cache.get("bomb", k -> "warm-up").length();
    store("h:c:bomb", bomb(64L << 20, 64 << 20, false));
    long before = allocatedByThisThread();
    assertEquals("loaded", cache.get("bomb", k -> "loaded"));
    long allocated = allocatedByThisThread() - before;
    assertTrue(allocated < 8L << 20, "one read of a bomb allocated " + allocated + " bytes");
    assertEquals(2, cache.stats().decodeErrors());
  }

  @Test
  void frameThatInflatesPastWhatItDeclares_stopsAtTheDeclaredLength() {
    Cache<String, byte[]> cache = tier().cache("bytes");
    // declares 32 KiB (under the cache's 64 KiB limit) but holds 16 MiB of zeros
    store("h:bytes:liar", bomb(16L << 20, 32 * 1024, true));
    long before = allocatedByThisThread();
    byte[] value = cache.get("liar", k -> new byte[] {7});
    long allocated = allocatedByThisThread() - before;
    assertEquals(1, value.length);
    assertTrue(allocated < 4L << 20, "one read allocated " + allocated + " bytes");
    assertEquals(1, cache.stats().decodeErrors());
  }

  @Test
  void valueLargerThanMaxValueSize_isAMiss_readWithoutTakingItAll() {
    Cache<String, byte[]> cache = tier().cache("bytes");
    byte[] huge = new byte[8 << 20];
    huge[0] = 1; // a raw frame: version 1, flags RAW
    huge[1] = 4;
    store("h:bytes:huge", huge);
    assertEquals(3, cache.get("huge", k -> new byte[3]).length);
    assertEquals(1, cache.stats().decodeErrors());
    try (Resp resp = redis.connect()) {
      // deleted like any bad frame, and replaced by the loaded value
      assertTrue(
          (Long) resp.command("STRLEN", "h:bytes:huge") < 100,
          "the oversize value is still in Redis");
    }
  }

  @Test
  void putLargerThanMaxValueSize_isRefused_andNothingIsWritten() {
    List<String> written = new ArrayList<>();
    TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("h")
        .cache(
            "wt",
            s -> s.valueType(byte[].class)
                .maxValueSize(1024 * 1024)
                .strategy(Strategy.WRITE_THROUGH)
                .writer((CacheWriter<String, byte[]>) (key, value) -> written.add(key)))
        .build();
    opened.add(tier);
    Cache<String, byte[]> cache = tier.cache("wt");
    CodecException refused =
        assertThrows(CodecException.class, () -> cache.put("big", new byte[2 << 20]));
    assertTrue(refused.getMessage().contains("maxValueSize 1048576"), refused.getMessage());
    assertTrue(written.isEmpty(), "the writer must not see a value the cache refuses");
    assertNull(cache.getIfPresent("big"));
    cache.put("small", new byte[1000]);
    assertEquals(List.of("small"), written);
  }

  @Test
  void maxValueSize_outOfRange_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CacheSpec.builder().maxValueSize(10));
    assertEquals("maxValueSize must be between 1024 and 536870912 bytes, was 10", e.getMessage());
  }

  /**
   * Eight threads read a 512 MiB bomb at once in a JVM with a 64 MiB heap: before the bound, each
   * read allocated the declared 512 MiB and the callers got {@link OutOfMemoryError}.
   */
  @Test
  void concurrentBombReads_inASmallHeap_areMissesNotErrors() throws Exception {
    store("h:c:0", bomb(512L << 20, 512 << 20, false));
    store("h:c:1", bomb(512L << 20, 512 << 20, false));
    String output = runChild("-Xmx64m", HostileReader.class);
    assertTrue(output.contains("reads=80 errors=0"), output);
  }

  /**
   * {@code getAll} reads a 96 MiB value (made in Redis with {@code SETRANGE}, so no client sends
   * it) ten times in a JVM with a 32 MiB heap: an unbounded multi-read ({@code MGET}) would take
   * the whole value each time and fail with {@link OutOfMemoryError}; the bounded read takes at
   * most the cache's maxValueSize and reads the value as a miss.
   */
  @Test
  void getAllOfAHugeValue_inASmallHeap_isAMissNotAnError() throws Exception {
    String output = runChild("-Xmx32m", HugeGetAllReader.class);
    assertTrue(output.contains("misses=10 hits=10 decodeErrors=10 errors=0"), output);
  }

  /**
   * Runs {@code main} in a child JVM with the heap limit {@code heap}, on this test's Redis, and
   * returns its output once it exited with 0.
   */
  private static String runChild(String heap, Class<?> main) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(
            java.toString(),
            heap,
            "-cp",
            System.getProperty("java.class.path"),
            main.getName(),
            redis.uri(),
            Integer.toString(redis.port()))
        .redirectErrorStream(true)
        .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the reader did not finish");
    assertEquals(0, child.exitValue(), output);
    return output;
  }

  /** The child JVM of {@link #getAllOfAHugeValue_inASmallHeap_isAMissNotAnError}. */
  static final class HugeGetAllReader {
    public static void main(String[] args) throws Exception {
      int misses = 0;
      int hits = 0;
      int errors = 0;
      try (TierCache tier = TierCache.builder()
              .redisUri(args[0])
              .keyPrefix("hg")
              .commandTimeout(Duration.ofSeconds(10))
              .cache("bytes", s -> s.valueType(byte[].class).l1(false).maxValueSize(64 * 1024))
              .build();
          Resp resp = Resp.connect(Integer.parseInt(args[1]))) {
        Cache<String, byte[]> cache = tier.cache("bytes");
        cache.put("small", new byte[] {1, 2, 3});
        for (int i = 0; i < 10; i++) {
          try {
            // 96 MiB, made by Redis itself: a raw frame (version 1, flags RAW) padded with zeros
            resp.command("SETRANGE", "hg:bytes:huge", Integer.toString((96 << 20) - 1), "x");
            resp.commandBytes(
                "SETRANGE".getBytes(StandardCharsets.UTF_8),
                "hg:bytes:huge".getBytes(StandardCharsets.UTF_8),
                "0".getBytes(StandardCharsets.UTF_8),
                new byte[] {1, 4});
            Set<String> asked = new HashSet<>();
            Map<String, byte[]> all = cache.getAll(List.of("huge", "small"), missing -> {
              asked.addAll(missing);
              return Map.of();
            });
            if (asked.equals(Set.of("huge"))) {
              misses++;
            }
            if (all.containsKey("small") && all.get("small").length == 3) {
              hits++;
            }
          } catch (Throwable e) {
            errors++;
            System.out.println("error: " + e);
          }
        }
        System.out.println("misses=" + misses + " hits=" + hits + " decodeErrors="
            + cache.stats().decodeErrors() + " errors=" + errors);
      }
      System.exit(errors == 0 ? 0 : 1);
    }
  }

  /** The child JVM of {@link #concurrentBombReads_inASmallHeap_areMissesNotErrors}. */
  static final class HostileReader {
    public static void main(String[] args) throws Exception {
      AtomicInteger reads = new AtomicInteger();
      AtomicInteger errors = new AtomicInteger();
      byte[][] bombs = new byte[2][];
      try (Resp resp = Resp.connect(Integer.parseInt(args[1]))) {
        for (int i = 0; i < 2; i++) {
          bombs[i] = (byte[]) resp.commandBytes(
              "GET".getBytes(StandardCharsets.UTF_8),
              ("h:c:" + i).getBytes(StandardCharsets.UTF_8));
        }
      }
      try (TierCache tier = TierCache.builder()
          .redisUri(args[0])
          .keyPrefix("h")
          .commandTimeout(Duration.ofSeconds(5))
          .cache("c", s -> s.valueType(String.class).l1(false))
          .build()) {
        Cache<Integer, String> cache = tier.cache("c");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int key = t % 2;
          futures.add(pool.submit(() -> {
            try (Resp resp = Resp.connect(Integer.parseInt(args[1]))) {
              for (int i = 0; i < 10; i++) {
                try {
                  // the bomb again: a bad frame is deleted when read, and the loaded value written
                  resp.commandBytes(
                      "SET".getBytes(StandardCharsets.UTF_8),
                      ("h:c:" + key).getBytes(StandardCharsets.UTF_8),
                      bombs[key]);
                  if ("fallback".equals(cache.get(key, k -> "fallback"))) {
                    reads.incrementAndGet();
                  }
                } catch (Throwable e) {
                  errors.incrementAndGet();
                  System.out.println("error: " + e);
                }
              }
            }
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
        pool.shutdown();
      }
      System.out.println("reads=" + reads + " errors=" + errors);
      System.exit(errors.get() == 0 ? 0 : 1);
    }
  }
}
