package io.tiercache;

/**
 * Counters of the invalidation messages between instances, since start.
 *
 * @param mode the coherence mode
 * @param instanceId this instance's id in the messages
 * @param sent messages this instance published
 * @param received messages from other instances that this instance applied
 * @param trackingInvalidations keys evicted because Redis client tracking reported them
 * @param gapFlushes times L1 was cleared because messages may have been lost
 * @param pendingPublishes changes acknowledged by Redis whose message could not be sent yet
 * @param lagP50Micros median time from publish to eviction over the last 4,096 messages
 * @param lagP99Micros 99th percentile of the same
 * @param lagP999Micros 99.9th percentile of the same (with 4,096 samples, the fifth largest)
 * @param lagMaxMicros the largest of the same
 * @param lagSamples how many samples the percentiles are computed from
 * @param l1Answering whether L1 may answer now; false while the invalidations after a recovery
 *     are unread, past a strict bound ({@code strictCoherence}), or, with {@link
 *     CoherenceMode#TRACKING}, while client tracking is off (refused, or not on again yet after a
 *     reconnect): reads then go to Redis. Always true with coherence {@code NONE}
 */
public record CoherenceStats(
    CoherenceMode mode,
    String instanceId,
    long sent,
    long received,
    long trackingInvalidations,
    long gapFlushes,
    long pendingPublishes,
    long lagP50Micros,
    long lagP99Micros,
    long lagP999Micros,
    long lagMaxMicros,
    int lagSamples,
    boolean l1Answering) {}
