package io.tiercache;

/**
 * What Tiercache knows of its Redis right now, for health checks: {@link TierCache#redisHealth()}.
 *
 * @param status the state
 * @param detail a sentence for operators (no credentials), empty when {@link Status#UP}
 */
public record RedisHealth(Status status, String detail) {

  /** The states, from good to bad. */
  public enum Status {
    /** Redis answers and accepts writes. */
    UP,
    /**
     * Redis answers reads but refused a write lately because it is full ({@code used_memory} above
     * {@code maxmemory} under {@code maxmemory-policy noeviction}): changed keys are deleted rather
     * than updated, and invalidations go out on a fallback channel.
     */
    REFUSING_WRITES,
    /** Redis does not answer: the circuit breaker is open and calls run on L1 and the loaders. */
    DOWN,
    /** No Redis is configured. */
    NONE
  }
}
