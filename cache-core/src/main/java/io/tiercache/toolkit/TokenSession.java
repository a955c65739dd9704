package io.tiercache.toolkit;

import java.time.Instant;

/**
 * One live session: what Redis knows about a token, without the token.
 *
 * @param sessionId the hex SHA-256 of the token
 * @param userId the user
 * @param issuedAt when the token was issued
 * @param expiresAt when it expires
 * @param metadata the JSON metadata given at issue, read as the requested type
 * @param <T> the metadata type
 */
public record TokenSession<T>(
    String sessionId, String userId, Instant issuedAt, Instant expiresAt, T metadata) {}
