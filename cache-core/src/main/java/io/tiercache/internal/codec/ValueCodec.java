package io.tiercache.internal.codec;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.tiercache.CacheSpec;
import io.tiercache.CodecException;
import io.tiercache.TypeRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Encodes values of one type to framed bytes and back.
 *
 * <p>The frame is {@code [version][flags][payload]}. Version is {@value #VERSION}. Flags:
 * {@link #FLAG_COMPRESSED} (payload is a 4-byte big-endian original length and DEFLATE data),
 * {@link #FLAG_NULL} (a cached absent result, no payload), {@link #FLAG_RAW} (payload is the
 * value's own bytes, for {@code byte[]} values). Anything else is JSON.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param <V> the value type
 */
public final class ValueCodec<V> {

  /** The frame format version written and accepted. */
  public static final byte VERSION = 1;
  /** Payload is DEFLATE-compressed. */
  public static final int FLAG_COMPRESSED = 1;
  /** The frame stands for a cached null. */
  public static final int FLAG_NULL = 2;
  /** Payload is raw bytes, not JSON. */
  public static final int FLAG_RAW = 4;

  private static final byte[] NULL_FRAME = {VERSION, FLAG_NULL};
  private static final int HEADER = 2;
  /** The most bytes DEFLATE can inflate one compressed byte into (a bound, with margin). */
  private static final long MAX_INFLATE_RATIO = 1032;

  private final TypeRef<V> type;
  private final boolean raw;
  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final int compressionThreshold;
  private final int maxValueSize;

  private ValueCodec(
      TypeRef<V> type,
      ObjectMapper mapper,
      JavaType javaType,
      int compressionThreshold,
      int maxValueSize) {
    this.type = type;
    this.raw = javaType.getRawClass() == byte[].class;
    this.reader = mapper.readerFor(javaType);
    this.writer = mapper.writerFor(javaType);
    this.compressionThreshold = compressionThreshold;
    this.maxValueSize = maxValueSize;
  }

  /**
   * A codec for {@code type} whose values may be up to {@link
   * io.tiercache.CacheSpec#DEFAULT_MAX_VALUE_SIZE} bytes.
   *
   * @see #of(ObjectMapper, TypeRef, int, int)
   */
  public static <V> ValueCodec<V> of(
      ObjectMapper mapper, TypeRef<V> type, int compressionThreshold) {
    return of(mapper, type, compressionThreshold, CacheSpec.DEFAULT_MAX_VALUE_SIZE);
  }

  /**
   * A codec for {@code type}.
   *
   * @param mapper the Jackson mapper, without default typing
   * @param type the value type
   * @param compressionThreshold payloads larger than this are compressed
   * @param maxValueSize the largest payload (before compression) encoded or decoded; a frame that
   *     holds or inflates to more is refused without allocating more than this
   * @throws IllegalArgumentException if Jackson cannot handle the type, the type is abstract, or
   *     the mapper has default typing on
   */
  public static <V> ValueCodec<V> of(
      ObjectMapper mapper, TypeRef<V> type, int compressionThreshold, int maxValueSize) {
    Objects.requireNonNull(mapper, "mapper must not be null");
    Objects.requireNonNull(type, "type must not be null");
    if (compressionThreshold < 0) {
      throw new IllegalArgumentException(
          "compressionThreshold must not be negative, was " + compressionThreshold);
    }
    if (maxValueSize <= 0) {
      throw new IllegalArgumentException("maxValueSize must be positive, was " + maxValueSize);
    }
    JavaType javaType = mapper.constructType(type.type());
    requireReadable(mapper, javaType, "value type");
    AtomicReference<Throwable> cause = new AtomicReference<>();
    if (javaType.getRawClass() != byte[].class
        && !mapper.canSerialize(javaType.getRawClass(), cause)) {
      throw new IllegalArgumentException(
          "value type " + javaType.toCanonical() + " cannot be handled by Jackson"
              + (cause.get() != null ? ": " + cause.get().getMessage() : ""),
          cause.get());
    }
    return new ValueCodec<>(type, mapper, javaType, compressionThreshold, maxValueSize);
  }

  /**
   * Checks that {@code mapper} can read values of {@code javaType} back from JSON without class
   * names: an abstract type (other than a collection or map) or one Jackson cannot deserialize
   * could be written but never read. Shared with the toolkit.
   *
   * @param argument how the caller's argument is named in the message, such as "value type"
   * @throws IllegalArgumentException naming {@code argument} and the reason
   */
  public static void requireReadable(ObjectMapper mapper, JavaType javaType, String argument) {
    if (mapper.getSerializationConfig().getDefaultTyper(javaType) != null) {
      throw new IllegalArgumentException("the ObjectMapper has default typing on: Tiercache never "
          + "stores class names; give it a mapper without activateDefaultTyping");
    }
    Class<?> raw = javaType.getRawClass();
    if (raw == byte[].class) {
      return;
    }
    if (raw.isArray()) {
      // an array class reports itself abstract; what matters is whether its elements can be read
      JavaType element = javaType.getContentType();
      if (!element.isPrimitive()) {
        requireReadable(mapper, element, argument + "'s element type");
      }
      return;
    }
    boolean isAbstract = raw.isInterface() || Modifier.isAbstract(raw.getModifiers());
    boolean container = Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw);
    if (isAbstract && !container && !raw.isPrimitive()) {
      throw new IllegalArgumentException(
          argument + " " + javaType.toCanonical() + " is abstract and Tiercache "
              + "stores no class names, so it could not be read back: use a concrete type");
    }
    AtomicReference<Throwable> cause = new AtomicReference<>();
    if (!mapper.canDeserialize(javaType, cause)) {
      throw new IllegalArgumentException(
          argument + " " + javaType.toCanonical() + " cannot be read by Jackson"
              + (cause.get() != null ? ": " + cause.get().getMessage() : ""),
          cause.get());
    }
  }

  /** The value type. */
  public TypeRef<V> type() {
    return type;
  }

  /** The frame of a cached null. */
  public static byte[] nullFrame() {
    return NULL_FRAME.clone();
  }

  /** Whether {@code frame} stands for a cached null. */
  public static boolean isNull(byte[] frame) {
    return frame.length >= HEADER && frame[0] == VERSION && (frame[1] & FLAG_NULL) != 0;
  }

  /** The largest payload, in bytes before compression, this codec encodes or decodes. */
  public int maxValueSize() {
    return maxValueSize;
  }

  /**
   * Encodes a value.
   *
   * @param value the value; null gives the null frame
   * @throws CodecException if Jackson fails on this value, or it is larger than {@link #maxValueSize()}
   */
  public byte[] encode(V value) {
    if (value == null) {
      return nullFrame();
    }
    byte[] payload;
    int flags = 0;
    if (raw) {
      payload = (byte[]) value;
      flags |= FLAG_RAW;
    } else {
      try {
        payload = writer.writeValueAsBytes(value);
      } catch (IOException | RuntimeException e) {
        throw new CodecException(
            "cannot encode a value of type " + type + ": " + e.getMessage(), e);
      }
    }
    if (payload.length > maxValueSize) {
      throw new CodecException(
          "a value of type " + type + " is " + payload.length + " bytes encoded, more than "
              + "maxValueSize " + maxValueSize
              + ": nothing was written (raise the cache's maxValueSize, or store "
              + "it elsewhere)",
          null);
    }
    if (payload.length > compressionThreshold) {
      byte[] compressed = deflate(payload);
      if (compressed.length + 4 < payload.length) {
        byte[] frame = new byte[HEADER + 4 + compressed.length];
        frame[0] = VERSION;
        frame[1] = (byte) (flags | FLAG_COMPRESSED);
        int n = payload.length;
        frame[2] = (byte) (n >>> 24);
        frame[3] = (byte) (n >>> 16);
        frame[4] = (byte) (n >>> 8);
        frame[5] = (byte) n;
        System.arraycopy(compressed, 0, frame, HEADER + 4, compressed.length);
        return frame;
      }
    }
    byte[] frame = new byte[HEADER + payload.length];
    frame[0] = VERSION;
    frame[1] = (byte) flags;
    System.arraycopy(payload, 0, frame, HEADER, payload.length);
    return frame;
  }

  /**
   * The payload length a frame holds before compression: the declared length of a compressed
   * frame, else the frame less its header; 0 for the null frame or a malformed one.
   */
  public static int payloadLength(byte[] frame) {
    if (frame == null || frame.length < HEADER) {
      return 0;
    }
    if ((frame[1] & FLAG_COMPRESSED) != 0 && frame.length >= HEADER + 4) {
      return ((frame[2] & 0xff) << 24)
          | ((frame[3] & 0xff) << 16)
          | ((frame[4] & 0xff) << 8)
          | (frame[5] & 0xff);
    }
    return frame.length - HEADER;
  }

  /** The bytes a frame's payload takes as stored: the frame less its header (and declared length). */
  public static int storedLength(byte[] frame) {
    if (frame == null || frame.length < HEADER) {
      return 0;
    }
    return (frame[1] & FLAG_COMPRESSED) != 0
        ? Math.max(0, frame.length - HEADER - 4)
        : frame.length - HEADER;
  }

  /**
   * Decodes a frame.
   *
   * @return the value; null for the null frame
   * @throws CodecException if the frame is malformed, of another version, not a {@code V}, or
   *     larger than {@link #maxValueSize()} stored or inflated (then without allocating more)
   */
  @SuppressWarnings("unchecked")
  public V decode(byte[] frame) {
    if (frame == null || frame.length < HEADER) {
      throw new CodecException("stored value is not a Tiercache frame (too short)", null);
    }
    if (frame[0] != VERSION) {
      throw new CodecException(
          "stored value has frame version " + frame[0] + ", expected " + VERSION, null);
    }
    int flags = frame[1];
    if ((flags & ~(FLAG_COMPRESSED | FLAG_NULL | FLAG_RAW)) != 0) {
      throw new CodecException("stored value has unknown flags " + flags, null);
    }
    if ((flags & FLAG_NULL) != 0) {
      return null;
    }
    if (((flags & FLAG_RAW) != 0) != raw) {
      throw new CodecException(
          "stored value is " + (raw ? "JSON" : "raw bytes") + ", expected " + type, null);
    }
    try {
      if ((flags & FLAG_COMPRESSED) != 0) {
        if (frame.length < HEADER + 4) {
          throw new CodecException("compressed value is truncated", null);
        }
        int n = ((frame[2] & 0xFF) << 24)
            | ((frame[3] & 0xFF) << 16)
            | ((frame[4] & 0xFF) << 8)
            | (frame[5] & 0xFF);
        byte[] payload = inflate(frame, HEADER + 4, n, maxValueSize);
        return raw ? (V) payload : reader.readValue(payload);
      }
      if (frame.length - HEADER > maxValueSize) {
        throw oversize(frame.length - HEADER, maxValueSize);
      }
      if (raw) {
        byte[] payload = new byte[frame.length - HEADER];
        System.arraycopy(frame, HEADER, payload, 0, payload.length);
        return (V) payload;
      }
      return reader.readValue(frame, HEADER, frame.length - HEADER);
    } catch (IOException | RuntimeException e) {
      if (e instanceof CodecException) {
        throw (CodecException) e;
      }
      throw new CodecException(
          "cannot decode a stored value as " + type + ": " + e.getMessage(), e);
    }
  }

  private static byte[] deflate(byte[] input) {
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(input);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, input.length / 4));
      byte[] buffer = new byte[8192];
      while (!deflater.finished()) {
        int n = deflater.deflate(buffer);
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static CodecException oversize(long size, int max) {
    return new OversizeException(
        "stored value is " + size + " bytes, more than maxValueSize " + max);
  }

  /**
   * Inflates at most {@code max} bytes, in steps: the output grows with what the data really
   * expands to (doubling from 64 KiB), never past the declared length or {@code max}, so that
   * neither a lying header nor a compression bomb can make one read allocate more than that.
   */
  private static byte[] inflate(byte[] frame, int offset, int length, int max) {
    long compressed = frame.length - offset;
    if (length < 0 || length > compressed * MAX_INFLATE_RATIO) {
      throw new CodecException(
          "compressed value declares an impossible length " + length + " for " + compressed
              + " compressed bytes",
          null);
    }
    if (length > max) {
      throw oversize(length, max);
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(frame, offset, frame.length - offset);
      byte[] out = new byte[Math.min(length, 64 * 1024)];
      int filled = 0;
      while (true) {
        if (filled == out.length) {
          if (filled == length) {
            break;
          }
          out = Arrays.copyOf(out, (int) Math.min(length, 2L * out.length));
        }
        int n = inflater.inflate(out, filled, out.length - filled);
        if (n == 0
            && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        filled += n;
      }
      if (filled != length || !inflater.finished()) {
        byte[] probe = new byte[1];
        if (filled == length && !inflater.finished() && inflater.inflate(probe) > 0) {
          throw new CodecException(
              "compressed value inflates past the " + length + " bytes it declares", null);
        }
        throw new CodecException("compressed value is corrupt or truncated", null);
      }
      return out;
    } catch (DataFormatException e) {
      throw new CodecException("compressed value is corrupt: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  /** A stored value larger than the codec's {@link #maxValueSize()}: a miss, like any bad frame. */
  public static final class OversizeException extends CodecException {
    private static final long serialVersionUID = 1L;

    OversizeException(String message) {
      super(message, null);
    }
  }
}
