package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;

/**
 * The per-feature scalers, each as scikit-learn applies it: StandardScaler and RobustScaler
 * subtract a centre and divide by a scale, MaxAbsScaler divides, MinMaxScaler multiplies, adds and
 * optionally clips. Absent steps are null.
 */
final class Scaler implements Transformer {
  private final double[] centre;
  private final double[] divisor;
  private final double[] factor;
  private final double[] shift;
  private final double[] clip;

  private Scaler(double[] centre, double[] divisor, double[] factor, double[] shift, double[] clip) {
    this.centre = centre;
    this.divisor = divisor;
    this.factor = factor;
    this.shift = shift;
    this.clip = clip;
  }

  private static double[] optional(PyObject model, String attribute, String flag) {
    return model.flag(flag) && model.has(attribute) ? model.array(attribute).toDoubles() : null;
  }

  static Scaler standard(PyObject model) {
    return new Scaler(optional(model, "mean_", "with_mean"), optional(model, "scale_", "with_std"), null, null, null);
  }

  static Scaler robust(PyObject model) {
    return new Scaler(
        optional(model, "center_", "with_centering"), optional(model, "scale_", "with_scaling"), null, null, null);
  }

  static Scaler maxAbs(PyObject model) {
    return new Scaler(null, model.array("scale_").toDoubles(), null, null, null);
  }

  static Scaler minMax(PyObject model) {
    double[] clip = null;
    if (model.flag("clip")) {
      Object[] range = (Object[]) model.get("feature_range");
      clip = new double[] {((Number) range[0]).doubleValue(), ((Number) range[1]).doubleValue()};
    }
    return new Scaler(null, null, model.array("scale_").toDoubles(), model.array("min_").toDoubles(), clip);
  }

  @Override
  public Table transform(Table rows) {
    Matrix x = rows.numeric();
    double[] v = x.values().clone();
    int width = x.columns();
    for (int i = 0; i < v.length; i++) {
      int f = i % width;
      double value = v[i];
      if (centre != null) {
        value -= centre[f];
      }
      if (divisor != null) {
        value /= divisor[f];
      }
      if (factor != null) {
        value = value * factor[f] + shift[f];
      }
      if (clip != null) {
        value = Math.clamp(value, clip[0], clip[1]);
      }
      v[i] = value;
    }
    return Table.of(new Matrix(x.rows(), width, v));
  }
}
