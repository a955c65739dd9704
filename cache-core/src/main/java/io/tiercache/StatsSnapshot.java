package io.tiercache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.Map;

/**
 * Everything measurable at one moment: every cache's counters, the coherence counters, and facts
 * about Redis (seeds 000 and 001 ask for hit rate, refresh success rate, connection state, key
 * count, memory and clients). Serialisable to JSON with {@link #toJson()}.
 *
 * @param takenAt when the snapshot was taken
 * @param keyPrefix the key prefix
 * @param caches per cache name
 * @param coherence invalidation messages between instances
 * @param redis Redis facts
 */
public record StatsSnapshot(
    Instant takenAt,
    String keyPrefix,
    Map<String, CacheStats> caches,
    CoherenceStats coherence,
    RedisFacts redis) {

  /**
   * Facts about the Redis server and the connection to it.
   *
   * @param configured whether a Redis URI was given
   * @param available whether the circuit breaker is closed
   * @param breakerTrips how many times the breaker opened
   * @param pendingDeletes keys waiting to be deleted once Redis is back
   * @param keysUnderPrefix keys whose name starts with the prefix ({@code SCAN}), or -1 if unknown
   * @param keyCountCapped true when the count stopped at 1,000,000 keys
   * @param usedMemoryBytes {@code used_memory}, or -1
   * @param connectedClients {@code connected_clients}, or -1
   * @param redisVersion {@code redis_version}, or empty
   */
  public record RedisFacts(
      boolean configured,
      boolean available,
      long breakerTrips,
      long pendingDeletes,
      long keysUnderPrefix,
      boolean keyCountCapped,
      long usedMemoryBytes,
      long connectedClients,
      String redisVersion) {}

  /** The snapshot as JSON (ISO-8601 time, rates included). */
  public String toJson() {
    try {
      return new ObjectMapper()
          .findAndRegisterModules()
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .writerWithDefaultPrettyPrinter()
          .writeValueAsString(new Json(takenAt.toString(), keyPrefix, caches, coherence, redis));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stats snapshot is plain data and always serialisable", e);
    }
  }

  /** The JSON shape: the time as text, so no Java-time module is needed. */
  private record Json(
      String takenAt,
      String keyPrefix,
      Map<String, CacheStats> caches,
      CoherenceStats coherence,
      RedisFacts redis) {}
}
