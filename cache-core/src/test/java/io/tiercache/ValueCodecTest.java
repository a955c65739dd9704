package io.tiercache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tiercache.internal.codec.ValueCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void arrays_roundTrip_andAnArrayOfAnAbstractTypeIsRefused() {
    ValueCodec<String[]> strings = ValueCodec.of(mapper, new TypeRef<String[]>() {}, 1 << 20);
    assertArrayEquals(
        new String[] {"a", "b"}, strings.decode(strings.encode(new String[] {"a", "b"})));
    ValueCodec<int[][]> grid = ValueCodec.of(mapper, new TypeRef<int[][]>() {}, 1 << 20);
    int[][] back = grid.decode(grid.encode(new int[][] {{1, 2}, {3}}));
    assertArrayEquals(new int[] {1, 2}, back[0]);
    assertArrayEquals(new int[] {3}, back[1]);
    ValueCodec<Project[]> projects = ValueCodec.of(mapper, new TypeRef<Project[]>() {}, 1 << 20);
    assertEquals(
        new Project(1, "a", List.of("x")),
        projects.decode(projects.encode(new Project[] {new Project(1, "a", List.of("x"))}))[0]);
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> ValueCodec.of(mapper, new TypeRef<Runnable[]>() {}, 1 << 20));
    assertTrue(
        e.getMessage().contains("element type java.lang.Runnable is abstract"), e.getMessage());
  }

  @Test
  void roundTrip_genericType() {
    ValueCodec<Map<String, List<Project>>> codec =
        ValueCodec.of(mapper, new TypeRef<Map<String, List<Project>>>() {}, 1 << 20);
    Map<String, List<Project>> value =
        Map.of("ongoing", List.of(new Project(1, "a", List.of("x"))));
    byte[] frame = codec.encode(value);
    assertEquals(ValueCodec.VERSION, frame[0]);
    assertEquals(0, frame[1]);
    Map<String, List<Project>> back = codec.decode(frame);
    assertEquals(value, back);
    assertEquals(Project.class, back.get("ongoing").get(0).getClass());
  }

  @Test
  void compression_aboveThresholdOnly() {
    ValueCodec<List<Project>> codec = ValueCodec.of(mapper, new TypeRef<List<Project>>() {}, 100);
    List<Project> small = List.of(new Project(1, "a", List.of()));
    assertEquals(0, codec.encode(small)[1] & ValueCodec.FLAG_COMPRESSED);
    List<Project> big = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      big.add(new Project(i, "project number " + i, List.of("tag", "other")));
    }
    byte[] frame = codec.encode(big);
    assertEquals(ValueCodec.FLAG_COMPRESSED, frame[1] & ValueCodec.FLAG_COMPRESSED);
    int json = ValueCodec.of(mapper, new TypeRef<List<Project>>() {}, Integer.MAX_VALUE)
        .encode(big)
        .length;
    assertTrue(frame.length * 3 < json, "compressed " + frame.length + " vs " + json);
    assertEquals(big, codec.decode(frame));
  }

  @Test
  void nullAndRawFrames() {
    ValueCodec<byte[]> codec = ValueCodec.of(mapper, TypeRef.of(byte[].class), 4);
    assertTrue(ValueCodec.isNull(codec.encode(null)));
    assertNull(codec.decode(codec.encode(null)));
    byte[] bytes = new byte[1000];
    assertArrayEquals(bytes, codec.decode(codec.encode(bytes)), "compressed raw bytes");
    byte[] small = {1, 2, 3};
    byte[] frame = codec.encode(small);
    assertEquals(ValueCodec.FLAG_RAW, frame[1]);
    assertArrayEquals(small, codec.decode(frame));
  }

  @Test
  void decode_rejectsGarbageWithCodecException() {
    ValueCodec<Project> codec = ValueCodec.of(mapper, TypeRef.of(Project.class), 16);
    List<byte[]> garbage = List.of(
        new byte[0],
        new byte[] {1},
        new byte[] {9, 0, '{', '}'},
        new byte[] {1, 64, '{', '}'},
        new byte[] {1, 0, 'x'},
        new byte[] {1, 1, 0, 0, 0, 10, 1, 2, 3},
        new byte[] {1, ValueCodec.FLAG_RAW, 1, 2},
        new byte[] {1, 1, 127, 0, 0, 0});
    for (byte[] frame : garbage) {
      assertThrows(CodecException.class, () -> codec.decode(frame), () -> Arrays.toString(frame));
    }
  }

  @Test
  void decode_aCorruptLengthIsRejectedBeforeAnythingIsAllocated() {
    ValueCodec<Project> codec = ValueCodec.of(mapper, TypeRef.of(Project.class), 16);
    // declares 500,000,000 bytes inflated from 6 compressed ones: more than DEFLATE can expand
    byte[] frame = {
      1, ValueCodec.FLAG_COMPRESSED, 0x1D, (byte) 0xCD, 0x65, 0x00, 0x78, (byte) 0x9C, 3, 0, 0, 1
    };
    CodecException e = assertThrows(CodecException.class, () -> codec.decode(frame));
    assertTrue(e.getMessage().contains("impossible length 500000000"), e.getMessage());
    byte[] big = codec.encode(new Project(1, "x".repeat(100_000), List.of()));
    assertTrue(
        (big[1] & ValueCodec.FLAG_COMPRESSED) != 0, "stored compressed, " + big.length + " bytes");
    assertEquals(
        "x".repeat(100_000), codec.decode(big).name(), "a highly compressed value still decodes");
  }

  @Test
  void of_rejectsTypesThatCannotBeReadBack() {
    IllegalArgumentException abstractType = assertThrows(
        IllegalArgumentException.class, () -> ValueCodec.of(mapper, TypeRef.of(Number.class), 0));
    assertTrue(abstractType.getMessage().contains("is abstract"), abstractType.getMessage());
    ObjectMapper typed = new ObjectMapper();
    typed.activateDefaultTyping(typed.getPolymorphicTypeValidator());
    IllegalArgumentException defaultTyping = assertThrows(
        IllegalArgumentException.class, () -> ValueCodec.of(typed, TypeRef.of(Project.class), 0));
    assertTrue(defaultTyping.getMessage().contains("default typing"), defaultTyping.getMessage());
  }
}
