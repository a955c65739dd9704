package io.tiercache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.RedisExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: a cold JVM's first call never starts the instance degraded. Twenty fresh JVMs, two at a
 * time (a loaded machine is when a cold start is slowest), each start the app against one embedded
 * Redis and make one call: none may have opened the breaker or counted a degraded call.
 */
class ColdStartTest {

  static final int STARTS = 20;

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @Test
  void twentyColdStarts_noneStartsDegraded() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<String>> runs = new ArrayList<>();
      for (int i = 0; i < STARTS; i++) {
        runs.add(pool.submit(this::coldStart));
      }
      List<String> lines = new ArrayList<>();
      for (Future<String> run : runs) {
        lines.add(run.get(60, TimeUnit.SECONDS));
      }
      String all = String.join("\n", lines);
      for (String line : lines) {
        assertTrue(line.matches("cold-start value=v health=UP trips=0 degraded=0 .*"), all);
      }
      assertEquals(STARTS, lines.size());
    } finally {
      pool.shutdownNow();
    }
  }

  private String coldStart() throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process = new ProcessBuilder(
            java.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            ColdStart.class.getName(),
            redis.uri())
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "timed out: " + output;
    }
    return output
        .lines()
        .filter(l -> l.startsWith("cold-start "))
        .findFirst()
        .orElse("exit " + process.exitValue() + ": " + output);
  }
}
