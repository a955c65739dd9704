package io.tiercache.toolkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.tiercache.CodecException;
import io.tiercache.RedisUnavailableException;
import io.tiercache.internal.codec.ValueCodec;
import io.tiercache.internal.redis.RedisTier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Tokens} on a string per token hash and a hash of session ids per user. */
final class RedisTokens implements Tokens {

  private static final Logger log = LoggerFactory.getLogger(RedisTokens.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int TOKEN_BYTES = 32;
  private static final int TOKEN_LENGTH = 43; // base64url of 32 bytes, no padding

  // A session is valid only while its token key exists AND its hash is listed in the user's hash.
  // Each script touches the user's hash alone, so that tokens and users may live in different
  // cluster slots: issuing lists the hash before the token key exists, revoking unlists it before
  // the token key is deleted, so a session is never valid without being listed (and revocable).
  //
  // The user's hash maps each session id to "order expiry", both in milliseconds of the Redis
  // server's clock: the order is the time of the issue (made strictly larger than the user's
  // other orders, so that issues in one millisecond stay ordered), the expiry is when the token
  // key expires. One clock for all instances: no skew between them decides which session is the
  // oldest or has expired.

  // KEYS: user hash; ARGV: hash, ttl ms, max sessions. Drops expired (and unreadable) entries,
  // lists the new session, and unlists the oldest so that at most max remain. Returns the
  // session ids it unlisted. The new entry is written first: if Redis refuses it (out of memory
  // under noeviction), nothing has changed.
  private static final Script LIST = new Script("""
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local ttl = tonumber(ARGV[2])
      local max = tonumber(ARGV[3])
      local entries = redis.call('HGETALL', KEYS[1])
      local live = {}
      local stale = {}
      local last = 0
      for i = 1, #entries, 2 do
        local order, expiry = string.match(entries[i + 1], '^(%d+) (%d+)$')
        order = tonumber(order)
        expiry = tonumber(expiry)
        if entries[i] == ARGV[1] then
          -- the same session issued again (never, with 256 random bits): replaced below
        elseif order and expiry > now then
          live[#live + 1] = {order, entries[i]}
          if order > last then last = order end
        else
          stale[#stale + 1] = entries[i]
        end
      end
      local order = math.max(now, last + 1)
      redis.call('HSET', KEYS[1], ARGV[1], string.format('%.0f %.0f', order, now + ttl))
      if redis.call('PTTL', KEYS[1]) < ttl then
        redis.call('PEXPIRE', KEYS[1], ttl)
      end
      for i = 1, #stale do redis.call('HDEL', KEYS[1], stale[i]) end
      local revoked = {}
      if #live >= max then
        table.sort(live, function(a, b) return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2]) end)
        for i = 1, #live - max + 1 do
          redis.call('HDEL', KEYS[1], live[i][2])
          revoked[#revoked + 1] = live[i][2]
        end
      end
      return revoked
      """);

  // KEYS: user hash. Drops expired (and unreadable) entries; returns the live session ids.
  private static final Script LIVE = new Script("""
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local entries = redis.call('HGETALL', KEYS[1])
      local live = {}
      for i = 1, #entries, 2 do
        local expiry = tonumber(string.match(entries[i + 1], '^%d+ (%d+)$'))
        if expiry and expiry > now then
          live[#live + 1] = entries[i]
        else
          redis.call('HDEL', KEYS[1], entries[i])
        end
      end
      return live
      """);

  // KEYS: user hash. Returns the listed session ids and deletes the hash in one step.
  private static final Script UNLIST_ALL = new Script("""
      local hashes = redis.call('HKEYS', KEYS[1])
      redis.call('DEL', KEYS[1])
      return hashes
      """);

  private final RedisTier redis;
  private final String prefix;
  private final ObjectMapper mapper;
  private final WallClock clock;
  private final int maxSessionsPerUser;
  /** Metadata types already checked by {@link #requireReadable}. */
  private final Map<Class<?>, Boolean> readableTypes = new ConcurrentHashMap<>();

  RedisTokens(
      RedisTier redis,
      String prefix,
      ObjectMapper mapper,
      WallClock clock,
      int maxSessionsPerUser) {
    this.redis = redis;
    this.prefix = prefix;
    this.mapper = mapper;
    this.clock = clock;
    this.maxSessionsPerUser = requireMaxSessions(maxSessionsPerUser);
  }

  static int requireMaxSessions(int maxSessionsPerUser) {
    Names.requirePositive(maxSessionsPerUser, "maxSessionsPerUser");
    if (maxSessionsPerUser > MAX_SESSIONS_PER_USER) {
      throw new IllegalArgumentException("maxSessionsPerUser must be at most "
          + MAX_SESSIONS_PER_USER + ", was " + maxSessionsPerUser);
    }
    return maxSessionsPerUser;
  }

  @Override
  public int maxSessionsPerUser() {
    return maxSessionsPerUser;
  }

  private String tokenKey(String hash) {
    return prefix + ":token:" + hash; // a hex digest needs no segment encoding
  }

  private String userKey(String userId) {
    return Names.key(prefix, "token_sessions", userId);
  }

  @Override
  public IssuedToken issue(String userId, Object metadata, Duration ttl) {
    Names.requireName(userId, "userId");
    long ttlMillis = Names.requirePositiveMillis(ttl, "ttl");
    byte[] secret = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(secret);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String hash = sha256Hex(token);
    long now = clock.currentTimeMillis();
    ObjectNode session = mapper
        .createObjectNode()
        .put("user", userId)
        .put("issuedAt", now)
        .put("expiresAt", now + ttlMillis);
    try {
      session.set("metadata", mapper.valueToTree(metadata));
    } catch (IllegalArgumentException e) {
      throw new CodecException("cannot write the token metadata as JSON: " + e.getMessage(), e);
    }
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(session);
    } catch (IOException e) {
      throw new CodecException("cannot write the token session as JSON", e);
    }
    String key = tokenKey(hash);
    String users = userKey(userId);
    List<Object> revoked = redis.call(
        "token issue",
        r -> LIST.<List<Object>>run(
            r,
            ScriptOutputType.MULTI,
            new String[] {users},
            Names.utf8(hash),
            Names.utf8(ttlMillis),
            Names.utf8(maxSessionsPerUser)));
    redis.call("token SET", r -> r.set(key, json, SetArgs.Builder.px(ttlMillis)));
    if (revoked != null && !revoked.isEmpty()) {
      // already invalid (unlisted); deleting their token keys only frees the memory sooner
      String[] keys = tokenKeys(revoked);
      try {
        redis.call("token DEL", r -> r.del(keys));
      } catch (RedisUnavailableException e) {
        log.debug(
            "sessions over the limit are unlisted, their token keys expire on their own: {}",
            e.getMessage());
      }
    }
    return new IssuedToken(token, hash, userId, Instant.ofEpochMilli(now + ttlMillis));
  }

  @Override
  public <T> TokenVerification<T> verify(String token, Class<T> metadataType) {
    requireReadable(metadataType);
    if (!wellFormed(token)) {
      return TokenVerification.invalid();
    }
    String hash = sha256Hex(token);
    try {
      byte[] json = redis.call("token GET", r -> r.get(tokenKey(hash)));
      if (json == null) {
        return TokenVerification.invalid();
      }
      JsonNode session = readSession(json);
      if (session == null) {
        return TokenVerification.invalid();
      }
      String users = userKey(session.path("user").asText());
      boolean listed = redis.call("token HEXISTS", r -> r.hexists(users, hash));
      if (!listed) {
        return TokenVerification.invalid();
      }
      TokenSession<T> result = toSession(hash, session, metadataType);
      return result == null ? TokenVerification.invalid() : TokenVerification.valid(result);
    } catch (RedisUnavailableException e) {
      log.warn("token not verified (fails closed): {}", e.getMessage());
      return TokenVerification.unavailable();
    }
  }

  @Override
  public boolean revoke(String token) {
    if (!wellFormed(token)) {
      return false;
    }
    String hash = sha256Hex(token);
    byte[] json = redis.call("token GET", r -> r.get(tokenKey(hash)));
    JsonNode session = json == null ? null : readSession(json);
    if (session == null) {
      if (json != null) {
        redis.call("token DEL", r -> r.del(tokenKey(hash)));
      }
      return false;
    }
    return endSession(session.path("user").asText(), hash);
  }

  @Override
  public boolean revokeSession(String userId, String sessionId) {
    Names.requireName(userId, "userId");
    if (sessionId == null || !isHex64(sessionId)) {
      return false;
    }
    return endSession(userId, sessionId);
  }

  private boolean endSession(String userId, String hash) {
    String users = userKey(userId);
    String key = tokenKey(hash);
    long unlisted = redis.call("token revoke", r -> r.hdel(users, hash));
    if (unlisted != 1) {
      return false; // not this user's session: its token key is left alone
    }
    redis.call(
        "token DEL", r -> r.del(key)); // if this fails, the unlisted session is invalid anyway
    return true;
  }

  @Override
  public int revokeAll(String userId) {
    String users = userKey(Names.requireName(userId, "userId"));
    List<Object> hashes = redis.call(
        "token revoke all",
        r -> UNLIST_ALL.<List<Object>>run(r, ScriptOutputType.MULTI, new String[] {users}));
    if (hashes == null || hashes.isEmpty()) {
      return 0;
    }
    String[] keys = tokenKeys(hashes);
    // every session is already invalid (unlisted); DEL on a cluster is split per slot by the client
    long ended = redis.call("token DEL", r -> r.del(keys));
    return (int) ended;
  }

  @Override
  public <T> List<TokenSession<T>> sessions(String userId, Class<T> metadataType) {
    String users = userKey(Names.requireName(userId, "userId"));
    requireReadable(metadataType);
    List<Object> live = redis.call(
        "token sessions",
        r -> LIVE.<List<Object>>run(r, ScriptOutputType.MULTI, new String[] {users}));
    if (live == null || live.isEmpty()) {
      return List.of();
    }
    List<String> hashes = new ArrayList<>(live.size());
    live.forEach(m -> hashes.add(text(m)));
    List<byte[]> values = redis.mget(hashes.stream().map(this::tokenKey).toList());
    List<TokenSession<T>> sessions = new ArrayList<>();
    for (int i = 0; i < hashes.size(); i++) {
      byte[] json = values.get(i);
      JsonNode session = json == null ? null : readSession(json);
      TokenSession<T> result =
          session == null ? null : toSession(hashes.get(i), session, metadataType);
      if (result != null) {
        sessions.add(result);
      }
      // A listed session without its token key is being issued right now (or its key was
      // evicted): it is left listed, and leaves the user's hash when its expiry has passed.
    }
    sessions.sort(Comparator.comparing(TokenSession::issuedAt));
    return sessions;
  }

  private String[] tokenKeys(List<Object> hashes) {
    String[] keys = new String[hashes.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = tokenKey(text(hashes.get(i)));
    }
    return keys;
  }

  private static String text(Object reply) {
    return reply instanceof byte[] bytes ? Names.string(bytes) : String.valueOf(reply);
  }

  /** A metadata type Jackson could not read back would make every session invalid: refused at once. */
  private void requireReadable(Class<?> metadataType) {
    Names.requireNonNull(metadataType, "metadataType");
    readableTypes.computeIfAbsent(metadataType, t -> {
      ValueCodec.requireReadable(mapper, mapper.constructType(t), "metadataType");
      return Boolean.TRUE;
    });
  }

  private JsonNode readSession(byte[] json) {
    try {
      JsonNode session = mapper.readTree(json);
      if (session != null && session.path("user").isTextual()) {
        return session;
      }
    } catch (IOException e) {
      // fall through
    }
    log.warn("a stored token session is not readable; it counts as invalid");
    return null;
  }

  private <T> TokenSession<T> toSession(String hash, JsonNode session, Class<T> metadataType) {
    try {
      JsonNode metadata = session.path("metadata");
      T value = metadata.isMissingNode() || metadata.isNull()
          ? null
          : mapper.treeToValue(metadata, metadataType);
      return new TokenSession<>(
          hash,
          session.path("user").asText(),
          Instant.ofEpochMilli(session.path("issuedAt").asLong()),
          Instant.ofEpochMilli(session.path("expiresAt").asLong()),
          value);
    } catch (IOException | IllegalArgumentException e) {
      log.warn(
          "token session metadata cannot be read as {}; the session counts as invalid",
          metadataType.getName());
      return null;
    }
  }

  static boolean wellFormed(String token) {
    if (token == null || token.length() != TOKEN_LENGTH) {
      return false;
    }
    for (int i = 0; i < TOKEN_LENGTH; i++) {
      char c = token.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHex64(String text) {
    if (text.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  static String sha256Hex(String token) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256")
              .digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
