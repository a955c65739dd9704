package io.tiercache;

import java.util.Map;
import java.util.Set;

/**
 * Event invalidation (seed 004): an event name maps to key patterns whose placeholders are
 * filled from the event's payload; publishing the event invalidates the matching keys in Redis
 * and in the L1 of every instance.
 *
 * <pre>{@code
 * tier.events().register("product_updated", "product:{id}:*", "inventory:*:{id}:*");
 * tier.events().publish("product_updated", Map.of("id", 42));
 * }</pre>
 *
 * <p>Placeholder values are encoded with {@link Keys#segment}, which never produces a glob
 * character, so a payload value can never widen a pattern. A pattern without glob characters
 * after filling is invalidated as one key (no SCAN).
 */
public interface InvalidationEvents {

  /**
   * Maps an event to patterns. Registering an event again adds patterns to it.
   *
   * @param event the event name, not empty
   * @param patterns templates such as {@code product:{id}:*}; placeholders are {@code {name}}
   * @throws IllegalArgumentException if a template is empty or has an unclosed or empty
   *     placeholder
   */
  InvalidationEvents register(String event, String... patterns);

  /**
   * Invalidates every pattern of the event, filled from the payload.
   *
   * @param event a registered event
   * @param payload a value for every placeholder of the event's patterns
   * @return the number of Redis keys deleted
   * @throws IllegalArgumentException if the event is unknown or a placeholder has no value
   */
  long publish(String event, Map<String, ?> payload);

  /** The registered events. */
  Set<String> events();
}
