package io.tiercache.examples.web;

/**
 * The caller a token filter authenticated; protected routes read it with
 * {@code request.attribute(Principal.ATTRIBUTE)}.
 *
 * @param userId the user the token was issued to
 * @param token the bearer token of the request
 */
public record Principal(long userId, String token) {

  /** The request attribute that holds the principal. */
  public static final String ATTRIBUTE = "principal";

  /** The principal of a request that passed the filter. */
  public static Principal of(Request request) {
    return request.attribute(ATTRIBUTE);
  }

  @Override
  public String toString() {
    return "Principal[user " + userId + "]";
  }
}
