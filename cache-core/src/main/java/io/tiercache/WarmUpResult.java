package io.tiercache;

import java.time.Duration;

/**
 * What a warm-up did.
 *
 * @param total keys asked for
 * @param loaded keys whose loader ran and returned
 * @param alreadyCached keys found in L1 or Redis (no loader call)
 * @param failed keys whose loader threw
 * @param took wall time of the whole warm-up
 */
public record WarmUpResult(int total, int loaded, int alreadyCached, int failed, Duration took) {}
