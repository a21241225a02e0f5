package io.quiver.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TensorBuilderTest {

  @Test
  void writesLittleEndianRowMajor() {
    TensorBuilder builder = new TensorBuilder(DataType.INT32, 1);
    for (int i = 1; i <= 6; i++) {
      builder.addLong(i * 1000);
    }
    Tensor tensor = builder.build("t", new long[] {2, 3});
    assertEquals(24, tensor.byteSize());
    ByteBuffer data = tensor.data();
    assertEquals(ByteOrder.LITTLE_ENDIAN, data.order());
    assertEquals(6000, data.getInt(20));
    assertEquals((byte) 0xE8, data.get(0), "1000 = 0x03E8, low byte first");
  }

  @Test
  void rangeChecksEachIntegerType() {
    assertRejects(DataType.UINT8, 256, "UINT8 cannot hold 256");
    assertRejects(DataType.UINT8, -1, "UINT8 cannot hold -1");
    assertRejects(DataType.INT8, 128, "INT8 cannot hold 128");
    assertRejects(DataType.INT16, -32769, "INT16 cannot hold -32769");
    assertRejects(DataType.UINT16, 65536, "UINT16 cannot hold 65536");
    assertRejects(DataType.INT32, 1L << 31, "INT32 cannot hold 2147483648");
    assertRejects(DataType.UINT32, 1L << 32, "UINT32 cannot hold 4294967296");
    assertRejects(DataType.UINT64, -5, "UINT64 cannot hold -5");
    TensorBuilder wholeOnly = new TensorBuilder(DataType.INT64, 1);
    assertEquals("INT64 cannot hold 2.5",
        assertThrows(IllegalArgumentException.class, () -> wholeOnly.addDouble(2.5)).getMessage());
    wholeOnly.addDouble(3.0);
    assertEquals(3, wholeOnly.build("w", new long[] {1}).getLong(0));
  }

  @Test
  void uint64KeepsValuesAboveLongMax() {
    TensorBuilder builder = new TensorBuilder(DataType.UINT64, 2);
    builder.addBigInteger(new BigInteger("18446744073709551615"));
    builder.addUnsignedBits(-2L);
    Tensor tensor = builder.build("u", new long[] {2});
    assertEquals("18446744073709551615", Long.toUnsignedString(tensor.getLong(0)));
    assertEquals(1.8446744073709552E19, tensor.getDouble(1));
    assertThrows(IllegalArgumentException.class,
        () -> new TensorBuilder(DataType.UINT64, 1).addBigInteger(BigInteger.ONE.shiftLeft(64)));
  }

  @Test
  void halfPrecisionRoundTrips() {
    TensorBuilder fp16 = new TensorBuilder(DataType.FP16, 3);
    fp16.addDouble(0.5);
    fp16.addDouble(65504.0);
    fp16.addDouble(-1.25);
    Tensor half = fp16.build("h", new long[] {3});
    assertEquals(0x3800, half.data().getShort(0) & 0xFFFF, "0.5 in IEEE half precision");
    assertEquals(65504.0, half.getDouble(1));
    assertEquals(-1.25, half.getDouble(2));

    TensorBuilder bf16 = new TensorBuilder(DataType.BF16, 2);
    bf16.addDouble(1.0);
    bf16.addDouble(3.140625);
    Tensor brain = bf16.build("b", new long[] {2});
    assertEquals(0x3F80, brain.data().getShort(0) & 0xFFFF, "1.0 in bfloat16");
    assertEquals(3.140625, brain.getDouble(1));
  }

  @Test
  void bytesAreLengthPrefixed() {
    TensorBuilder builder = new TensorBuilder(DataType.BYTES, 2);
    builder.addBytes("été".getBytes(StandardCharsets.UTF_8));
    builder.addBytes(new byte[0]);
    Tensor tensor = builder.build("s", new long[] {2});
    assertEquals(4 + 5 + 4, tensor.byteSize());
    assertEquals("été", tensor.stringAt(0));
    assertEquals(0, tensor.bytesAt(1).remaining());
  }

  @Test
  void elementCountMustFillTheShape() {
    TensorBuilder builder = new TensorBuilder(DataType.FP32, 4);
    builder.addDouble(1);
    builder.addDouble(2);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> builder.build("x", new long[] {2, 2}));
    assertEquals("tensor 'x': shape [2,2] holds 4 elements, got 2", error.getMessage());
  }

  @Test
  void growsPastItsInitialCapacity() {
    TensorBuilder builder = new TensorBuilder(DataType.FP64, 1);
    for (int i = 0; i < 10_000; i++) {
      builder.addDouble(i * 0.5);
    }
    Tensor tensor = builder.build("big", new long[] {100, 100});
    assertEquals(4999.5, tensor.getDouble(9999));
  }

  @Test
  void wrongKindsOfValueAreRejected() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new TensorBuilder(DataType.FP32, 1).addBoolean(true)).getMessage().contains("FP32 cannot hold a boolean"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new TensorBuilder(DataType.BOOL, 1).addLong(1)).getMessage().contains("BOOL cannot hold the number 1"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new TensorBuilder(DataType.INT32, 1).addBytes(new byte[1])).getMessage().contains("INT32 cannot hold a byte string"));
  }

  private static void assertRejects(DataType type, long value, String message) {
    TensorBuilder builder = new TensorBuilder(type, 1);
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> builder.addLong(value)).getMessage());
  }

  @Test
  void shapesFormatAndFit() {
    assertEquals("[-1,4]", Shapes.format(new long[] {-1, 4}));
    assertTrue(Shapes.fits(new long[] {7, 4}, new long[] {-1, 4}));
    assertTrue(!Shapes.fits(new long[] {7, 3}, new long[] {-1, 4}));
    assertTrue(!Shapes.fits(new long[] {4}, new long[] {-1, 4}));
    assertArrayEquals(new long[] {0, 3}, new TensorBuilder(DataType.BOOL, 1).build("empty", new long[] {0, 3}).shape());
  }
}
