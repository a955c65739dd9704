package io.tiercache.examples.images;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A slow image origin (a CDN or object store stand-in): image {@code id} exists for ids 1 to
 * {@code count}, a PNG for even ids and a JPEG for odd ones, about 8 KiB each, the same bytes on
 * every fetch. Counts its fetches.
 */
public final class ImageOrigin {

  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0};

  private final int count;
  private final long latencyMillis;
  private final AtomicLong fetches = new AtomicLong();

  /**
   * @param count how many images exist, positive
   * @param latencyMillis how long a fetch takes, not negative
   */
  public ImageOrigin(int count, long latencyMillis) {
    if (count <= 0) {
      throw new IllegalArgumentException("count must be positive, was " + count);
    }
    if (latencyMillis < 0) {
      throw new IllegalArgumentException(
          "latencyMillis must not be negative, was " + latencyMillis);
    }
    this.count = count;
    this.latencyMillis = latencyMillis;
  }

  /** The image, or null when it does not exist. */
  public ImagesModule.Image fetch(long id) {
    fetches.incrementAndGet();
    if (latencyMillis > 0) {
      try {
        Thread.sleep(latencyMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while fetching image " + id, e);
      }
    }
    if (id < 1 || id > count) {
      return null;
    }
    boolean png = id % 2 == 0;
    byte[] magic = png ? PNG : JPEG;
    ByteBuffer bytes = ByteBuffer.allocate(8 * 1024);
    bytes.put(magic);
    long state = id * 0x9E3779B97F4A7C15L;
    while (bytes.remaining() >= Long.BYTES) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      bytes.putLong(state);
    }
    return new ImagesModule.Image(bytes.array(), png ? "image/png" : "image/jpeg");
  }

  /** Fetches so far. */
  public long fetches() {
    return fetches.get();
  }
}
