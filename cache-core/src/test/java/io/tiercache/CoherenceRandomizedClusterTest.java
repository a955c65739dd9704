package io.tiercache;

import io.tiercache.test.RedisClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link CoherenceRandomizedTest}'s run on a 3-master cluster with client tracking: every master
 * pushes the changes of its keys, and no read may lag an acknowledged write by more than the
 * bound.
 */
@Tag("long")
@Tag("cluster")
class CoherenceRandomizedClusterTest {

  @RegisterExtension
  static final RedisClusterExtension server = new RedisClusterExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  @Test
  void tracking_readsNeverLagAcknowledgedWritesByMoreThanTheBound() throws Exception {
    CoherenceRandomizedTest.run(
        "3-master cluster",
        b -> b.redisCluster(server.seedUris()),
        CoherenceMode.TRACKING,
        true,
        Duration.ofSeconds(12),
        opened);
  }
}
