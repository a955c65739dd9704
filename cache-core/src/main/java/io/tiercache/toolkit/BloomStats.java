package io.tiercache.toolkit;

/**
 * What a {@link BloomFilter} did on this instance, and how full its bitmap is.
 *
 * @param rejected checks that answered "surely not"
 * @param passed checks that answered "might contain" from the bitmap
 * @param failedOpen checks that answered "might contain" because Redis was down or the bitmap lost
 * @param pendingAdds adds kept on this instance until Redis answers
 * @param bitsSet bits set in the bitmap, -1 if Redis could not be read
 * @param fill {@code bitsSet / bits}, -1 if unknown
 * @param estimatedItems the number of distinct items the fill implies, -1 if unknown
 */
public record BloomStats(
    long rejected,
    long passed,
    long failedOpen,
    long pendingAdds,
    long bitsSet,
    double fill,
    long estimatedItems) {

  /** The share of checks answered "surely not", 0 when there was none. */
  public double rejectionRate() {
    long checks = rejected + passed + failedOpen;
    return checks == 0 ? 0 : (double) rejected / checks;
  }
}
