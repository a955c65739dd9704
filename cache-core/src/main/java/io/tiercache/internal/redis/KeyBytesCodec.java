package io.tiercache.internal.redis;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;

/**
 * UTF-8 string keys and raw byte values, written straight into the outgoing buffer: no
 * {@link ByteBuffer} per key and per value on the way out, which a codec composed with
 * {@code RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE)} allocates for every argument
 * (the composed codec is not a {@link ToByteBufEncoder}, so Lettuce asks it for a buffer). Sizes are
 * exact, so Lettuce writes each argument's length first and its bytes once.
 */
final class KeyBytesCodec implements RedisCodec<String, byte[]>, ToByteBufEncoder<String, byte[]> {

  static final KeyBytesCodec INSTANCE = new KeyBytesCodec();

  private static final byte[] EMPTY = new byte[0];

  private KeyBytesCodec() {}

  @Override
  public String decodeKey(ByteBuffer bytes) {
    return StringCodec.UTF8.decodeKey(bytes);
  }

  @Override
  public byte[] decodeValue(ByteBuffer bytes) {
    if (bytes == null || !bytes.hasRemaining()) {
      return EMPTY;
    }
    byte[] out = new byte[bytes.remaining()];
    bytes.get(out);
    return out;
  }

  @Override
  public ByteBuffer encodeKey(String key) {
    return StringCodec.UTF8.encodeKey(key);
  }

  @Override
  public ByteBuffer encodeValue(byte[] value) {
    return value == null ? ByteBuffer.wrap(EMPTY) : ByteBuffer.wrap(value);
  }

  @Override
  public void encodeKey(String key, ByteBuf target) {
    if (key != null) {
      ByteBufUtil.writeUtf8(target, key);
    }
  }

  @Override
  public void encodeValue(byte[] value, ByteBuf target) {
    if (value != null) {
      target.writeBytes(value);
    }
  }

  @Override
  public int estimateSize(Object keyOrValue) {
    if (keyOrValue == null) {
      return 0;
    }
    if (keyOrValue instanceof byte[] bytes) {
      return bytes.length;
    }
    return ByteBufUtil.utf8Bytes((CharSequence) keyOrValue);
  }

  @Override
  public boolean isEstimateExact() {
    return true;
  }
}
