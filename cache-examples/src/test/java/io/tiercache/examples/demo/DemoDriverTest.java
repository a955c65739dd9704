package io.tiercache.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
      // No console: plain progress lines a log file can hold, never a carriage return.
      assertFalse(text.contains("\r"), text);
      assertTrue(text.contains("progress 100% done\n"), text);
      assertTrue(text.lines().filter(l -> l.startsWith("progress ")).count() <= 20, text);
    }
  }

  @Test
  void run_onAConsole_drawsTheBarWithCarriageReturns() throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (TestApp app = TestApp.start(redis.uri())) {
      new DemoDriver(app.app(), out, Duration.ofMillis(800), true).run();
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertTrue(text.contains("\r[") && text.contains("100% done"), text);
      assertFalse(text.contains("progress "), text);
    }
  }
}
