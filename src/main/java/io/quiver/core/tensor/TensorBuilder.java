package io.quiver.core.tensor;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Appends elements of one datatype straight into a growing little-endian buffer, so decoders never
 * hold boxed numbers. Values are range-checked against the datatype.
 */
public final class TensorBuilder {
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final DataType datatype;
  private ByteBuffer buffer;
  private long count;

  public TensorBuilder(DataType datatype, int expectedElements) {
    this.datatype = datatype;
    int elementSize = datatype == DataType.BYTES ? 16 : datatype.byteSize();
    this.buffer = ByteBuffer.allocate(Math.max(16, expectedElements * elementSize))
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  public DataType datatype() {
    return datatype;
  }

  public long count() {
    return count;
  }

  /** Appends a floating-point value; integer datatypes accept it only when it is a whole number. */
  public void addDouble(double value) {
    switch (datatype) {
      case FP64 -> reserve(8).putDouble(value);
      case FP32 -> reserve(4).putFloat((float) value);
      case FP16 -> reserve(2).putShort(Float.floatToFloat16((float) value));
      case BF16 -> reserve(2).putShort(toBfloat16((float) value));
      default -> {
        if (value != Math.rint(value) || Double.isInfinite(value)) {
          throw new IllegalArgumentException("%s cannot hold %s".formatted(datatype, value));
        }
        if (datatype == DataType.UINT64 && value >= 0x1p63) {
          addUnsigned64(new BigDecimal(value).toBigInteger());
          return;
        }
        addLong((long) value);
        return;
      }
    }
    count++;
  }

  /** Appends an integer value, checking it fits the datatype. */
  public void addLong(long value) {
    switch (datatype) {
      case INT8 -> reserve(1).put((byte) checkRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT8 -> reserve(1).put((byte) checkRange(value, 0, 0xFF));
      case INT16 -> reserve(2).putShort((short) checkRange(value, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT16 -> reserve(2).putShort((short) checkRange(value, 0, 0xFFFF));
      case INT32 -> reserve(4).putInt((int) checkRange(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case UINT32 -> reserve(4).putInt((int) checkRange(value, 0, 0xFFFF_FFFFL));
      case INT64 -> reserve(8).putLong(value);
      case UINT64 -> reserve(8).putLong(checkRange(value, 0, Long.MAX_VALUE));
      case BOOL, BYTES ->
          throw new IllegalArgumentException("%s cannot hold the number %d".formatted(datatype, value));
      default -> {
        addDouble(value);
        return;
      }
    }
    count++;
  }

  /** Appends an integer too large for a long (only UINT64 can hold one). */
  public void addBigInteger(BigInteger value) {
    if (datatype.isFloatingPoint()) {
      addDouble(value.doubleValue());
    } else if (value.bitLength() <= 63) {
      addLong(value.longValue());
    } else {
      addUnsigned64(value);
    }
  }

  private void addUnsigned64(BigInteger value) {
    if (datatype != DataType.UINT64 || value.signum() < 0 || value.compareTo(UINT64_MAX) > 0) {
      throw new IllegalArgumentException("%s cannot hold %s".formatted(datatype, value));
    }
    reserve(8).putLong(value.longValue());
    count++;
  }

  /** Appends a raw unsigned 64-bit value given as its bit pattern (as protobuf's uint64 arrives). */
  public void addUnsignedBits(long bits) {
    if (datatype != DataType.UINT64) {
      addLong(bits);
      return;
    }
    reserve(8).putLong(bits);
    count++;
  }

  public void addBoolean(boolean value) {
    if (datatype != DataType.BOOL) {
      throw new IllegalArgumentException("%s cannot hold a boolean".formatted(datatype));
    }
    reserve(1).put((byte) (value ? 1 : 0));
    count++;
  }

  /** Appends one BYTES element. */
  public void addBytes(byte[] bytes, int offset, int length) {
    if (datatype != DataType.BYTES) {
      throw new IllegalArgumentException("%s cannot hold a byte string".formatted(datatype));
    }
    reserve(4 + length).putInt(length).put(bytes, offset, length);
    count++;
  }

  public void addBytes(byte[] bytes) {
    addBytes(bytes, 0, bytes.length);
  }

  /** The collected elements as a tensor of the given shape. */
  public Tensor build(String name, long[] shape) {
    long expected = Tensor.elementCount(name, shape);
    if (expected != count) {
      throw new IllegalArgumentException(
          "tensor '%s': shape %s holds %d elements, got %d"
              .formatted(name, Shapes.format(shape), expected, count));
    }
    return Tensor.of(name, datatype, shape, buffer.flip());
  }

  private ByteBuffer reserve(int bytes) {
    if (buffer.remaining() < bytes) {
      int capacity = Math.max(buffer.capacity() * 2, buffer.position() + bytes);
      buffer = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN).put(buffer.flip());
    }
    return buffer;
  }

  private long checkRange(long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException("%s cannot hold %d".formatted(datatype, value));
    }
    return value;
  }

  private static short toBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }
}
