package io.tiercache.toolkit;

import io.tiercache.CodecException;
import io.tiercache.RedisUnavailableException;
import java.time.Duration;
import java.util.List;

/**
 * Opaque session tokens (seed 002's {@code token:{token}} and {@code token_list:{user_id}}),
 * except that Redis never holds a token: it holds the token's SHA-256.
 *
 * <p>{@code {prefix}:token:{sha256}} holds the session as JSON with the token's TTL; {@code
 * {prefix}:token_sessions:{userId}} is a hash of the user's session ids (the token hashes), whose
 * TTL is the longest of its tokens'. A token is valid while both say so, so revoking removes it
 * from the user's hash first and "revoke all" can never miss a token issued at the same moment.
 *
 * <p>A user has at most {@link #maxSessionsPerUser()} live sessions: issuing one more revokes the
 * oldest, in the same Lua script that lists the new one, so logins on any number of instances at
 * once never exceed the limit. Choose it with {@link Toolkit#tokens(int)}.
 *
 * <pre>{@code
 * IssuedToken issued = toolkit.tokens().issue(user.id(), new Login(ip, agent), Duration.ofHours(12));
 * respond(issued.token());
 * ...
 * TokenVerification<Login> check = toolkit.tokens().verify(bearer, Login.class);
 * if (!check.isValid()) return unauthorized();
 * }</pre>
 */
public interface Tokens {

  /** The TTL of {@link #issue(String, Object)}. */
  Duration DEFAULT_TTL = Duration.ofDays(1);

  /**
   * The default {@link #maxSessionsPerUser()}: far more sessions than one person keeps at once
   * (a few devices and browsers, logins again within one token lifetime), so that ordinary use
   * never loses a session to it, while a client that logs in in a loop cannot grow one user's
   * sessions without bound. It bounds memory and the work of each issue; it is not meant as a
   * device limit, for which a small value suits.
   */
  int DEFAULT_MAX_SESSIONS_PER_USER = 50;

  /** The largest {@link #maxSessionsPerUser()}: the issuing script reads all of a user's sessions. */
  int MAX_SESSIONS_PER_USER = 1_000;

  /**
   * How many live sessions a user may have. Issuing a token to a user who has this many revokes
   * the oldest (by the Redis server's clock at issue) first.
   */
  int maxSessionsPerUser();

  /**
   * Issues a new token. If the user already has {@link #maxSessionsPerUser()} live sessions, the
   * oldest end, atomically with listing the new one.
   *
   * @param userId the owner, not empty
   * @param metadata written as JSON; may be null
   * @param ttl how long the token lives, positive
   * @return the token and its session id
   * @throws RedisUnavailableException if Redis is down or slow (no token is issued)
   * @throws CodecException if the metadata cannot be written as JSON
   */
  IssuedToken issue(String userId, Object metadata, Duration ttl);

  /** {@link #issue(String, Object, Duration)} with {@link #DEFAULT_TTL}. */
  default IssuedToken issue(String userId, Object metadata) {
    return issue(userId, metadata, DEFAULT_TTL);
  }

  /**
   * Checks a token presented by a client. Never throws for the token's content: null, malformed,
   * unknown, expired and revoked tokens are all {@link TokenVerification.Status#INVALID}.
   *
   * @param token the token as presented, may be null
   * @param metadataType the type to read the metadata as
   * @return the answer; {@link TokenVerification.Status#UNAVAILABLE} if Redis is down
   */
  <T> TokenVerification<T> verify(String token, Class<T> metadataType);

  /**
   * Ends the session of one token.
   *
   * @param token the token, may be null or malformed (then nothing happens)
   * @return whether a live session ended
   * @throws RedisUnavailableException if Redis is down or slow
   */
  boolean revoke(String token);

  /**
   * Ends one session of a user by its id, as listed by {@link #sessions}.
   *
   * @param userId the owner, not empty
   * @param sessionId the session's id
   * @return whether a live session of that user ended
   * @throws RedisUnavailableException if Redis is down or slow
   */
  boolean revokeSession(String userId, String sessionId);

  /**
   * Ends every session of a user; other users' sessions are untouched.
   *
   * @param userId the owner, not empty
   * @return how many live sessions ended
   * @throws RedisUnavailableException if Redis is down or slow
   */
  int revokeAll(String userId);

  /**
   * A user's live sessions, oldest first. Entries of expired tokens are removed from the user's
   * hash on the way.
   *
   * @param userId the owner, not empty
   * @param metadataType the type to read the metadata as
   * @return the sessions
   * @throws RedisUnavailableException if Redis is down or slow
   */
  <T> List<TokenSession<T>> sessions(String userId, Class<T> metadataType);
}
