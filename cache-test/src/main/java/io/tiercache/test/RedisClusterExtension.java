package io.tiercache.test;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test class a 3-master {@link EmbeddedRedisCluster}
 * (replicas optional).
 *
 * <p>Register it as a static field; the cluster starts before the first test of the class, every
 * master is flushed before every test (a node a test killed is restarted first, and rejoins as a
 * replica if one of its replicas took over), and the cluster is
 * stopped and its files deleted after the last test. Test methods may declare a parameter of type
 * {@link EmbeddedRedisCluster}.
 *
 * <pre>{@code
 * @RegisterExtension static final RedisClusterExtension cluster = new RedisClusterExtension();
 *
 * TierCache tier = TierCache.builder().redisCluster(cluster.seedUris()).build();
 * }</pre>
 */
public final class RedisClusterExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

  private final int replicasPerMaster;
  private final List<String> settings;
  private volatile EmbeddedRedisCluster cluster;

  /** A cluster without replicas with the default settings. */
  public RedisClusterExtension() {
    this(0, List.of());
  }

  /** A cluster without replicas with extra {@code redis.conf} lines for every node; not null. */
  public RedisClusterExtension(List<String> settings) {
    this(0, settings);
  }

  /**
   * A cluster of 3 masters with {@code replicasPerMaster} replicas each (see {@link
   * EmbeddedRedisCluster#launch(int, List)}) and extra {@code redis.conf} lines; not null.
   */
  public RedisClusterExtension(int replicasPerMaster, List<String> settings) {
    if (settings == null) {
      throw new IllegalArgumentException("settings must not be null");
    }
    this.replicasPerMaster = replicasPerMaster;
    this.settings = List.copyOf(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = EmbeddedRedisCluster.launch(replicasPerMaster, settings);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    EmbeddedRedisCluster current = cluster();
    for (int i = 0; i < current.size(); i++) {
      if (!current.isRunning(i)) {
        current.restart(i);
      }
    }
    current.flushAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    EmbeddedRedisCluster current = cluster;
    cluster = null;
    if (current != null) {
      current.close();
    }
  }

  /** The running cluster of the current test class. */
  public EmbeddedRedisCluster cluster() {
    EmbeddedRedisCluster current = cluster;
    if (current == null) {
      throw new IllegalStateException("the cluster runs only between beforeAll and afterAll; "
          + "register the extension on a static field");
    }
    return current;
  }

  /** The seed URIs of the cluster. */
  public List<String> seedUris() {
    return cluster().seedUris();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedRedisCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster();
  }
}
