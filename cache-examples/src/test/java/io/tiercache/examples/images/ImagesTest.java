package io.tiercache.examples.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.TierCacheConfig;
import io.tiercache.examples.App;
import io.tiercache.examples.TestApp;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Seed 001's image proxy: bytes and content type for a day, fetched again when they expire. */
class ImagesTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<byte[]> get(App app, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(app.baseUri() + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void until(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "not within " + limit);
      Thread.sleep(20);
    }
  }

  @Test
  void anImage_isFetchedOnce_thenServedWithItsBytesAndContentType_forADay() throws Exception {
    try (TestApp test = TestApp.start(redis.uri())) {
      App app = test.app();
      HttpResponse<byte[]> first = get(app, "/images/2");
      assertEquals(200, first.statusCode());
      assertEquals("origin", first.headers().firstValue("X-Tiercache").orElseThrow());
      assertEquals("image/png", first.headers().firstValue("Content-Type").orElseThrow());
      HttpResponse<byte[]> second = get(app, "/images/2");
      assertEquals("hit", second.headers().firstValue("X-Tiercache").orElseThrow());
      assertArrayEquals(first.body(), second.body());
      assertArrayEquals(
          new ImageOrigin(10, 0).fetch(2).bytes(), second.body(), "the origin's bytes, unchanged");
      assertEquals(
          "image/jpeg",
          get(app, "/images/3").headers().firstValue("Content-Type").orElseThrow());
      assertEquals(404, get(app, "/images/5000").statusCode());
      assertEquals(3, app.images().origin().fetches());
      try (Resp resp = redis.connect()) {
        long ttl = (Long) resp.command("PTTL", app.config().keyPrefix() + ":images:2");
        assertTrue(
            ttl > Duration.ofHours(23).toMillis() && ttl <= Duration.ofDays(1).toMillis(),
            "a day: " + ttl);
      }
    }
  }

  @Test
  void anExpiredImage_isFetchedAgainByOneInstance_beforeAnyoneAsks() throws Exception {
    // One second instead of a day, through the configuration, as an operator would. The load-race
    // window (2 s) is made shorter than that TTL: within it, an instance that loaded the image
    // undoes
    // a write of the same bytes when the other instance's refresh announces it.
    TierCacheConfig shortTtl = TierCacheConfig.fromMap(
        Map.of("caches.images.ttl", "1s", "coherence.load-race-window", "100ms"), "test");
    try (TestApp first = TestApp.start(redis.uri(), c -> c.withEnvironment(shortTtl))) {
      App a = first.app();
      try (App b = App.startReplica(a.config().withPort(0), a)) {
        assertEquals(
            "origin", get(a, "/images/4").headers().firstValue("X-Tiercache").orElseThrow());
        String key = a.config().keyPrefix() + ":images:4";
        until(
            Duration.ofSeconds(10),
            () -> a.images().refreshedOnExpiry() + b.images().refreshedOnExpiry() >= 1);
        try (Resp resp = redis.connect()) {
          until(Duration.ofSeconds(5), () -> (Long) resp.command("EXISTS", key) == 1);
        }
        long fetches = a.images().origin().fetches() + b.images().origin().fetches();
        long refreshes = a.images().refreshedOnExpiry() + b.images().refreshedOnExpiry();
        assertTrue(fetches >= 2, "the request's fetch and at least one refresh");
        assertTrue(
            refreshes <= fetches - 1,
            "every refresh is one fetch: " + refreshes + " of " + fetches);
      }
    }
  }
}
