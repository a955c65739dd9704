package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TypedHashTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  record Profile(String name, int level) {}

  private Fixture fixture;
  private Hashes hashes;

  @BeforeEach
  void open() {
    fixture = Fixture.open(redis);
    hashes = fixture.toolkit.hashes();
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void json_roundTripsPerField() {
    TypedHash<Profile> profiles = hashes.json("profiles", Profile.class);
    assertTrue(profiles.put("u1", new Profile("Ann", 3)));
    assertFalse(profiles.put("u1", new Profile("Ann", 4)), "overwrite is not new");
    profiles.putAll(Map.of("u2", new Profile("Bo", 1)));
    assertEquals(Optional.of(new Profile("Ann", 4)), profiles.get("u1"));
    assertEquals(
        Map.of("u1", new Profile("Ann", 4), "u2", new Profile("Bo", 1)), profiles.getAll());
    assertTrue(profiles.contains("u2"));
    assertEquals(2, profiles.size());
    assertTrue(profiles.remove("u2"));
    assertEquals(Optional.empty(), profiles.get("u2"));
    try (Resp resp = redis.connect()) {
      assertEquals(
          "{\"name\":\"Ann\",\"level\":4}", resp.command("HGET", "t:__tk:hash:profiles", "u1"));
    }
  }

  @Test
  void strings_storePlainText() {
    TypedHash<String> settings = hashes.strings("settings");
    settings.put("theme", "dark");
    try (Resp resp = redis.connect()) {
      assertEquals("dark", resp.command("HGET", "t:__tk:hash:settings", "theme"));
      resp.command("HSET", "t:__tk:hash:settings", "lang", "fr");
    }
    assertEquals(Map.of("theme", "dark", "lang", "fr"), settings.getAll());
  }

  @Test
  void get_unreadableField_readsAsAbsent() {
    TypedHash<Profile> profiles = hashes.json("p", Profile.class);
    try (Resp resp = redis.connect()) {
      resp.command("HSET", "t:__tk:hash:p", "bad", "[1,2");
    }
    assertEquals(Optional.empty(), profiles.get("bad"));
    assertEquals(Map.of(), profiles.getAll());
  }

  @Test
  void badArguments_throwNamingTheRule() {
    TypedHash<String> hash = hashes.strings("h");
    assertEquals(
        "field must not be empty",
        assertThrows(IllegalArgumentException.class, () -> hash.put("", "v")).getMessage());
    assertEquals(
        "value must not be null",
        assertThrows(NullPointerException.class, () -> hash.put("f", null)).getMessage());
    assertEquals(
        "type must not be null",
        assertThrows(NullPointerException.class, () -> hashes.json("h", (Class<String>) null))
            .getMessage());
  }
}
