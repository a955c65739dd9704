package io.tiercache.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.CacheSpec;
import io.tiercache.TypeRef;
import io.tiercache.internal.codec.ValueCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 7: a JSON list of about 10 KiB (ten {@link ProjectInfo}s) framed by {@link ValueCodec}
 * compressed (the default threshold, 1 KiB: DEFLATE at best speed) and uncompressed (threshold
 * {@link Integer#MAX_VALUE}). Target: the compressed frame at least 3 times smaller; {@link
 * #sizes()} reports the sizes, and the two benchmark methods state what compression costs per
 * {@code decode} (an L2 hit) and per {@code encode} (a write). Nothing here touches Redis.
 *
 * <p>Besides the list the other benchmarks use (every item shares its description text), {@link
 * #sizes()} also reports a list whose descriptions are the same words in a different random order
 * per item, which DEFLATE cannot match across items as easily.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar CompressionBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Threads(1)
public class CompressionBenchmark {

  /** The frames compared. */
  public enum Impl {
    /** Default threshold: the list's JSON is deflated. */
    COMPRESSED,
    /** No compression: the frame holds the JSON as it is. */
    UNCOMPRESSED
  }

  /** Items in the list: about 10 KiB of JSON. */
  static final int ITEMS = 10;

  static final TypeRef<List<ProjectInfo>> TYPE = new TypeRef<>() {};

  @Param
  public Impl impl;

  private ValueCodec<List<ProjectInfo>> codec;
  private List<ProjectInfo> value;
  private byte[] frame;

  @Setup
  public void setUp() {
    codec = codec(impl == Impl.COMPRESSED);
    value = list(false);
    frame = codec.encode(value);
    boolean compressed = (frame[1] & ValueCodec.FLAG_COMPRESSED) != 0;
    if (compressed != (impl == Impl.COMPRESSED) || !codec.decode(frame).equals(value)) {
      throw new IllegalStateException("the " + impl + " frame is not what the benchmark expects");
    }
  }

  @Benchmark
  public List<ProjectInfo> decode() {
    return codec.decode(frame);
  }

  @Benchmark
  public byte[] encode() {
    return codec.encode(value);
  }

  static ValueCodec<List<ProjectInfo>> codec(boolean compressed) {
    ObjectMapper mapper =
        new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return ValueCodec.of(
        mapper, TYPE, compressed ? CacheSpec.DEFAULT_COMPRESSION_THRESHOLD : Integer.MAX_VALUE);
  }

  /** Ten samples; with {@code shuffled}, each item's description has its words in a random order. */
  static List<ProjectInfo> list(boolean shuffled) {
    Random random = new Random(7);
    List<ProjectInfo> items = new ArrayList<>(ITEMS);
    for (long id : Fixtures.ids(ITEMS)) {
      ProjectInfo p = ProjectInfo.sample(id);
      if (shuffled) {
        List<String> words = new ArrayList<>(Arrays.asList(p.description().split(" ")));
        Collections.shuffle(words, random);
        p = new ProjectInfo(
            p.id(),
            p.name(),
            p.owner(),
            String.join(" ", words),
            p.homepage(),
            p.tags(),
            p.moderators(),
            p.members(),
            p.createdAtMillis(),
            p.archived());
      }
      items.add(p);
    }
    return List.copyOf(items);
  }

  /** The stored sizes of both lists, compressed and not, and whether the target (3 times) holds. */
  static String sizes() {
    StringBuilder out = new StringBuilder();
    for (boolean shuffled : new boolean[] {false, true}) {
      List<ProjectInfo> list = list(shuffled);
      int plain = codec(false).encode(list).length;
      int deflated = codec(true).encode(list).length;
      double ratio = (double) plain / deflated;
      out.append(String.format(
          Locale.ROOT,
          "Stored size, %d-item JSON list (%s): %,d bytes uncompressed, %,d "
              + "compressed, %.1f times smaller (target at least 3: %s)%n",
          ITEMS,
          shuffled
              ? "descriptions in a random word order per item"
              : "ProjectInfo.sample, as in the benchmark",
          plain,
          deflated,
          ratio,
          ratio >= 3 ? "met" : "NOT met"));
    }
    return out.toString();
  }

  /** Prints {@link #sizes()}. */
  public static void main(String[] args) {
    System.out.print(sizes());
  }
}
