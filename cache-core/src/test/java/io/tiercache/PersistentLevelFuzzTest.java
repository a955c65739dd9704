package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.MutableClock;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corruption is a miss: garbage written into records and into the file never fails a read or the
 * opening, never returns another value than the one stored, and leaves a level that works.
 */
class PersistentLevelFuzzTest {

  @TempDir
  Path dir;

  private CacheSpec spec() {
    return CacheSpec.builder().l3(dir, 1L << 20).build();
  }

  private MvStoreLevel open(String prefix) {
    return new MvStoreLevel("c", prefix, spec(), Clock.systemUTC(), null);
  }

  private static Map<String, byte[]> fill(MvStoreLevel level, int n, Random random) {
    Map<String, byte[]> frames = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byte[] frame = new byte[1 + random.nextInt(3_000)];
      random.nextBytes(frame);
      frames.put("key:" + i, frame);
      level.put("key:" + i, frame, 3_600_000);
    }
    return frames;
  }

  @Test
  void garbageRecords_areMisses_andAreRemoved() {
    MvStoreLevel level = open("r");
    Random random = new Random(7);
    Map<String, byte[]> frames = fill(level, 50, random);
    for (int i = 0; i < 30; i++) {
      String key = "key:" + i;
      byte[] garbage = switch (i % 3) {
        case 0 -> new byte[0];
        case 1 -> new byte[] {1, 2, 3};
        default -> {
          byte[] bytes = new byte[20 + random.nextInt(100)];
          random.nextBytes(bytes);
          yield bytes;
        }
      };
      level.putRawForTest(key, garbage);
      assertNull(level.get(key), "garbage under " + key);
      assertNull(level.get(key), "and removed");
    }
    for (int i = 30; i < 50; i++) {
      assertArrayEquals(
          frames.get("key:" + i), level.get("key:" + i).frame(), "the others are intact");
    }
    // a record whose frame bytes changed after it was written
    level.put("flip", new byte[] {9, 9, 9, 9}, 3_600_000);
    level.putRawForTest("swap", rawOf(level, "flip"));
    assertNull(level.get("swap"), "a record read under another key is a miss");
    byte[] raw = rawOf(level, "flip");
    raw[raw.length - 1] ^= 1;
    level.putRawForTest("flip", raw);
    assertNull(level.get("flip"));
    // the level still works
    level.put("fresh", new byte[] {1, 2}, 60_000);
    assertArrayEquals(new byte[] {1, 2}, level.get("fresh").frame());
    level.close();
  }

  private static byte[] rawOf(MvStoreLevel level, String key) {
    PersistentLevel.Found found = level.get(key);
    assertNotNull(found);
    byte[] frame = found.frame();
    byte[] record = new byte[13 + frame.length];
    ByteBuffer.wrap(record)
        .put((byte) 1)
        .putLong(found.expiresAtMillis())
        .putInt(0)
        .put(frame);
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    crc.update(record, 0, 9);
    crc.update(record, 13, frame.length);
    ByteBuffer.wrap(record).putInt(9, (int) crc.getValue());
    return record;
  }

  @Test
  void garbageInTheFile_neverFailsTheOpeningOrARead_andNeverAnswersAnotherValue() throws Exception {
    Random random = new Random(42);
    MvStoreLevel pristine = open("pristine");
    Map<String, byte[]> frames = fill(pristine, 300, random);
    Path original = pristine.file();
    pristine.close();
    byte[] bytes = Files.readAllBytes(original);
    int[] served = {0};
    int[] damaged = {0};
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      for (int round = 0; round < 60; round++) {
        byte[] copy = bytes.clone();
        int kind = round % 4;
        if (kind == 0) {
          copy = Arrays.copyOf(copy, random.nextInt(copy.length)); // truncated
        } else if (kind == 1) {
          for (int i = 0; i < 1 + random.nextInt(64); i++) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256); // scattered bytes
          }
        } else if (kind == 2) {
          int at = random.nextInt(copy.length);
          for (int i = at; i < Math.min(copy.length, at + 4096); i++) {
            copy[i] = (byte) random.nextInt(256); // a garbled block
          }
        } else {
          int at = random.nextInt(copy.length);
          Arrays.fill(copy, at, Math.min(copy.length, at + 1 + random.nextInt(8192)), (byte) 0xFF);
        }
        String prefix = "f" + round;
        Files.write(dir.resolve(prefix + "@c.l3"), copy);
        MvStoreLevel level = open(prefix);
        for (Map.Entry<String, byte[]> e : frames.entrySet()) {
          PersistentLevel.Found found = level.get(e.getKey());
          if (found != null) {
            assertArrayEquals(e.getValue(), found.frame(), "round " + round + ": " + e.getKey());
            served[0]++;
          } else {
            damaged[0]++;
          }
        }
        level.put("after", new byte[] {4, 2}, 60_000);
        PersistentLevel.Found after = level.get("after");
        assertNotNull(after, "round " + round + ": the level works after the damage");
        assertArrayEquals(new byte[] {4, 2}, after.frame());
        level.close();
      }
    });
    assertTrue(served[0] > 0 && damaged[0] > 0, "served " + served[0] + ", lost " + damaged[0]);
  }

  @Test
  void aFileFarLargerThanItsBound_isDeletedAtOpening() throws Exception {
    Path file = dir.resolve("big@c.l3");
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {1}), (1L << 20) * 8 + (64L << 20) + 10); // sparse
    }
    MvStoreLevel level = open("big");
    level.put("k", new byte[] {1}, 60_000);
    assertArrayEquals(new byte[] {1}, level.get("k").frame());
    level.close();
    assertTrue(Files.size(file) < 1L << 20, "a new file: " + Files.size(file));
  }

  @Test
  void withoutH2_theErrorNamesTheDependency() {
    ClassLoader bootstrapOnly = new ClassLoader(null) {};
    IllegalStateException e = Assertions.assertThrows(
        IllegalStateException.class, () -> PersistentLevel.requireMvStore("c", bootstrapOnly));
    assertTrue(
        e.getMessage().contains("com.h2database:h2") && e.getMessage().contains("cache 'c'"),
        e.getMessage());
    PersistentLevel.requireMvStore(
        "c", getClass().getClassLoader()); // present on the test class path
  }

  @Test
  void aFileInUseByAnotherLevel_turnsThisOneOff_withoutTouchingIt() {
    MvStoreLevel first = open("shared");
    first.put("k", new byte[] {5}, 60_000);
    MvStoreLevel second = open("shared");
    assertNull(second.get("k"), "off");
    second.put("x", new byte[] {1}, 60_000);
    second.close();
    assertArrayEquals(new byte[] {5}, first.get("k").frame(), "the first still works");
    first.close();
  }

  @Test
  void expiredEntries_areMisses_andTheBoundHolds() {
    MutableClock clock = new MutableClock();
    MvStoreLevel level = new MvStoreLevel("c", "e", spec(), clock, null);
    level.put("short", new byte[] {1}, 1_000);
    level.put("long", new byte[] {2}, 60_000);
    clock.advance(Duration.ofSeconds(2));
    assertNull(level.get("short"));
    assertNotNull(level.get("long"));
    assertEquals(1, level.size());
    Random random = new Random(3);
    for (int i = 0; i < 2_000; i++) {
      byte[] frame = new byte[2_000];
      random.nextBytes(frame);
      level.put("k" + i, frame, 120_000 + i);
    }
    assertTrue(level.bytes() <= 1L << 20, "bytes " + level.bytes());
    assertNotNull(level.get("k1999"));
    assertNull(level.get("k0"));
    level.close();
  }
}
