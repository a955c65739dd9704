/**
 * JUnit 5 support for testing services that use Redis against a real server.
 *
 * <p>{@link io.tiercache.test.RedisExtension} starts an embedded Redis (the binary shipped by the
 * {@code com.github.codemonstur:embedded-redis} package, or a {@code redis-server} named by the
 * {@code tiercache.redis.server} system property or the {@code TIERCACHE_REDIS_SERVER} environment
 * variable) on a free loopback port per test class, flushes it before each test, can stop and
 * restart it on the same port for fault tests, and deletes its files when the class is done.
 * {@link io.tiercache.test.Resp} is a tiny blocking client for test assertions that needs no other
 * library. {@link io.tiercache.test.MutableClock} is a clock a test moves by hand; given to the
 * cache builder's {@code clock(...)}, it moves L1 expiry and refresh-ahead, so that a test passes a
 * TTL without sleeping.
 */
package io.tiercache.test;
