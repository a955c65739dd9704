package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stats say how much compression saves (seed 004): bytes before and after, and their ratio. */
class CompressionStatsTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  void compressionRatio_isTheEncodedBytesOverTheStoredOnes() {
    try (TierCache tier = TierCache.builder()
        .redisUri(redis.uri())
        .keyPrefix("cs")
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(5)))
        .build()) {
      Cache<String, String> c = tier.cache("c");
      assertEquals(1.0, c.stats().compressionRatio(), "nothing encoded yet");
      String text = "the same sentence again and again. ".repeat(300); // 10.5 KB, compresses well
      c.put("long", text);
      c.get("loaded", k -> "short");
      CacheStats stats = c.stats();
      long stored;
      try (Resp resp = redis.connect()) {
        stored = ((Number) resp.command("STRLEN", "cs:c:long")).longValue()
            + ((Number) resp.command("STRLEN", "cs:c:loaded")).longValue();
      }
      // the JSON string is the text plus its quotes; the frames add 2 header bytes (+4 compressed)
      assertEquals(text.length() + 2 + "\"short\"".length(), stats.encodedBytes());
      assertEquals(stored - 2 - 4 - 2, stats.storedBytes());
      assertTrue(stats.compressionRatio() > 10, "ratio " + stats.compressionRatio());
    }
  }
}
