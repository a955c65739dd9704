package io.tiercache.toolkit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.internal.redis.RedisTier;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/** One toolkit on its own RedisTier and scheduler, as one application instance would have. */
final class Fixture implements AutoCloseable {

  static final String PREFIX = "t";

  final ScheduledExecutorService scheduler;
  final RedisTier tier;
  final Toolkit toolkit;

  private Fixture(String uri, Duration commandTimeout, WallClock clock) {
    scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread thread = new Thread(r, "toolkit-test-scheduler");
      thread.setDaemon(true);
      return thread;
    });
    tier = new RedisTier(
        uri,
        commandTimeout,
        Duration.ofMillis(500),
        Duration.ofMillis(100),
        PREFIX,
        1000,
        scheduler);
    ObjectMapper mapper =
        new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    toolkit = new Toolkit(tier, PREFIX, mapper, scheduler, clock);
  }

  static Fixture open(RedisExtension redis) {
    return new Fixture(redis.uri(), Duration.ofSeconds(2), WallClock.system());
  }

  static Fixture open(RedisExtension redis, WallClock clock) {
    return new Fixture(redis.uri(), Duration.ofSeconds(2), clock);
  }

  /** Short timeouts, for tests that stop Redis. */
  static Fixture openForFaults(RedisExtension redis) {
    return new Fixture(redis.uri(), Duration.ofMillis(200), WallClock.system());
  }

  @Override
  public void close() {
    toolkit.close();
    tier.close();
    scheduler.shutdownNow();
  }

  /** Every key in Redis, read with SCAN. */
  static List<String> keys(Resp resp) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      List<?> page = (List<?>) resp.command("SCAN", cursor, "COUNT", "1000");
      cursor = (String) page.get(0);
      for (Object key : (List<?>) page.get(1)) {
        keys.add((String) key);
      }
    } while (!cursor.equals("0"));
    return keys;
  }

  static long pttl(Resp resp, String key) {
    return (Long) resp.command("PTTL", key);
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A wall clock moved by hand. */
  static final class ManualClock implements WallClock {
    private final AtomicLong now;

    ManualClock(long start) {
      now = new AtomicLong(start);
    }

    @Override
    public long currentTimeMillis() {
      return now.get();
    }

    void set(long millis) {
      now.set(millis);
    }

    void advance(long millis) {
      now.addAndGet(millis);
    }
  }
}
