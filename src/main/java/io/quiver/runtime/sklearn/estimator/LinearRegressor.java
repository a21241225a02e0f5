package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.PyObject;

/** LinearRegression, Ridge, Lasso, ElasticNet, SGDRegressor, LinearSVR: {@code X @ coef_.T + intercept_}. */
final class LinearRegressor implements Estimator {
  private final LinearFunction function;

  LinearRegressor(PyObject model) {
    this.function = LinearFunction.of(model);
  }

  @Override
  public Tensor predict(Table rows, String name) {
    Matrix y = function.apply(rows.numeric());
    return function.flat() ? Tensors.column(name, y.values()) : Tensors.of(name, y);
  }

  @Override
  public TensorSpec predictSpec(String name) {
    return function.flat()
        ? TensorSpec.of(name, DataType.FP64, -1)
        : TensorSpec.of(name, DataType.FP64, -1, function.outputs());
  }
}
