package io.tiercache.examples;

import io.tiercache.test.EmbeddedRedisServer;
import java.io.PrintStream;

/**
 * Runs the demo: {@code java -jar cache-examples.jar --demo}. Uses the Redis named by the
 * {@code REDIS_URL} environment variable, or else starts an embedded one on a free port (and
 * then also shows an outage by stopping and restarting it).
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    if (args.length != 1 || !args[0].equals("--demo")) {
      System.err.println("usage: java -jar cache-examples.jar --demo");
      System.exit(2);
    }
    PrintStream out = System.out;
    String url = System.getenv("REDIS_URL");
    CheckinPlatform platform = new CheckinPlatform(30);
    if (url != null && !url.isBlank()) {
      out.println("Tiercache demo on " + url.replaceAll("//([^:/@]*):[^@/]*@", "//$1:***@"));
      new ProjectsDemo(out, platform).run(url, null);
      return;
    }
    try (EmbeddedRedisServer redis = EmbeddedRedisServer.launch()) {
      out.println("Tiercache demo on an embedded Redis at " + redis.uri());
      new ProjectsDemo(out, platform).run(redis.uri(), new ProjectsDemo.Outage() {
        @Override
        public void stop() {
          redis.stop();
        }

        @Override
        public void start() {
          redis.restart();
        }
      });
    }
  }
}
