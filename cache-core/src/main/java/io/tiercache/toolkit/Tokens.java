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
 * {prefix}:token_list:{userId}} is the set of the user's token hashes, whose TTL is the longest of
 * its tokens'. A token is valid while both say so, so revoking removes it from the set first and
 * "revoke all" can never miss a token issued at the same moment.
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
   * Issues a new token.
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
   * A user's live sessions, oldest first. Hashes of expired tokens are removed from the user's set
   * on the way.
   *
   * @param userId the owner, not empty
   * @param metadataType the type to read the metadata as
   * @return the sessions
   * @throws RedisUnavailableException if Redis is down or slow
   */
  <T> List<TokenSession<T>> sessions(String userId, Class<T> metadataType);
}
