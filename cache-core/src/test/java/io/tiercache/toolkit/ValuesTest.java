package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.TypeRef;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Seed 002's generic key operations, under the toolkit's prefix; list pops on capped lists. */
class ValuesTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  record Notice(String text) {}

  private Fixture fixture;
  private Values values;

  @BeforeEach
  void open() {
    fixture = Fixture.open(redis);
    values = fixture.toolkit.values();
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void set_get_ttl_expire_exists_delete() {
    values.set("notice", new Notice("tonight"), Duration.ofMinutes(10));
    assertEquals(Optional.of(new Notice("tonight")), values.get("notice", Notice.class));
    long ttl = values.ttl("notice").orElseThrow().toMillis();
    assertTrue(ttl > 590_000 && ttl <= 600_000, "ttl " + ttl);
    assertTrue(values.exists("notice"));
    assertTrue(values.expire("notice", Duration.ofSeconds(30)));
    assertTrue(values.ttl("notice").orElseThrow().toMillis() <= 30_000);
    values.set("forever", Map.of("a", 1));
    assertEquals(Optional.empty(), values.ttl("forever"), "no TTL");
    assertEquals(
        Optional.of(Map.of("a", 1)), values.get("forever", new TypeRef<Map<String, Integer>>() {}));
    try (Resp resp = redis.connect()) {
      assertEquals(1L, resp.command("EXISTS", "t:__tk:value:notice"), "under the prefix");
    }
    assertTrue(values.delete("notice"));
    assertFalse(values.delete("notice"));
    assertFalse(values.exists("notice"));
    assertEquals(Optional.empty(), values.ttl("notice"));
    assertFalse(values.expire("notice", Duration.ofSeconds(1)));
  }

  @Test
  void deleteAll_deletesInBatches_andCountsWhatExisted() {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      keys.add("k" + i);
      if (i % 2 == 0) {
        values.set("k" + i, i);
      }
    }
    assertEquals(1_250, values.deleteAll(keys));
    assertFalse(values.exists("k0"));
    assertEquals(0, values.deleteAll(List.of()));
  }

  @Test
  void anUnreadableOrOversizeValue_isAbsent() {
    try (Resp resp = redis.connect()) {
      resp.command("SET", "t:__tk:value:bad", "not json");
      resp.command("SETRANGE", "t:__tk:value:big", Integer.toString(Values.MAX_BYTES + 10), "x");
    }
    assertEquals(Optional.empty(), values.get("bad", Notice.class));
    assertEquals(Optional.empty(), values.get("big", String.class));
  }

  @Test
  void badArguments_areRefusedByName() {
    assertEquals(
        "key must not be empty",
        assertThrows(IllegalArgumentException.class, () -> values.set("", 1)).getMessage());
    assertEquals(
        "value must not be null",
        assertThrows(NullPointerException.class, () -> values.set("k", null)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> values.set("k", 1, Duration.ZERO))
        .getMessage()
        .startsWith("ttl must be positive"));
  }

  @Test
  void cappedList_popsNewestAndOldest() {
    CappedList<String> list = fixture.toolkit.lists().get("jobs", 10, String.class);
    list.pushAll(List.of("a", "b", "c"));
    assertEquals(Optional.of("c"), list.popLatest());
    assertEquals(Optional.of("a"), list.popOldest());
    assertEquals(Optional.of("b"), list.popOldest());
    assertEquals(Optional.empty(), list.popOldest());
  }
}
