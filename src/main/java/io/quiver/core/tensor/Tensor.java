package io.quiver.core.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A named, typed, shaped block of data: the one tensor type every protocol decodes into and every
 * runtime reads from.
 *
 * <p>Data is held little-endian and row-major in one {@link ByteBuffer}, exactly as the Open
 * Inference Protocol's binary extension and gRPC's {@code raw_*_contents} carry it, so those bytes
 * are wrapped rather than copied. {@link DataType#BYTES} elements are stored as a 4-byte length
 * followed by the element's bytes. Tensors are immutable; readers get read-only views.
 */
public final class Tensor {
  private final String name;
  private final DataType datatype;
  private final long[] shape;
  private final ByteBuffer data;
  private final long elementCount;
  private int[] bytesOffsets;

  private Tensor(String name, DataType datatype, long[] shape, ByteBuffer data, long elementCount) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape;
    this.data = data;
    this.elementCount = elementCount;
  }

  /**
   * Wraps {@code data} (from its position to its limit) as a tensor.
   *
   * @throws IllegalArgumentException naming the tensor when the data does not fill the shape
   */
  public static Tensor of(String name, DataType datatype, long[] shape, ByteBuffer data) {
    long count = elementCount(name, shape);
    ByteBuffer bytes = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    Tensor tensor = new Tensor(name, datatype, shape.clone(), bytes, count);
    if (datatype == DataType.BYTES) {
      tensor.bytesOffsets = indexBytesElements(name, bytes, count);
    } else if (count > bytes.remaining() / datatype.byteSize()
        || count * datatype.byteSize() != bytes.remaining()) {
      throw new IllegalArgumentException(
          "tensor '%s': shape %s holds %d %s elements (%s bytes), got %d bytes"
              .formatted(
                  name,
                  Shapes.format(shape),
                  count,
                  datatype,
                  count <= Long.MAX_VALUE / datatype.byteSize() ? count * datatype.byteSize() : "over 2^63",
                  bytes.remaining()));
    }
    return tensor;
  }

  /**
   * Number of elements a shape describes.
   *
   * @throws IllegalArgumentException for a negative dimension, or a count no tensor can hold
   */
  public static long elementCount(String name, long[] shape) {
    boolean empty = false;
    for (long dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException(
            "tensor '%s': shape %s has a negative dimension".formatted(name, Shapes.format(shape)));
      }
      empty |= dim == 0;
    }
    if (empty) {
      return 0;
    }
    long count = 1;
    for (long dim : shape) {
      if (count > Long.MAX_VALUE / dim) {
        throw new IllegalArgumentException(
            "tensor '%s': shape %s describes more elements than any tensor can hold"
                .formatted(name, Shapes.format(shape)));
      }
      count *= dim;
    }
    return count;
  }

  private static int[] indexBytesElements(String name, ByteBuffer bytes, long count) {
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor '%s': too many BYTES elements".formatted(name));
    }
    if (count > bytes.remaining() / 4) {
      // every element takes at least its 4-byte length: refuse before allocating for the count
      throw new IllegalArgumentException(
          "tensor '%s': %d BYTES elements need at least %d bytes, got %d"
              .formatted(name, count, count * 4, bytes.remaining()));
    }
    int[] offsets = new int[(int) count];
    int position = 0;
    int limit = bytes.remaining();
    for (int i = 0; i < count; i++) {
      if (limit - position < 4) {
        throw new IllegalArgumentException(
            "tensor '%s': BYTES data ends after %d of %d elements".formatted(name, i, count));
      }
      int length = bytes.getInt(position);
      if (length < 0 || length > limit - position - 4) {
        throw new IllegalArgumentException(
            "tensor '%s': BYTES element %d claims %d bytes, only %d remain"
                .formatted(name, i, Integer.toUnsignedLong(length), limit - position - 4));
      }
      offsets[i] = position;
      position += 4 + length;
    }
    if (position != limit) {
      throw new IllegalArgumentException(
          "tensor '%s': %d bytes left over after %d BYTES elements"
              .formatted(name, limit - position, count));
    }
    return offsets;
  }

  public String name() {
    return name;
  }

  public DataType datatype() {
    return datatype;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int axis) {
    return shape[axis];
  }

  public long elementCount() {
    return elementCount;
  }

  /** A read-only little-endian view of the whole data. */
  public ByteBuffer data() {
    return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  public int byteSize() {
    return data.remaining();
  }

  /**
   * Rows {@code [from, from + count)} along the first dimension, as a view of the same data (no
   * copy), under another name.
   */
  public Tensor rows(String newName, int from, int count) {
    long[] rowShape = shape.clone();
    rowShape[0] = count;
    int perRow = shape[0] == 0 ? 0 : Math.toIntExact(elementCount / shape[0]);
    int start = byteOffset(from * perRow);
    int end = byteOffset((from + count) * perRow);
    return of(newName, datatype, rowShape, data.slice(start, end - start));
  }

  private int byteOffset(int element) {
    if (datatype != DataType.BYTES) {
      return element * datatype.byteSize();
    }
    return element == elementCount ? data.remaining() : bytesOffsets[element];
  }

  /**
   * Tensors of one datatype and the same dimensions after the first, one after the other along the
   * first dimension: a copy of their data into one buffer.
   */
  public static Tensor concatRows(String name, List<Tensor> parts) {
    Tensor first = parts.getFirst();
    long rows = 0;
    int bytes = 0;
    for (Tensor part : parts) {
      rows += part.shape[0];
      bytes = Math.addExact(bytes, part.byteSize());
    }
    ByteBuffer joined = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (Tensor part : parts) {
      joined.put(part.data());
    }
    long[] joinedShape = first.shape.clone();
    joinedShape[0] = rows;
    return of(name, first.datatype, joinedShape, joined.flip());
  }

  /**
   * This tensor with its elements converted to another numeric datatype, or itself when the
   * datatype already matches.
   *
   * @throws IllegalArgumentException when a value does not fit the target datatype
   */
  public Tensor convertedTo(DataType target) {
    if (target == datatype) {
      return this;
    }
    if (!datatype.isNumeric() || !target.isNumeric()) {
      throw new IllegalArgumentException(
          "tensor '%s': cannot convert %s to %s".formatted(name, datatype, target));
    }
    TensorBuilder converted = new TensorBuilder(target, Math.toIntExact(elementCount));
    boolean exactIntegers = !datatype.isFloatingPoint() && datatype != DataType.UINT64;
    for (int i = 0; i < elementCount; i++) {
      if (exactIntegers) {
        converted.addLong(getLong(i));
      } else {
        converted.addDouble(getDouble(i));
      }
    }
    return converted.build(name, shape);
  }

  /** Element {@code index} of a numeric or BOOL tensor, widened to a double. */
  public double getDouble(int index) {
    int at = index * datatype.byteSize();
    return switch (datatype) {
      case UINT64 -> unsignedToDouble(data.getLong(at));
      case FP16 -> Float.float16ToFloat(data.getShort(at));
      case BF16 -> Float.intBitsToFloat(data.getShort(at) << 16);
      case FP32 -> data.getFloat(at);
      case FP64 -> data.getDouble(at);
      default -> getLong(index);
    };
  }

  /** Element {@code index} of an integer or BOOL tensor as a long (UINT64 keeps its bits). */
  public long getLong(int index) {
    int at = index * datatype.byteSize();
    return switch (datatype) {
      case BOOL, UINT8 -> data.get(at) & 0xFF;
      case INT8 -> data.get(at);
      case UINT16 -> data.getShort(at) & 0xFFFF;
      case INT16 -> data.getShort(at);
      case UINT32 -> Integer.toUnsignedLong(data.getInt(at));
      case INT32 -> data.getInt(at);
      case UINT64, INT64 -> data.getLong(at);
      default -> throw new IllegalStateException("tensor '%s' holds %s".formatted(name, datatype));
    };
  }

  private static double unsignedToDouble(long bits) {
    double value = (double) (bits >>> 1) * 2.0;
    return value + (bits & 1);
  }

  /** A read-only view of BYTES element {@code index}. */
  public ByteBuffer bytesAt(int index) {
    int offset = bytesOffsets[index] + 4;
    return data.slice(offset, data.getInt(offset - 4)).asReadOnlyBuffer();
  }

  /** A copy of BYTES element {@code index}. */
  public byte[] copyBytesAt(int index) {
    ByteBuffer element = bytesAt(index);
    byte[] copy = new byte[element.remaining()];
    element.get(copy);
    return copy;
  }

  /** BYTES element {@code index} decoded as UTF-8. */
  public String stringAt(int index) {
    return StandardCharsets.UTF_8.decode(bytesAt(index)).toString();
  }

  /**
   * Element {@code index} of a table cell that may be text or a number, as text: BYTES decoded, a
   * whole number without a fraction ({@code 3}, not {@code 3.0}), any other number as Java writes it.
   */
  public String textAt(int index) {
    if (datatype == DataType.BYTES) {
      return stringAt(index);
    }
    double value = getDouble(index);
    return value == Math.rint(value) && !Double.isInfinite(value) ? Long.toString((long) value) : Double.toString(value);
  }

  /**
   * Element {@code index} of a table cell that may be text or a number, as a number: BYTES parsed.
   *
   * @throws NumberFormatException when the text is not a number
   */
  public double numberAt(int index) {
    return datatype == DataType.BYTES ? Double.parseDouble(stringAt(index).trim()) : getDouble(index);
  }

  @Override
  public String toString() {
    return "Tensor[%s %s %s]".formatted(name, datatype, Arrays.toString(shape));
  }
}
