package io.tiercache.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.examples.App;
import io.tiercache.examples.TestApp;
import io.tiercache.test.RedisExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --demo}'s workload, shortened: no errors, and the caches save upstream calls in every use case. */
class DemoDriverTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

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

  /** Issue 16: the demo's instances on one Redis show what L2 and coherence do, on every instance. */
  @Test
  void run_overTwoInstances_eachHasL2HitsAndReceivesInvalidations() throws InterruptedException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (TestApp first = TestApp.start(redis.uri(), c -> c.withLatency(5, 1));
        App second = App.startReplica(first.app().config(), first.app())) {
      DemoDriver.Report report =
          new DemoDriver(List.of(first.app(), second), out, Duration.ofSeconds(3), false).run();
      report.print(out);
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertEquals(0, report.errors(), text);
      assertEquals(2, report.instances().size(), text);
      for (DemoDriver.Instance n : report.instances()) {
        assertTrue(
            n.reads() > 0 && n.l1Hits() > 0 && n.l2Hits() > 0,
            "L1 and L2 hits on " + n + "\n" + text);
        assertTrue(
            n.sent() > 0 && n.received() > 0, "invalidations both ways on " + n + "\n" + text);
      }
      assertTrue(text.contains("app-2 " + second.baseUri()), text);
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
