package io.tiercache.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.examples.TestApp;
import io.tiercache.test.RedisExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --demo}'s workload, shortened: no errors, and the caches save upstream calls in every use case. */
class DemoDriverTest {

  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  @Test
  void run_answersEverythingAndSavesUpstreamCalls() throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (TestApp app = TestApp.start(redis.uri(), c -> c.withLatency(5, 1))) {
      DemoDriver.Report report = new DemoDriver(app.app(), out, Duration.ofSeconds(4)).run();
      report.print(out);
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertEquals(0, report.errors(), text);
      assertEquals(4, report.useCases().size());
      for (DemoDriver.UseCase u : report.useCases()) {
        assertTrue(u.requests() > 0, u.title() + " sent no request:\n" + text);
        assertTrue(u.upstreamWith() < u.upstreamWithout(), u.title() + " saved nothing:\n" + text);
      }
      assertTrue(report.useCases().get(0).hitRate() > 0.5, text);
      assertTrue(text.contains("warm p50 / p99"), text);
    }
  }
}
