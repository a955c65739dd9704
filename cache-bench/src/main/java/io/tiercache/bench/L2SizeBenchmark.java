package io.tiercache.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.tiercache.Cache;
import io.tiercache.internal.codec.ValueCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
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
 * L2 hit latency by value size (L1 off): a {@link Page} whose JSON is {@code size} bytes (100 B to
 * 1 MiB), stored by Tiercache with the default compression threshold (1 KiB: the 100 B and 1 KiB
 * values stay JSON, larger ones are deflated). {@code TIERCACHE} is {@link Cache#get}; {@code
 * LETTUCE} a raw sync {@code GET} of the same key and the same decoding by hand (inflate when the
 * frame says so, then Jackson); {@code LETTUCE_PLAIN} a raw {@code GET} of the uncompressed JSON
 * under another key plus Jackson, what an application without compression would do. No target:
 * the figures show how the hit grows with size and where compression pays.
 *
 * <pre>{@code
 * java -jar cache-bench/target/benchmarks.jar L2SizeBenchmark -wi 2 -i 3
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
public class L2SizeBenchmark extends RedisBenchmark {

  /** The implementations compared. */
  public enum Impl {
    TIERCACHE,
    LETTUCE,
    LETTUCE_PLAIN
  }

  /** One line of a page. */
  public record Item(long id, String name, String text, int score) {}

  /** The cached value: a title and as many items as the size asks for. */
  public record Page(long id, String title, List<Item> items) {}

  static final int KEYS = 8;
  private static final String[] WORDS =
      ("cache level miss hit load write read key value entry expiry size queue batch "
              + "stream lock token counter list hash page item score name owner group member project paper note slide "
              + "code folder weekly digest topic source moderator session record time zone reading method number")
          .split(" ");

  @Param({"100", "1024", "10240", "102400", "1048576"})
  public int size;

  @Param
  public Impl impl;

  private final ObjectMapper mapper = new ObjectMapper();
  private Cache<String, Page> cache;
  private ObjectReader reader;
  private int next;

  @Setup
  public void setUp() throws IOException {
    start(
        builder -> builder.cache("pages", c -> c.valueType(Page.class).l1(false).sharedKeys(true)));
    cache = tier.cache("pages", Page.class);
    connectRaw();
    reader = mapper.readerFor(Page.class);
    for (int i = 0; i < KEYS; i++) {
      Page page = page(i, size);
      cache.put("page:" + i, page);
      sync.set("bench:plain:page:" + i, mapper.writeValueAsBytes(page));
      if (!hit().equals(page)) {
        throw new IllegalStateException("page " + i + " did not read back");
      }
    }
  }

  @Benchmark
  public Page hit() throws IOException {
    int i = next++ & (KEYS - 1);
    if (impl == Impl.TIERCACHE) {
      return cache.get("page:" + i, key -> {
        throw new IllegalStateException("the benchmark expected a hit for '" + key + "'");
      });
    }
    if (impl == Impl.LETTUCE_PLAIN) {
      return reader.readValue(sync.get("bench:plain:page:" + i));
    }
    byte[] frame = sync.get("bench:page:" + i);
    if ((frame[1] & ValueCodec.FLAG_COMPRESSED) == 0) {
      return reader.readValue(frame, 2, frame.length - 2);
    }
    int length = ((frame[2] & 0xFF) << 24)
        | ((frame[3] & 0xFF) << 16)
        | ((frame[4] & 0xFF) << 8)
        | (frame[5] & 0xFF);
    byte[] json = new byte[length];
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(frame, 6, frame.length - 6);
      if (inflater.inflate(json) != length) {
        throw new IllegalStateException("short inflate");
      }
    } catch (DataFormatException e) {
      throw new IOException(e);
    } finally {
      inflater.end();
    }
    return reader.readValue(json);
  }

  /** A page whose JSON is {@code bytes} long (from 60 bytes up), from words in a seeded random order. */
  Page page(long id, int bytes) throws IOException {
    Random random = new Random(id);
    List<Item> items = new ArrayList<>();
    int length = mapper.writeValueAsBytes(new Page(id, "", List.of())).length;
    while (true) {
      StringBuilder text = new StringBuilder();
      while (text.length() < 40) {
        text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
      }
      Item item = new Item(
          random.nextInt(1_000_000),
          "item-" + items.size(),
          text.toString().trim(),
          random.nextInt(100));
      int itemLength = mapper.writeValueAsBytes(item).length + (items.isEmpty() ? 0 : 1);
      if (length + itemLength > bytes) {
        break;
      }
      items.add(item);
      length += itemLength;
    }
    StringBuilder title = new StringBuilder();
    while (title.length() < bytes - length) {
      title.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    Page page = new Page(id, title.substring(0, Math.max(0, bytes - length)), items);
    if (mapper.writeValueAsBytes(page).length != bytes) {
      throw new IllegalStateException(
          "page of " + mapper.writeValueAsBytes(page).length + " bytes, wanted " + bytes);
    }
    return page;
  }
}
