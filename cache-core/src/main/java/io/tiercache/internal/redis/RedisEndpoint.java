package io.tiercache.internal.redis;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Where Redis is and how to talk to it: one standalone or Sentinel-managed server ({@link #of}),
 * or a Redis Cluster given by seed nodes ({@link #cluster}), with optional ACL credentials and a
 * PEM file of certificates to trust for TLS ({@code rediss://}).
 *
 * <p>Accepted URIs: {@code redis://[user:password@]host:port[/db]}, {@code rediss://...} (TLS),
 * {@code redis-sentinel://[password@]host:port[,host:port]/db#masterId} and {@code
 * rediss-sentinel://...} (Lettuce's Sentinel form). Cluster seeds are {@code redis://} or {@code
 * rediss://} URIs of any node of the cluster; the others are discovered.
 */
public final class RedisEndpoint {

  private final List<String> uris;
  private final boolean cluster;
  private final String username;
  private final char[] password;
  private final Path trustedCertificates;

  private RedisEndpoint(
      List<String> uris, boolean cluster, String username, char[] password, Path trusted) {
    this.uris = List.copyOf(uris);
    this.cluster = cluster;
    this.username = username;
    this.password = password;
    this.trustedCertificates = trusted;
  }

  /** A standalone server ({@code redis://}, {@code rediss://}) or a Sentinel URI. */
  public static RedisEndpoint of(String uri) {
    Objects.requireNonNull(uri, "uri must not be null");
    if (!uri.startsWith("redis://")
        && !uri.startsWith("rediss://")
        && !uri.startsWith("redis-sentinel://")
        && !uri.startsWith("rediss-sentinel://")) {
      throw new IllegalArgumentException(
          "a Redis URI must start with redis://, rediss://, redis-sentinel:// "
              + "or rediss-sentinel://, was " + redact(uri));
    }
    check(uri, "uri");
    return new RedisEndpoint(List.of(uri), false, null, null, null);
  }

  /**
   * Checks a URI's hosts and ports now rather than at connect time, where Lettuce's own message
   * would not name the setting, or where a bad port would silently become the default one.
   *
   * @param argument the setting's name for the message, such as "redisUri"
   * @throws IllegalArgumentException naming {@code argument}, with the password hidden
   */
  public static void check(String uri, String argument) {
    String problem = scrub(problem(uri), uri);
    if (problem == null) {
      try {
        RedisURI.create(uri);
      } catch (RuntimeException e) {
        // the parser's message may quote the whole URI, password included
        // The parser's message quotes what it read, which may be a piece of the password: with
        // user information in the URI, say what usually went wrong instead.
        problem = uri.lastIndexOf('@') > uri.indexOf("://")
            ? "it cannot be parsed; percent-encode the password's reserved characters: / as %2F, @ as %40, "
                + ": as %3A, # as %23, ? as %3F, % as %25"
            : e.getMessage() == null ? e.getClass().getSimpleName() : scrub(e.getMessage(), uri);
      }
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          argument + " is not a valid Redis URI (" + problem + "), was " + redact(uri));
    }
  }

  /** What is wrong with the hosts and ports of a URI, or null. */
  private static String problem(String uri) {
    int userInfoStart = uri.indexOf("://") + 3;
    int userInfoEnd = uri.lastIndexOf('@');
    if (userInfoEnd > userInfoStart) {
      String userInfo = uri.substring(userInfoStart, userInfoEnd);
      for (char c : new char[] {'/', '?', '#', '@'}) {
        if (userInfo.indexOf(c) >= 0) {
          // the URI parser would end the user information there and read the password as a host
          return "its user name or password holds a raw '" + c
              + "'; percent-encode it (/ as %2F, ? as %3F, " + "# as %23, @ as %40)";
        }
      }
    }
    int start =
        Math.max(uri.indexOf("://") + 3, uri.lastIndexOf('@') + 1); // after any user information
    int end = uri.length();
    for (char c : new char[] {'/', '?', '#'}) {
      int i = uri.indexOf(c, start);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    String authority = uri.substring(start, end);
    if (authority.isEmpty()) {
      return "no host";
    }
    for (String node : authority.split(",", -1)) {
      String host = node;
      String port = null;
      if (node.startsWith("[")) {
        int close = node.indexOf(']');
        if (close < 0) {
          return "'" + node + "' opens an IPv6 address with '[' but does not close it";
        }
        host = node.substring(1, close);
        String rest = node.substring(close + 1);
        if (!rest.isEmpty()) {
          if (!rest.startsWith(":")) {
            return "'" + node + "' has text after the IPv6 address";
          }
          port = rest.substring(1);
        }
      } else if (node.indexOf(':') >= 0) {
        host = node.substring(0, node.lastIndexOf(':'));
        port = node.substring(node.lastIndexOf(':') + 1);
      }
      if (host.isEmpty()) {
        return "'" + node + "' has no host";
      }
      if (port != null && !validPort(port)) {
        return "port '" + port + "' is not a number from 1 to 65535";
      }
    }
    if (uri.startsWith("redis-sentinel://") || uri.startsWith("rediss-sentinel://")) {
      int hash = uri.indexOf('#');
      if (hash < 0 || hash == uri.length() - 1) {
        return "a Sentinel URI names its master after '#': redis-sentinel://host:26379#mymaster";
      }
    }
    return null;
  }

  private static boolean validPort(String port) {
    if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int value = Integer.parseInt(port);
    return value >= 1 && value <= 65535;
  }

  /** A Redis Cluster, reached through any of these seed nodes ({@code redis://} or {@code rediss://}). */
  public static RedisEndpoint cluster(List<String> seedUris) {
    Objects.requireNonNull(seedUris, "seedUris must not be null");
    if (seedUris.isEmpty()) {
      throw new IllegalArgumentException("a cluster needs at least one seed URI");
    }
    Boolean tls = null;
    for (String seed : seedUris) {
      Objects.requireNonNull(seed, "a seed URI must not be null");
      boolean secure = seed.startsWith("rediss://");
      if (!secure && !seed.startsWith("redis://")) {
        throw new IllegalArgumentException(
            "a cluster seed URI must start with redis:// or rediss://, was " + redact(seed));
      }
      if (tls != null && tls != secure) {
        throw new IllegalArgumentException(
            "cluster seed URIs must all use TLS (rediss://) or none");
      }
      tls = secure;
      check(seed, "a cluster seed URI");
    }
    return new RedisEndpoint(seedUris, true, null, null, null);
  }

  /**
   * ACL credentials for every connection, overriding any in the URIs.
   *
   * @param username the ACL user; null for the {@code default} user ({@code requirepass})
   */
  public RedisEndpoint withCredentials(String username, String password) {
    Objects.requireNonNull(password, "password must not be null");
    return new RedisEndpoint(uris, cluster, username, password.toCharArray(), trustedCertificates);
  }

  /** A PEM file of certificates to trust for TLS, instead of the JVM's trust store. */
  public RedisEndpoint withTrustedCertificates(Path pemFile) {
    Objects.requireNonNull(pemFile, "pemFile must not be null");
    return new RedisEndpoint(uris, cluster, username, password, pemFile);
  }

  /** Whether this is a Redis Cluster. */
  public boolean isCluster() {
    return cluster;
  }

  /** The trusted certificates, or null for the JVM's trust store. */
  public Path trustedCertificates() {
    return trustedCertificates;
  }

  /** Lettuce URIs with the command timeout and the credentials applied. */
  List<RedisURI> redisUris(Duration timeout) {
    List<RedisURI> result = new ArrayList<>(uris.size());
    for (String text : uris) {
      RedisURI uri =
          RedisURI.create(text); // a fresh copy: RedisURI.builder(uri) drops Sentinel nodes
      uri.setTimeout(timeout);
      if (password != null) {
        String user = username == null ? "default" : username;
        char[] secret = password.clone();
        uri.setCredentialsProvider(
            RedisCredentialsProvider.from(() -> RedisCredentials.just(user, secret)));
      }
      result.add(uri);
    }
    return result;
  }

  /** Where Redis is, without credentials, for messages and logs. */
  public String describe() {
    StringJoiner joined = new StringJoiner(",");
    for (String text : uris) {
      RedisURI uri = RedisURI.create(text);
      if (!uri.getSentinels().isEmpty()) {
        StringJoiner sentinels = new StringJoiner(",");
        uri.getSentinels().forEach(s -> sentinels.add(s.getHost() + ":" + s.getPort()));
        joined.add("sentinel " + sentinels + " master '" + uri.getSentinelMasterId() + "'");
      } else {
        joined.add(uri.getHost() + ":" + uri.getPort());
      }
    }
    return (cluster ? "cluster " : "")
        + joined
        + (uris.get(0).startsWith("rediss") ? " (TLS)" : "");
  }

  @Override
  public String toString() {
    return describe();
  }

  /**
   * The URI with its password hidden, for messages and logs: the one redaction Tiercache uses.
   *
   * <p>The user information is everything between {@code ://} and the <em>last</em> {@code @}: a
   * password may hold {@code /}, {@code @}, {@code :} or {@code #} typed as they are (RFC 3986 wants
   * them percent-encoded; people do not always), and no host or port holds an {@code @}, so the
   * last one ends it. The user name before the first {@code :} is kept when it has no {@code %};
   * everything else of the user information becomes {@code ***}. A text after that {@code @} that
   * could hold one more (a query) only makes the redaction hide more, never less.
   */
  public static String redact(String uri) {
    if (uri == null) {
      return null;
    }
    int scheme = uri.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int at = uri.lastIndexOf('@');
    if (at < start) {
      return uri;
    }
    String userInfo = uri.substring(start, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? "" : userInfo.substring(0, colon);
    // a Sentinel URI's user information is a password; other schemes may name a user first
    boolean named = !uri.startsWith("redis-sentinel://") && !uri.startsWith("rediss-sentinel://");
    String kept = named && colon > 0 && user.indexOf('%') < 0 ? user + ":***" : "***";
    return uri.substring(0, start) + kept + uri.substring(at);
  }

  /**
   * {@code message} with every trace of {@code uri}'s user information replaced by the redacted
   * URI or {@code ***}: the whole URI, the password as written, and the password percent-decoded,
   * for messages of parsers that quote what they read.
   */
  static String scrub(String message, String uri) {
    if (message == null || uri == null) {
      return message;
    }
    String result = message.replace(uri, redact(uri));
    int scheme = uri.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int at = uri.lastIndexOf('@');
    if (at > start) {
      String userInfo = uri.substring(start, at);
      int colon = userInfo.indexOf(':');
      String secret = colon < 0 ? userInfo : userInfo.substring(colon + 1);
      for (String form : new String[] {userInfo, secret, decoded(secret)}) {
        if (form != null && !form.isEmpty()) {
          result = result.replace(form, "***");
        }
      }
    }
    return result;
  }

  private static String decoded(String text) {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }
}
