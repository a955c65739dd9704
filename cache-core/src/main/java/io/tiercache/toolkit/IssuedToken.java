package io.tiercache.toolkit;

import java.time.Instant;

/**
 * A token just issued. The {@link #token()} is the secret: hand it to the client and do not log
 * it; Redis only ever sees its SHA-256, which is the {@link #sessionId()}.
 *
 * @param token 43 URL-safe characters (256 random bits, base64url without padding)
 * @param sessionId the hex SHA-256 of the token, safe to show and to revoke by
 * @param userId the user the token belongs to
 * @param expiresAt when Redis forgets the token
 */
public record IssuedToken(String token, String sessionId, String userId, Instant expiresAt) {

  @Override
  public String toString() {
    return "IssuedToken[session " + sessionId + ", user " + userId + ", expires " + expiresAt + "]";
  }
}
