package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BlobsTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private Fixture fixture;
  private Blobs blobs;

  @BeforeEach
  void open() {
    fixture = Fixture.open(redis);
    blobs = fixture.toolkit.blobs();
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  private static byte[] everyByte() {
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    return bytes;
  }

  @Test
  void put_thenGet_roundTripsBytesAndContentType_withOneDayTtl() {
    assertTrue(blobs.put("https://img.example/a.png", new Blob(everyByte(), "image/png")));
    Blob blob = blobs.get("https://img.example/a.png").orElseThrow();
    assertArrayEquals(everyByte(), blob.bytes());
    assertEquals("image/png", blob.contentType());
    try (Resp resp = redis.connect()) {
      long ttl = Fixture.pttl(resp, "t:__tk:blob:https%3A//img.example/a.png");
      assertTrue(ttl > 86_000_000 && ttl <= 86_400_000, "ttl " + ttl);
    }
    assertEquals(Optional.empty(), blobs.get("missing"));
  }

  @Test
  void put_overLimit_throwsNamingTheLimit() {
    Blobs small = fixture.toolkit.blobs(10, Duration.ofMinutes(1));
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> small.put("k", new Blob(new byte[11], "application/octet-stream")));
    assertEquals("blob must be at most maxBytes 10 bytes, was 11", e.getMessage());
    assertTrue(small.put("k", new Blob(new byte[10], "application/octet-stream")));
  }

  @Test
  void getOrLoad_loadsOnceThenServesFromRedis() {
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      Blob blob = blobs.getOrLoad("k", key -> {
        loads.incrementAndGet();
        return new Blob(new byte[] {1, 2, 3}, "image/gif");
      });
      assertEquals(new Blob(new byte[] {1, 2, 3}, "image/gif"), blob);
    }
    assertEquals(1, loads.get());
    assertTrue(blobs.delete("k"));
    assertFalse(blobs.delete("k"));
  }

  @Test
  void get_unknownFrame_isMissAndDeleted() {
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:blob:junk", "plain text");
      assertEquals(Optional.empty(), blobs.get("junk"));
      assertEquals(0L, resp.command("EXISTS", "t:__tk:blob:junk"));
    }
  }

  @Test
  void blob_badArguments_throwNamingTheRule() {
    assertEquals(
        "contentType must not be empty",
        assertThrows(IllegalArgumentException.class, () -> new Blob(new byte[0], ""))
            .getMessage());
    assertEquals(
        "contentType must be printable ASCII, found character 10 at index 5",
        assertThrows(IllegalArgumentException.class, () -> new Blob(new byte[0], "image\n"))
            .getMessage());
    assertEquals(
        "maxBytes must be between 1 and 67108864, was 0",
        assertThrows(
                IllegalArgumentException.class, () -> fixture.toolkit.blobs(0, Duration.ofDays(1)))
            .getMessage());
    assertEquals(
        "key must not be empty",
        assertThrows(IllegalArgumentException.class, () -> blobs.get("")).getMessage());
  }

  @Test
  @Tag("fault")
  void redisDown_getIsMiss_putIsFalse_staleBlobDeletedWhenBack() {
    try (Fixture faulty = Fixture.openForFaults(redis)) {
      Blobs cache = faulty.toolkit.blobs();
      cache.put("k", new Blob(new byte[] {1}, "image/png"));
      redis.server().stop();
      assertEquals(Optional.empty(), cache.get("k"));
      assertFalse(cache.put("k", new Blob(new byte[] {2}, "image/png")));
      assertEquals(1, faulty.tier.pendingDeletes());
    }
  }
}
