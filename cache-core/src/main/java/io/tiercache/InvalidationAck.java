package io.tiercache;

import java.time.Duration;
import java.util.Set;

/**
 * What {@link TierCache#invalidateAndWait} saw: whether every live instance applied the
 * invalidation within the timeout, and which did not.
 *
 * @param complete every other instance that was live (heartbeat within the last 3 s) applied it;
 *     false also when the message could not be published (Redis down: it is sent when Redis is back)
 * @param missing live instances that had not acknowledged it when the wait ended
 * @param acknowledged instances that acknowledged it
 * @param waited how long the wait for acknowledgements took
 */
public record InvalidationAck(
    boolean complete, Set<String> missing, Set<String> acknowledged, Duration waited) {

  public InvalidationAck {
    missing = Set.copyOf(missing);
    acknowledged = Set.copyOf(acknowledged);
  }
}
