package io.tiercache.test;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test class a real Redis server of its own.
 *
 * <p>Register it as a static field; the server starts before the first test of the class, is
 * flushed ({@code FLUSHALL}) before every test, and is stopped and its files deleted after the
 * last. A test that stopped the server gets it started again (same port) before the next test.
 *
 * <pre>{@code
 * class ProjectCacheTest {
 *   @RegisterExtension static final RedisExtension redis = new RedisExtension();
 *
 *   @Test void survivesRestart() {
 *     TierCache tier = TierCache.builder().redisUri(redis.uri()).build();
 *     redis.stop();    // the cache degrades
 *     redis.restart(); // and uses Redis again
 *   }
 * }
 * }</pre>
 *
 * <p>Test methods may also declare a parameter of type {@link EmbeddedRedisServer} to get the
 * server.
 */
public final class RedisExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

  private final List<String> settings;
  private volatile EmbeddedRedisServer server;

  /** A server with the default settings. */
  public RedisExtension() {
    this(List.of());
  }

  /**
   * A server with extra {@code redis.conf} lines.
   *
   * @param settings lines such as {@code "requirepass secret"}; not null
   */
  public RedisExtension(List<String> settings) {
    if (settings == null) {
      throw new IllegalArgumentException("settings must not be null");
    }
    this.settings = List.copyOf(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = EmbeddedRedisServer.launch(settings);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    EmbeddedRedisServer current = server();
    if (!current.isRunning()) {
      current.start();
    }
    current.flushAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    EmbeddedRedisServer current = server;
    server = null;
    if (current != null) {
      current.close();
    }
  }

  /** The running server of the current test class. */
  public EmbeddedRedisServer server() {
    EmbeddedRedisServer current = server;
    if (current == null) {
      throw new IllegalStateException(
          "the Redis server runs only inside a test class: register the extension as a static field");
    }
    return current;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return server().uri();
  }

  /** The {@code requirepass} password given in the settings, or null. */
  public String password() {
    return server().password();
  }

  /** The server's port. */
  public int port() {
    return server().port();
  }

  /** Stops the server, keeping its port (as a crash looks to clients). */
  public void stop() {
    server().stop();
  }

  /** Starts the server again on the same port (empty), or stops and starts it if running. */
  public void restart() {
    server().restart();
  }

  /** A {@link Resp} connection to the server, for assertions that bypass the code under test. */
  public Resp connect() {
    return server().connect();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedRedisServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server();
  }
}
