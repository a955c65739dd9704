package io.tiercache;

import io.tiercache.test.RedisExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link CacheContract} on one Redis server. */
class CacheTest extends CacheContract {

  @RegisterExtension
  static final RedisExtension server = new RedisExtension();

  @Override
  TestRedis redis() {
    return TestRedis.standalone(server);
  }
}
