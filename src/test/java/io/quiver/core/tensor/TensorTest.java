package io.quiver.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void wrapsBytesWithoutCopying() {
    byte[] raw = new byte[8];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f);
    Tensor tensor = Tensor.of("x", DataType.FP32, new long[] {2}, ByteBuffer.wrap(raw));
    raw[4] = 0; // the tensor sees the caller's bytes: nothing was copied
    raw[5] = 0;
    raw[6] = (byte) 0x80;
    raw[7] = 0x3F;
    assertEquals(1.5, tensor.getDouble(0));
    assertEquals(1.0, tensor.getDouble(1));
  }

  @Test
  void refusesDataThatDoesNotFillTheShape() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.of("x", DataType.INT64, new long[] {2, 2}, ByteBuffer.allocate(24)));
    assertEquals("tensor 'x': shape [2,2] holds 4 INT64 elements (32 bytes), got 24 bytes", error.getMessage());
  }

  @Test
  void shapesWhoseSizeOverflowsAreRefused() {
    IllegalArgumentException tooMany =
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.elementCount("x", new long[] {2147483647, 2147483647, 2147483647}));
    assertTrue(tooMany.getMessage().contains("more elements than any tensor can hold"), tooMany.getMessage());
    assertEquals(0, Tensor.elementCount("x", new long[] {Long.MAX_VALUE, 4, 0}));
    // 2^60 + 1 FP32 elements are 2^62 + 4 bytes: times 4 wraps a 64-bit count to 16
    IllegalArgumentException wrapped =
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.of("x", DataType.FP32, new long[] {1152921504606846977L, 4}, ByteBuffer.allocate(16)));
    assertTrue(wrapped.getMessage().contains("over 2^63 bytes"), wrapped.getMessage());
  }

  @Test
  void bytesElementsAreCountedAgainstTheDataBeforeAllocating() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class,
            () -> Tensor.of("s", DataType.BYTES, new long[] {2147483647}, ByteBuffer.allocate(0)));
    assertTrue(error.getMessage().contains("need at least"), error.getMessage());
  }

  @Test
  void validatesBytesElements() {
    ByteBuffer truncated = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(10).put((byte) 1).put((byte) 2).flip();
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Tensor.of("s", DataType.BYTES, new long[] {1}, truncated)).getMessage().contains("claims 10 bytes, only 2 remain"));
    ByteBuffer extra = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(1).put((byte) 65).put((byte) 66).flip();
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Tensor.of("s", DataType.BYTES, new long[] {1}, extra)).getMessage().contains("1 bytes left over"));
  }

  @Test
  void convertsBetweenNumericTypes() {
    TensorBuilder ints = new TensorBuilder(DataType.INT32, 3);
    ints.addLong(-3);
    ints.addLong(0);
    ints.addLong(7);
    Tensor asFloats = ints.build("i", new long[] {3}).convertedTo(DataType.FP32);
    assertEquals(DataType.FP32, asFloats.datatype());
    assertEquals(-3.0, asFloats.getDouble(0));
    assertEquals(7.0, asFloats.getDouble(2));
    Tensor back = asFloats.convertedTo(DataType.INT8);
    assertEquals(-3, back.getLong(0));
    TensorBuilder fractions = new TensorBuilder(DataType.FP64, 1);
    fractions.addDouble(0.5);
    assertThrows(IllegalArgumentException.class, () -> fractions.build("f", new long[] {1}).convertedTo(DataType.INT64));
  }

  @Test
  void parsesDatatypeNamesCaseInsensitively() {
    assertEquals(DataType.FP32, DataType.parse("fp32").orElseThrow());
    assertTrue(DataType.parse("FOO32").isEmpty());
    assertTrue(DataType.parse(null).isEmpty());
    assertEquals(0, DataType.BYTES.byteSize());
    assertTrue(DataType.FP16.isFloatingPoint() && !DataType.INT64.isFloatingPoint());
  }
}
