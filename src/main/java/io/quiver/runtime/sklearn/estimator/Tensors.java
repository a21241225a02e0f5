package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Estimator answers as tensors. */
final class Tensors {
  private Tensors() {}

  /** A matrix as an FP64 tensor of shape [rows, columns]. */
  static Tensor of(String name, Matrix m) {
    return fp64(name, m.values(), new long[] {m.rows(), m.columns()});
  }

  /** One value per row as an FP64 tensor of shape [rows]. */
  static Tensor column(String name, double[] values) {
    return fp64(name, values, new long[] {values.length});
  }

  /** A matrix as scikit-learn returns a regression: [rows] for one target, else [rows, targets]. */
  static Tensor regression(String name, Matrix m) {
    return m.columns() == 1 ? column(name, m.values()) : of(name, m);
  }

  /** The spec of {@link #regression}'s answer. */
  static TensorSpec regressionSpec(String name, int outputs) {
    return outputs == 1 ? TensorSpec.of(name, DataType.FP64, -1) : TensorSpec.of(name, DataType.FP64, -1, outputs);
  }

  private static Tensor fp64(String name, double[] values, long[] shape) {
    ByteBuffer data = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    data.asDoubleBuffer().put(values);
    return Tensor.of(name, DataType.FP64, shape, data);
  }
}
