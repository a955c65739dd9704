package io.tiercache;

import io.tiercache.test.RedisClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link CacheContract} on a 3-master Redis Cluster: keys spread over every master. */
@Tag("cluster")
class CacheClusterTest extends CacheContract {

  @RegisterExtension
  static final RedisClusterExtension server = new RedisClusterExtension();

  @Override
  TestRedis redis() {
    return TestRedis.cluster(server);
  }
}
