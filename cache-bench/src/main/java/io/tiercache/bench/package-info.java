/**
 * JMH benchmarks that measure each Tiercache read path against the raw parts underneath it, in
 * the same run, so that the overhead is a ratio that holds on a noisy machine.
 *
 * <p>Each {@code *Benchmark} class is one scenario and compares implementations through an enum
 * {@code @Param impl}: {@link io.tiercache.bench.L1HitBenchmark} (Caffeine cache-aside),
 * {@link io.tiercache.bench.L2HitBenchmark} (Lettuce GET and Jackson) and
 * {@link io.tiercache.bench.GetAllBenchmark} (Lettuce MGET and Jackson). Every benchmark starts its
 * own embedded Redis on a free loopback port. {@link io.tiercache.bench.BenchSuite} runs them all
 * in interleaved rounds and prints the ratios; {@code docs/benchmarks.md} holds the figures.
 */
package io.tiercache.bench;
