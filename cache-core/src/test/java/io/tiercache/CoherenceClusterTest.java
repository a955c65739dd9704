package io.tiercache;

import io.tiercache.test.RedisClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CoherenceContract} on a 3-master Redis Cluster: the stream and its sequence share a
 * slot through a hash tag, patterns run on every master.
 */
@Tag("cluster")
class CoherenceClusterTest extends CoherenceContract {

  @RegisterExtension
  static final RedisClusterExtension server = new RedisClusterExtension();

  @Override
  TestRedis redis() {
    return TestRedis.cluster(server);
  }
}
