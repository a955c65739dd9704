package io.tiercache.toolkit;

/**
 * A member's place on a leaderboard.
 *
 * @param rank 1 for the highest score; equal scores are ordered by member, descending, as Redis
 *     orders them
 * @param member the member
 * @param score its score
 */
public record RankedMember(long rank, String member, double score) {}
