/**
 * The Redis level (L2): one Lettuce connection with a command timeout, a circuit breaker that
 * stops paying that timeout while Redis is down, and the list of keys to delete once it is back.
 *
 * <p>Implementation: public only so that the other Tiercache packages can reach it; it may change
 * without notice.
 */
package io.tiercache.internal.redis;
