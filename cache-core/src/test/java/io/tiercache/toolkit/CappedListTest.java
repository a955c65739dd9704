package io.tiercache.toolkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.TypeRef;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CappedListTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  record Topic(long id, String title) {}

  private Fixture fixture;
  private CappedLists lists;

  @BeforeEach
  void open() {
    fixture = Fixture.open(redis);
    lists = fixture.toolkit.lists();
  }

  @AfterEach
  void close() {
    fixture.close();
  }

  @Test
  void push_keepsTheLatestN_newestFirst() {
    CappedList<Topic> topics = lists.get("project:42:topics", 20, Topic.class);
    for (int i = 1; i <= 25; i++) {
      assertEquals(Math.min(i, 20), topics.push(new Topic(i, "t" + i)));
    }
    List<Topic> latest = topics.latest();
    assertEquals(20, latest.size());
    assertEquals(new Topic(25, "t25"), latest.get(0));
    assertEquals(new Topic(6, "t6"), latest.get(19));
    assertEquals(List.of(new Topic(25, "t25"), new Topic(24, "t24")), topics.latest(2));
    try (Resp resp = redis.connect()) {
      assertEquals(20L, resp.command("LLEN", "t:__tk:list:project%3A42%3Atopics"));
    }
  }

  @Test
  void pushAll_lastItemEndsUpFirst() {
    CappedList<String> list = lists.get("names", 3, String.class);
    list.pushAll(List.of("a", "b", "c", "d"));
    assertEquals(List.of("d", "c", "b"), list.latest());
  }

  @Test
  void genericType_roundTrips() {
    CappedList<Map<String, Integer>> list =
        lists.get("maps", 5, new TypeRef<Map<String, Integer>>() {});
    list.push(Map.of("a", 1));
    assertEquals(List.of(Map.of("a", 1)), list.latest());
  }

  @Test
  void push_concurrentWriters_neverExceedCapacity() throws Exception {
    CappedList<Integer> list = lists.get("feed", 10, Integer.class);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(pool.submit(() -> IntStream.range(0, 200).forEach(list::push)));
    }
    try (Resp resp = redis.connect()) {
      for (int i = 0; i < 50; i++) {
        assertTrue((Long) resp.command("LLEN", "t:__tk:list:feed") <= 10);
      }
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertEquals(10, list.size());
  }

  @Test
  void latest_unreadableItem_isSkipped() {
    CappedList<Topic> topics = lists.get("mixed", 5, Topic.class);
    topics.push(new Topic(1, "ok"));
    try (Resp resp = redis.connect()) {
      resp.command("LPUSH", "t:__tk:list:mixed", "{broken");
    }
    assertEquals(List.of(new Topic(1, "ok")), topics.latest());
  }

  @Test
  void latest_skipsNullItems() {
    CappedList<Topic> topics = lists.get("nulls", 5, Topic.class);
    topics.push(new Topic(1, "ok"));
    try (Resp resp = redis.connect()) {
      resp.command("LPUSH", "t:__tk:list:nulls", "null");
    }
    assertEquals(List.of(new Topic(1, "ok")), topics.latest());
  }

  interface Shape {}

  @Test
  void get_refusesATypeThatCouldNotBeReadBack() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> lists.get("s", 5, Shape.class));
    assertTrue(
        e.getMessage().startsWith("type io.tiercache.toolkit.CappedListTest$Shape is abstract"),
        e.getMessage());
  }

  @Test
  void badArguments_throwNamingTheRule() {
    assertEquals(
        "capacity must be positive, was 0",
        assertThrows(IllegalArgumentException.class, () -> lists.get("x", 0, String.class))
            .getMessage());
    CappedList<String> list = lists.get("x", 3, String.class);
    assertEquals(
        "item must not be null",
        assertThrows(NullPointerException.class, () -> list.push(null)).getMessage());
    assertEquals(
        "n must be positive, was -1",
        assertThrows(IllegalArgumentException.class, () -> list.latest(-1)).getMessage());
  }
}
