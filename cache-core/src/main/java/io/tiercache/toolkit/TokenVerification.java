package io.tiercache.toolkit;

import java.util.Optional;

/**
 * The answer to {@link Tokens#verify}. Only {@link Status#VALID} lets a request through: a
 * malformed, unknown, expired or revoked token is {@link Status#INVALID}, and a token that could
 * not be checked because Redis is down is {@link Status#UNAVAILABLE} (fail closed; a server may
 * answer 503 rather than 401).
 *
 * @param status the outcome
 * @param session the session when valid, otherwise empty
 * @param <T> the metadata type
 */
public record TokenVerification<T>(Status status, Optional<TokenSession<T>> session) {

  /** The outcome of a verification. */
  public enum Status {
    /** The token is known, unexpired and still in its user's set. */
    VALID,
    /** Malformed, unknown, expired or revoked. */
    INVALID,
    /** Redis could not be asked: treated as not valid. */
    UNAVAILABLE
  }

  /** Checks that a session is present exactly when valid. */
  public TokenVerification {
    Names.requireNonNull(status, "status");
    Names.requireNonNull(session, "session");
    if ((status == Status.VALID) != session.isPresent()) {
      throw new IllegalArgumentException("session must be present exactly when status is VALID");
    }
  }

  /** Whether the token may be accepted. */
  public boolean isValid() {
    return status == Status.VALID;
  }

  static <T> TokenVerification<T> valid(TokenSession<T> session) {
    return new TokenVerification<>(Status.VALID, Optional.of(session));
  }

  static <T> TokenVerification<T> invalid() {
    return new TokenVerification<>(Status.INVALID, Optional.empty());
  }

  static <T> TokenVerification<T> unavailable() {
    return new TokenVerification<>(Status.UNAVAILABLE, Optional.empty());
  }
}
