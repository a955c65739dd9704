/**
 * Not API; may change in any release. The Redis level (L2): one Lettuce connection with a command
 * timeout, a circuit breaker that stops paying that timeout while Redis is down, and the list of
 * keys to delete once it is back; {@code RedisEndpoint}, where and how to connect; the factory by
 * which {@code TierCache} creates its toolkit.
 *
 * <p>Its types are public only because the other packages of cache-core use them. Applications
 * configure Redis on {@code TierCacheBuilder} and reach it through {@code TierCache}; this package
 * is left out of the javadoc.
 */
package io.tiercache.internal.redis;
