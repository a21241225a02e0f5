package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;

/** Normalizer: each row divided by its l1, l2 or max norm (rows of norm zero left as they are). */
final class Normalizer implements Transformer {
  private final String norm;

  Normalizer(PyObject model) {
    this.norm = model.string("norm");
    if (!norm.equals("l1") && !norm.equals("l2") && !norm.equals("max")) {
      throw new IllegalArgumentException("Normalizer with norm=" + norm + " is not supported");
    }
  }

  @Override
  public Table transform(Table rows) {
    Matrix x = rows.numeric();
    double[] v = x.values().clone();
    int width = x.columns();
    for (int r = 0; r < x.rows(); r++) {
      double size = 0;
      for (int c = 0; c < width; c++) {
        double value = v[r * width + c];
        size =
            switch (norm) {
              case "l1" -> size + Math.abs(value);
              case "l2" -> size + value * value;
              default -> Math.max(size, Math.abs(value));
            };
      }
      if (norm.equals("l2")) {
        size = Math.sqrt(size);
      }
      if (size == 0) {
        size = 1;
      }
      for (int c = 0; c < width; c++) {
        v[r * width + c] /= size;
      }
    }
    return Table.of(new Matrix(x.rows(), width, v));
  }
}
