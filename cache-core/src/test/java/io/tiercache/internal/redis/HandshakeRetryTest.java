package io.tiercache.internal.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/**
 * Which start-up failures are tried again: a handshake the channel's close overtook (wrong
 * credentials must still fail the build on the next attempt), never a refused connection.
 */
class HandshakeRetryTest {

  @Test
  void handshakesCutShort_areTriedAgain_refusalsAndRejectionsAreNot() {
    assertTrue(RedisTier.closedDuringHandshake(new RedisConnectionException(
        "Unable to connect", new IllegalStateException("RedisHandshakeHandler not registered"))));
    assertTrue(RedisTier.closedDuringHandshake(
        new RedisConnectionException("Connection closed prematurely")));
    assertTrue(RedisTier.closedDuringHandshake(
        new RedisConnectionException("x", new ClosedChannelException())));
    assertFalse(
        RedisTier.closedDuringHandshake(new RedisConnectionException("Connection refused")));
    assertNotNull(RedisTier.configurationProblem(new RedisConnectionException(
        "x", new RedisCommandExecutionException("WRONGPASS invalid username-password pair"))));
  }
}
