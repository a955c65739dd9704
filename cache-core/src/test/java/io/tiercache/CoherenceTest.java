package io.tiercache;

import io.tiercache.test.RedisExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link CoherenceContract} on one Redis server. */
class CoherenceTest extends CoherenceContract {

  @RegisterExtension
  static final RedisExtension server = new RedisExtension();

  @Override
  TestRedis redis() {
    return TestRedis.standalone(server);
  }
}
