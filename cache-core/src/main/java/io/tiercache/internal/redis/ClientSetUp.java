package io.tiercache.internal.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * How a {@link RedisTier} sets up its Lettuce client, and how it tells a configuration error (to
 * fail the build with) from an outage (to start degraded with) when the first connect fails.
 */
final class ClientSetUp {

  private ClientSetUp() {}

  /** The Lettuce client for {@code endpoint}: cluster or standalone (Sentinel included), TLS if asked. */
  static AbstractRedisClient newClient(
      RedisEndpoint endpoint,
      ClientResources resources,
      List<RedisURI> uris,
      Duration timeout,
      Duration connectTimeout) {
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build();
    SslOptions ssl = null;
    if (endpoint.trustedCertificates() != null) {
      ssl = SslOptions.builder()
          .jdkSslProvider()
          .trustManager(endpoint.trustedCertificates().toFile())
          .build();
    }
    if (endpoint.isCluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
      // Node connections open lazily, on a slot's first command: rejecting commands while a node
      // connection is not (yet) up would fail that first command. Queued commands still fail
      // within the command timeout, which opens the breaker.
      ClusterClientOptions.Builder options = ClusterClientOptions.builder()
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(timeout))
          .socketOptions(socket)
          .maxRedirects(5)
          .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
              .enablePeriodicRefresh(Duration.ofSeconds(RedisTier.TOPOLOGY_REFRESH_SECONDS))
              .enableAllAdaptiveRefreshTriggers()
              .adaptiveRefreshTriggersTimeout(
                  Duration.ofSeconds(RedisTier.ADAPTIVE_REFRESH_SECONDS))
              .build());
      if (ssl != null) {
        options.sslOptions(ssl);
      }
      cluster.setOptions(options.build());
      return cluster;
    }
    RedisClient standalone = RedisClient.create(resources);
    ClientOptions.Builder options = ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .socketOptions(socket);
    if (ssl != null) {
      options.sslOptions(ssl);
    }
    standalone.setOptions(options.build());
    return standalone;
  }

  static boolean closedDuringHandshake(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      // Lettuce may also fail the handshake with "RedisHandshakeHandler not registered" when the
      // channel closes while its handshake handler is being set up (seen once in a loaded run)
      if (t instanceof ClosedChannelException
          || (t.getMessage() != null
              && (t.getMessage().contains("closed prematurely")
                  || t.getMessage().contains("RedisHandshakeHandler not registered")))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Why a failure to connect is a configuration error rather than an outage, or null: rejected
   * credentials, an ACL denial, an untrusted certificate.
   */
  static String configurationProblem(Throwable error) {
    return configurationProblem(error, 0);
  }

  private static String configurationProblem(Throwable error, int depth) {
    if (error == null || depth > 12) {
      return null;
    }
    String message = error.getMessage() == null ? "" : error.getMessage();
    if (message.startsWith("WRONGPASS")
        || message.startsWith("NOAUTH")
        || message.contains("invalid password")
        || message.contains("invalid username-password")
        || message.contains("AUTH failed")
        || message.contains("without any password configured")) {
      return "rejected the credentials (check the user and password in the URI or redisCredentials)";
    }
    if (message.startsWith("NOPERM")) {
      return "denied the ACL user a command or a key it needs (grant the keys '{prefix}:*' and the commands "
          + "listed in docs/deployment.md)";
    }
    if (error instanceof SSLHandshakeException
        || error instanceof CertificateException
        || (error instanceof SSLException && message.contains("certificate"))) {
      return "presented a TLS certificate that is not trusted (check redisTrustedCertificates or the JVM trust store)";
    }
    String cause =
        configurationProblem(error.getCause() == error ? null : error.getCause(), depth + 1);
    if (cause != null) {
      return cause;
    }
    for (Throwable suppressed : error.getSuppressed()) {
      String found = configurationProblem(suppressed, depth + 1);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
