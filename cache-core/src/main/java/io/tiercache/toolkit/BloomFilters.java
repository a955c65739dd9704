package io.tiercache.toolkit;

/** Opens Bloom filters kept in Redis; see {@link BloomFilter}. */
public interface BloomFilters {

  /** The largest bitmap: 2^31 - 2 bits (256 MiB), what {@code BITFIELD}'s offsets reach. */
  long MAX_BITS = Integer.MAX_VALUE - 1L;

  /**
   * The filter {@code name}, sized for {@code expectedInsertions} items at {@code
   * falsePositiveRate}: {@code bits = ceil(-n ln p / (ln 2)^2)} and {@code hashes = round(bits / n
   * ln 2)}. Every instance must use the same three arguments for one name.
   *
   * @param name not empty
   * @param expectedInsertions positive
   * @param falsePositiveRate strictly between 0 and 1
   * @return the filter; one instance per name
   * @throws IllegalArgumentException if the sizing needs more than {@link #MAX_BITS} bits, or this
   *     instance opened the name with other arguments
   * @throws IllegalStateException if Redis holds the filter with other parameters
   */
  BloomFilter get(String name, long expectedInsertions, double falsePositiveRate);
}
