package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.runtime.sklearn.pickle.NdArray;
import java.nio.charset.StandardCharsets;

/**
 * A classifier's {@code classes_}: turns class indices into the labels scikit-learn answers, in the
 * datatype numpy gives them (INT64 for int64 labels, BYTES for strings, ...).
 */
final class ClassLabels {
  private final NdArray classes;
  private final DataType datatype;

  ClassLabels(NdArray classes) {
    this.classes = classes;
    this.datatype = datatypeOf(classes);
  }

  private static DataType datatypeOf(NdArray classes) {
    int size = classes.dtype().itemSize();
    return switch (classes.dtype().kind()) {
      case 'i' -> size == 8 ? DataType.INT64 : size == 4 ? DataType.INT32 : size == 2 ? DataType.INT16 : DataType.INT8;
      case 'u' -> size == 8 ? DataType.UINT64 : size == 4 ? DataType.UINT32 : size == 2 ? DataType.UINT16 : DataType.UINT8;
      case 'f' -> size == 4 ? DataType.FP32 : DataType.FP64;
      case 'b' -> DataType.BOOL;
      default -> DataType.BYTES;
    };
  }

  int count() {
    return classes.size();
  }

  DataType datatype() {
    return datatype;
  }

  /** The labels of the given class indices, as a tensor of shape [indices]. */
  Tensor take(int[] indices, String name) {
    TensorBuilder builder = new TensorBuilder(datatype, indices.length);
    for (int index : indices) {
      switch (datatype) {
        case FP32, FP64 -> builder.addDouble(classes.getDouble(index));
        case BOOL -> builder.addBoolean(classes.getLong(index) != 0);
        case BYTES -> builder.addBytes(String.valueOf(classes.get(index)).getBytes(StandardCharsets.UTF_8));
        case UINT64 -> builder.addUnsignedBits(classes.getLong(index));
        default -> builder.addLong(classes.getLong(index));
      }
    }
    return builder.build(name, new long[] {indices.length});
  }
}
