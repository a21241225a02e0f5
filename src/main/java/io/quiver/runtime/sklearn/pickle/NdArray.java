package io.quiver.runtime.sklearn.pickle;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A numpy array as a pickle carries it: shape, dtype and raw bytes (or, for object arrays, the
 * objects). Built by the unpickler from numpy's reconstruction protocol or joblib's raw layout.
 */
public final class NdArray {
  private int[] shape = new int[0];
  private NumpyDType dtype;
  private boolean fortran;
  private ByteBuffer bytes;
  private Object[] objects;

  NdArray() {}

  static NdArray of(NumpyDType dtype, int[] shape, boolean fortran, byte[] raw) {
    NdArray array = new NdArray();
    array.dtype = dtype;
    array.shape = shape;
    array.fortran = fortran;
    array.bytes = ByteBuffer.wrap(raw).order(dtype.order());
    array.requireDataFillsShape();
    return array;
  }

  /** numpy's ndarray state: (version, shape, dtype, is_fortran, raw data or object list). */
  public void __setstate__(Object[] state) {
    shape = ints((Object[]) state[1]);
    dtype = (NumpyDType) state[2];
    fortran = Boolean.TRUE.equals(state[3]);
    Object data = state[4];
    if (data instanceof byte[] raw) {
      bytes = ByteBuffer.wrap(raw).order(dtype.order());
    } else if (data instanceof String latin1) {
      // Protocol 2 pickles carry the bytes as a latin-1 string.
      bytes = ByteBuffer.wrap(latin1.getBytes(StandardCharsets.ISO_8859_1)).order(dtype.order());
    } else if (data instanceof List<?> list) {
      objects = list.toArray();
    } else {
      throw new IllegalArgumentException(
          "unexpected numpy array data: a %s".formatted(data == null ? "None" : data.getClass().getSimpleName()));
    }
    requireDataFillsShape();
  }

  /** An array's shape must describe exactly the data it holds: no more, no less. */
  private void requireDataFillsShape() {
    long elements = elementCount(shape);
    long held = objects != null ? objects.length : bytes.remaining() / dtype.itemSize();
    if (elements != held || (objects == null && bytes.remaining() % dtype.itemSize() != 0)) {
      throw new IllegalArgumentException(
          "a numpy array of shape %s holds %d elements, not the %d its shape needs"
              .formatted(Arrays.toString(shape), held, elements));
    }
  }

  /**
   * The elements a shape describes.
   *
   * @throws IllegalArgumentException for a negative dimension or more elements than an array holds
   */
  static long elementCount(int[] shape) {
    long count = 1;
    for (int dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("a numpy array has the negative dimension " + dim);
      }
      count = Math.multiplyExact(count, dim);
    }
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a numpy array of shape %s is too large".formatted(Arrays.toString(shape)));
    }
    return count;
  }

  /** Array dimensions as ints. */
  static int[] ints(Object[] values) {
    int[] ints = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      long value = ((Number) values[i]).longValue();
      if (value < 0 || value > Integer.MAX_VALUE || !(values[i] instanceof Integer || values[i] instanceof Long)) {
        throw new IllegalArgumentException(
            "a numpy array declares the shape %s, larger than any array it can hold".formatted(Arrays.toString(values)));
      }
      ints[i] = (int) value;
    }
    return ints;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int dim(int axis) {
    return shape[axis];
  }

  public int rank() {
    return shape.length;
  }

  public NumpyDType dtype() {
    return dtype;
  }

  public int size() {
    int size = 1;
    for (int dim : shape) {
      size *= dim;
    }
    return size;
  }

  /** The flat index of a row-major position, whatever order the array is stored in. */
  private int storageIndex(int flat) {
    if (!fortran || shape.length < 2) {
      return flat;
    }
    int index = 0;
    int stride = 1;
    int remaining = flat;
    int[] position = new int[shape.length];
    for (int axis = shape.length - 1; axis >= 0; axis--) {
      position[axis] = remaining % shape[axis];
      remaining /= shape[axis];
    }
    for (int axis = 0; axis < shape.length; axis++) {
      index += position[axis] * stride;
      stride *= shape[axis];
    }
    return index;
  }

  /** Element {@code flat} (row-major) as a double. */
  public double getDouble(int flat) {
    if (objects != null) {
      return ((Number) objects[storageIndex(flat)]).doubleValue();
    }
    return readDouble(dtype, storageIndex(flat) * dtype.itemSize());
  }

  /** Element {@code flat} (row-major) as a long. */
  public long getLong(int flat) {
    if (objects != null) {
      return ((Number) objects[storageIndex(flat)]).longValue();
    }
    return readLong(dtype, storageIndex(flat) * dtype.itemSize());
  }

  /** Element {@code flat} (row-major) as a Java object: Double, Long, Boolean or String. */
  public Object get(int flat) {
    if (objects != null) {
      return objects[storageIndex(flat)];
    }
    int at = storageIndex(flat) * dtype.itemSize();
    return switch (dtype.kind()) {
      case 'f' -> readDouble(dtype, at);
      case 'i', 'u' -> readLong(dtype, at);
      case 'b' -> bytes.get(at) != 0;
      case 'U' -> text(at, dtype.itemSize(), Charset.forName(dtype.order() == java.nio.ByteOrder.BIG_ENDIAN ? "UTF-32BE" : "UTF-32LE"));
      case 'S' -> text(at, dtype.itemSize(), StandardCharsets.ISO_8859_1);
      default -> throw new IllegalStateException("cannot read dtype " + dtype);
    };
  }

  private String text(int at, int size, Charset charset) {
    byte[] raw = new byte[size];
    bytes.get(at, raw);
    return new String(raw, charset).replace("\0", "");
  }

  private double readDouble(NumpyDType type, int at) {
    return switch (type.kind()) {
      case 'f' -> switch (type.itemSize()) {
        case 8 -> bytes.getDouble(at);
        case 4 -> bytes.getFloat(at);
        case 2 -> Float.float16ToFloat(bytes.getShort(at));
        default -> throw new IllegalStateException("float of " + type.itemSize() + " bytes");
      };
      default -> readLong(type, at);
    };
  }

  private long readLong(NumpyDType type, int at) {
    boolean unsigned = type.kind() == 'u' || type.kind() == 'b';
    return switch (type.itemSize()) {
      case 8 -> bytes.getLong(at);
      case 4 -> unsigned ? Integer.toUnsignedLong(bytes.getInt(at)) : bytes.getInt(at);
      case 2 -> unsigned ? bytes.getShort(at) & 0xFFFF : bytes.getShort(at);
      case 1 -> unsigned ? bytes.get(at) & 0xFF : bytes.get(at);
      default -> throw new IllegalStateException("integer of " + type.itemSize() + " bytes");
    };
  }

  public double[] toDoubles() {
    double[] values = new double[size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = getDouble(i);
    }
    return values;
  }

  public long[] toLongs() {
    long[] values = new long[size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = getLong(i);
    }
    return values;
  }

  public int[] toInts() {
    int[] values = new int[size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.toIntExact(getLong(i));
    }
    return values;
  }

  public Object[] toObjects() {
    Object[] values = new Object[size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = get(i);
    }
    return values;
  }

  /** A 2-D array as rows. */
  public double[][] toMatrix() {
    if (shape.length != 2) {
      throw new IllegalStateException("expected a 2-D array, got shape " + java.util.Arrays.toString(shape));
    }
    double[][] rows = new double[shape[0]][shape[1]];
    for (int r = 0; r < shape[0]; r++) {
      for (int c = 0; c < shape[1]; c++) {
        rows[r][c] = getDouble(r * shape[1] + c);
      }
    }
    return rows;
  }

  /** Field {@code name} of every record of a structured array, as doubles. */
  public double[] fieldDoubles(String name) {
    NumpyDType.Field field = field(name);
    double[] values = new double[size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = readDouble(field.type(), i * dtype.itemSize() + field.offset());
    }
    return values;
  }

  /** Field {@code name} of every record of a structured array, as longs. */
  public long[] fieldLongs(String name) {
    NumpyDType.Field field = field(name);
    long[] values = new long[size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = readLong(field.type(), i * dtype.itemSize() + field.offset());
    }
    return values;
  }

  public boolean hasField(String name) {
    return dtype.fields().containsKey(name);
  }

  private NumpyDType.Field field(String name) {
    NumpyDType.Field field = dtype.fields().get(name);
    if (field == null) {
      throw new IllegalArgumentException("structured array has no field " + name + " (fields: " + dtype.fields().keySet() + ")");
    }
    return field;
  }
}
