package io.tiercache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tiercache.test.EmbeddedRedisSentinel;
import io.tiercache.test.EmbeddedRedisServer;
import io.tiercache.test.RedisExtension;
import io.tiercache.test.Resp;
import io.tiercache.toolkit.Lock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TLS, ACL users and Sentinel against real servers. */
class DeploymentTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  private final List<TierCache> opened = new ArrayList<>();

  @AfterEach
  void closeAll() {
    opened.forEach(TierCache::close);
  }

  private TierCache build(TierCacheBuilder builder) {
    TierCache tier = builder.build();
    opened.add(tier);
    return tier;
  }

  private static TierCacheBuilder base(
      String prefix, UnaryOperator<TierCacheBuilder> redisSettings) {
    return redisSettings.apply(TierCache.builder()
        .keyPrefix(prefix)
        .commandTimeout(Duration.ofMillis(500))
        .connectTimeout(Duration.ofSeconds(1))
        .probeInterval(Duration.ofMillis(100))
        .cache("c", s -> s.valueType(String.class).ttl(Duration.ofMinutes(5))));
  }

  /* ---- TLS ---- */

  /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool: {cert.pem, key.pem}. */
  private static Path[] selfSigned(Path dir, String alias) throws Exception {
    return selfSigned(dir, alias, "localhost", "san=ip:127.0.0.1,dns:localhost");
  }

  private static Path[] selfSigned(Path dir, String alias, String commonName, String san)
      throws Exception {
    Path store = dir.resolve(alias + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process process = new ProcessBuilder(
            keytool,
            "-genkeypair",
            "-alias",
            alias,
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-validity",
            "2",
            "-dname",
            "CN=" + commonName,
            "-ext",
            san,
            "-storetype",
            "PKCS12",
            "-keystore",
            store.toString(),
            "-storepass",
            "changeit",
            "-keypass",
            "changeit")
        .redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(
        process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0,
        "keytool failed: " + output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) keys.getKey(alias, "changeit".toCharArray());
    Certificate cert = keys.getCertificate(alias);
    Path certPem = dir.resolve(alias + "-cert.pem");
    Path keyPem = dir.resolve(alias + "-key.pem");
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
    return new Path[] {certPem, keyPem};
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Test
  void tls_roundTripOverRediss_andAnUntrustedCertificateFailsClearly(@TempDir Path dir)
      throws Exception {
    Path[] server = selfSigned(dir, "server");
    Path[] stranger = selfSigned(dir, "stranger");
    int tlsPort = EmbeddedRedisServer.freePort();
    try (EmbeddedRedisServer tls = EmbeddedRedisServer.launch(List.of(
        "tls-port " + tlsPort,
        "tls-cert-file " + server[0].toAbsolutePath(),
        "tls-key-file " + server[1].toAbsolutePath(),
        "tls-ca-cert-file " + server[0].toAbsolutePath(),
        "tls-auth-clients no"))) {
      String uri = "rediss://127.0.0.1:" + tlsPort;
      TierCache a = build(base("tls", b -> b.redisUri(uri).redisTrustedCertificates(server[0])));
      TierCache b = build(base("tls", x -> x.redisUri(uri).redisTrustedCertificates(server[0])));
      assertTrue(a.isRedisAvailable());
      a.<String, String>cache("c").put("k", "over TLS");
      assertEquals("over TLS", b.<String, String>cache("c").get("k", k -> "loaded"));
      try (Resp plain = tls.connect()) {
        assertTrue(
            ((String) plain.command("GET", "tls:c:k")).contains("over TLS"),
            "stored in that server");
      }

      long start = System.nanoTime();
      IllegalStateException wrong = assertThrows(
          IllegalStateException.class,
          () -> build(base("tls", x -> x.redisUri(uri).redisTrustedCertificates(stranger[0]))));
      assertTrue(wrong.getMessage().contains("TLS certificate"), wrong.getMessage());
      assertTrue(wrong.getMessage().contains("127.0.0.1:" + tlsPort), wrong.getMessage());
      assertTrue(
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "fails fast, never hangs");
    }
  }

  /** A trusted certificate issued for another host name is refused: the host name is verified too. */
  @Test
  void tls_aTrustedCertificateForAnotherHost_failsClearly(@TempDir Path dir) throws Exception {
    Path[] elsewhere =
        selfSigned(dir, "elsewhere", "cache.example.org", "san=dns:cache.example.org");
    int tlsPort = EmbeddedRedisServer.freePort();
    try (EmbeddedRedisServer tls = EmbeddedRedisServer.launch(List.of(
        "tls-port " + tlsPort,
        "tls-cert-file " + elsewhere[0].toAbsolutePath(),
        "tls-key-file " + elsewhere[1].toAbsolutePath(),
        "tls-ca-cert-file " + elsewhere[0].toAbsolutePath(),
        "tls-auth-clients no"))) {
      IllegalStateException e = assertThrows(
          IllegalStateException.class,
          () -> build(base(
              "tls",
              x -> x.redisUri("rediss://127.0.0.1:" + tlsPort)
                  .redisTrustedCertificates(elsewhere[0]))));
      assertTrue(e.getMessage().contains("TLS certificate"), e.getMessage());
      try (Resp plain = tls.connect()) {
        assertEquals("PONG", plain.command("PING"), "the server itself was up");
      }
    }
  }

  /* ---- ACL ---- */

  private void createUser(String spec) {
    try (Resp resp = redis.connect()) {
      resp.command("ACL", "DELUSER", "app");
      List<String> args = new ArrayList<>(List.of("ACL", "SETUSER", "app"));
      args.addAll(List.of(spec.split(" ")));
      resp.command(args.toArray(new String[0]));
    }
  }

  @Test
  void acl_aUserLimitedToThePrefix_works() {
    createUser("on >pw ~acl:* +@all");
    String uri = "redis://app:pw@127.0.0.1:" + redis.server().port();
    TierCache a = build(base("acl", b -> b.redisUri(uri)));
    TierCache b = build(base("acl", x -> x.redisUri(redis.uri()).redisCredentials("app", "pw")));
    assertTrue(a.isRedisAvailable() && b.isRedisAvailable());
    b.<String, String>cache("c").put("k", "old");
    assertEquals("old", a.<String, String>cache("c").get("k", k -> "loaded"));
    b.<String, String>cache("c").put("k", "new");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> "new".equals(a.<String, String>cache("c").getIfPresent("k")));
    try (Lock lock = a.locks().acquire("job", Duration.ofSeconds(5), Duration.ofSeconds(1))) {
      assertTrue(lock.fencingToken() > 0);
    }
    assertEquals(1, a.counters().increment("n"));
    assertTrue(a.snapshot().redis().keysUnderPrefix() > 0);
    try (Resp resp = redis.connect()) {
      resp.command("SET", "outside", "x");
      assertEquals("x", resp.command("GET", "outside"));
    }
  }

  @Test
  void acl_wrongPassword_failsBuildClearly_neverHangs() {
    createUser("on >pw ~acl:* +@all");
    long start = System.nanoTime();
    IllegalStateException e = assertThrows(
        IllegalStateException.class,
        () -> build(base(
            "acl",
            b -> b.redisUri("redis://app:nope@127.0.0.1:" + redis.server().port())
                // a handshake slower than the connect timeout passes for an outage: give a loaded
                // host room
                .connectTimeout(Duration.ofSeconds(3)))));
    assertTrue(e.getMessage().contains("rejected the credentials"), e.getMessage());
    assertTrue(!e.getMessage().contains("nope"), "the password is not in the message");
    IllegalStateException viaSetting = assertThrows(
        IllegalStateException.class,
        () -> build(base(
            "acl",
            b -> b.redisUri(redis.uri())
                .redisCredentials("ghost", "pw")
                .connectTimeout(Duration.ofSeconds(3)))));
    assertTrue(
        viaSetting.getMessage().contains("rejected the credentials"), viaSetting.getMessage());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "fails fast, never hangs");
  }

  /**
   * Lettuce can report a rejected handshake as "Connection closed prematurely"; a connection that
   * closes during the handshake is tried again at start-up, so that wrong credentials still fail
   * the build instead of passing for an outage.
   */
  @Test
  void acl_wrongPassword_failsBuild_evenWhenTheFirstConnectionClosesDuringTheHandshake()
      throws IOException {
    createUser("on >pw ~acl:* +@all");
    try (DroppingRelay relay = new DroppingRelay(redis.server().port(), 1)) {
      IllegalStateException e = assertThrows(
          IllegalStateException.class,
          () -> build(base("acl", b -> b.redisUri("redis://app:nope@127.0.0.1:" + relay.port()))));
      assertTrue(e.getMessage().contains("rejected the credentials"), e.getMessage());
      assertEquals(2, relay.accepted(), "the second connection reached the server");
    }
    try (DroppingRelay relay = new DroppingRelay(redis.server().port(), 1)) {
      TierCache tier =
          build(base("acl", b -> b.redisUri("redis://app:pw@127.0.0.1:" + relay.port())));
      assertTrue(
          tier.isRedisAvailable(), "right credentials: available once the second connection is up");
    }
  }

  /**
   * The handshake (HELLO and the like) is bounded by the connect timeout, not the command
   * timeout: a first connection slower than one command timeout, as on a cold JVM, still starts
   * the instance connected; commands keep their own, shorter timeout.
   */
  @Test
  void aHandshakeSlowerThanTheCommandTimeout_stillConnects() throws IOException {
    try (DroppingRelay relay = new DroppingRelay(redis.server().port(), 0, 700)) {
      TierCache tier = build(base(
          "slow",
          b -> b.redisUri("redis://127.0.0.1:" + relay.port())
              .commandTimeout(Duration.ofMillis(250))
              .connectTimeout(Duration.ofSeconds(3))));
      assertTrue(tier.isRedisAvailable(), "connected although the handshake took 700 ms");
      Cache<String, String> cache = tier.cache("c");
      cache.put("k", "v");
      assertEquals("v", cache.get("k", k -> "loaded"));
      assertEquals(0, cache.stats().degradedCalls());
    }
  }

  /**
   * Relays TCP connections to a port on this host, closing the first {@code drop} at once and
   * holding the server's first reply on each relayed connection for {@code replyDelayMillis}.
   */
  private static final class DroppingRelay implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new ArrayList<>();

    DroppingRelay(int target, int drop) throws IOException {
      this(target, drop, 0);
    }

    DroppingRelay(int target, int drop, long replyDelayMillis) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(
          () -> {
            while (!server.isClosed()) {
              try {
                Socket client = server.accept();
                if (accepted.incrementAndGet() <= drop) {
                  client.close();
                  continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                synchronized (sockets) {
                  sockets.add(client);
                  sockets.add(upstream);
                }
                pipe(client.getInputStream(), upstream.getOutputStream(), 0);
                pipe(upstream.getInputStream(), client.getOutputStream(), replyDelayMillis);
              } catch (IOException closed) {
                return;
              }
            }
          },
          "dropping-relay");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private static void pipe(InputStream from, OutputStream to, long firstDelayMillis) {
      Thread copier = new Thread(
          () -> {
            try (from;
                to) {
              int first = from.read();
              if (first < 0) {
                return;
              }
              Thread.sleep(firstDelayMillis);
              to.write(first);
              from.transferTo(to);
            } catch (IOException | InterruptedException closed) {
              // either side closed
            }
          },
          "dropping-relay-pipe");
      copier.setDaemon(true);
      copier.start();
    }

    int port() {
      return server.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
      synchronized (sockets) {
        for (Socket socket : sockets) {
          socket.close();
        }
      }
    }
  }

  @Test
  void acl_aUserWithoutThePrefixsKeys_failsBuildClearly() {
    createUser("on >pw ~other:* +@all");
    IllegalStateException e = assertThrows(
        IllegalStateException.class,
        () -> build(base(
            "acl", b -> b.redisUri("redis://app:pw@127.0.0.1:" + redis.server().port()))));
    assertTrue(e.getMessage().contains("ACL") && e.getMessage().contains("acl:*"), e.getMessage());
  }

  /* ---- Sentinel ---- */

  @Test
  @Tag("fault")
  void sentinel_roundTrip_andFailoverToTheReplica() throws IOException {
    try (EmbeddedRedisSentinel sentinel = EmbeddedRedisSentinel.launch()) {
      TierCache a = build(base("sn", b -> b.redisUri(sentinel.uri())));
      Cache<String, String> cache = a.cache("c");
      cache.put("k", "v1");
      try (Resp master = sentinel.connectMaster()) {
        assertTrue(
            ((String) master.command("GET", "sn:c:k")).contains("v1"),
            "written to the master the Sentinel names");
      }

      int old = sentinel.killMaster();
      String during = cache.get("other", k -> "loaded");
      assertEquals("loaded", during, "answers while there is no master");
      sentinel.awaitFailover(old, 30);

      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            cache.put("k", "v2");
            return a.isRedisAvailable();
          });
      try (Resp master = sentinel.connectMaster()) {
        assertTrue(
            ((String) master.command("GET", "sn:c:k")).contains("v2"),
            "writes reach the promoted replica");
      }
      TierCache fresh = build(base("sn", b -> b.redisUri(sentinel.uri())));
      assertEquals("v2", fresh.<String, String>cache("c").get("k", k -> "loaded"));
    }
  }
}
