package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;

/**
 * {@code X @ coef_.T + intercept_}: the decision function of every scikit-learn linear model.
 *
 * @param weights one row of coefficients per output
 * @param bias one intercept per output
 * @param flat whether {@code coef_} was one-dimensional (one output, answered as a flat array)
 */
record LinearFunction(double[][] weights, double[] bias, boolean flat) {

  static LinearFunction of(PyObject model) {
    NdArray coef = model.array("coef_");
    double[][] weights = coef.rank() == 1 ? new double[][] {coef.toDoubles()} : coef.toMatrix();
    double[] bias = new double[weights.length];
    Object intercept = model.get("intercept_");
    for (int o = 0; o < bias.length; o++) {
      bias[o] =
          intercept instanceof NdArray array
              ? array.getDouble(array.size() == 1 ? 0 : o)
              : ((Number) intercept).doubleValue();
    }
    return new LinearFunction(weights, bias, coef.rank() == 1);
  }

  int outputs() {
    return weights.length;
  }

  Matrix apply(Matrix x) {
    return x.timesTransposed(weights, bias);
  }
}
