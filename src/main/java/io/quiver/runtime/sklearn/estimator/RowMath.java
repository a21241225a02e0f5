package io.quiver.runtime.sklearn.estimator;

/** The row-wise numpy and scipy operations scikit-learn's predictors end with, done as they do. */
final class RowMath {
  private RowMath() {}

  /** scipy's {@code expit}: the logistic sigmoid. */
  static double expit(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  /** numpy's {@code argmax} of each row: the first highest, or the first NaN. */
  static int[] argmax(Matrix m) {
    int[] indices = new int[m.rows()];
    double[] v = m.values();
    int width = m.columns();
    for (int r = 0; r < m.rows(); r++) {
      int offset = r * width;
      int best = 0;
      for (int c = 0; c < width; c++) {
        double value = v[offset + c];
        if (Double.isNaN(value)) {
          best = c;
          break;
        }
        if (value > v[offset + best]) {
          best = c;
        }
      }
      indices[r] = best;
    }
    return indices;
  }

  /** scikit-learn's softmax: subtract the row maximum, exponentiate, divide by the row sum. */
  static Matrix softmax(Matrix m) {
    double[] out = m.values().clone();
    int width = m.columns();
    for (int r = 0; r < m.rows(); r++) {
      int offset = r * width;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < width; c++) {
        max = Math.max(max, out[offset + c]);
      }
      double sum = 0;
      for (int c = 0; c < width; c++) {
        out[offset + c] = Math.exp(out[offset + c] - max);
        sum += out[offset + c];
      }
      for (int c = 0; c < width; c++) {
        out[offset + c] /= sum;
      }
    }
    return new Matrix(m.rows(), width, out);
  }

  /** Each row divided by its sum; a row summing to zero is left as it is. */
  static Matrix normalise(Matrix m) {
    double[] out = m.values().clone();
    int width = m.columns();
    for (int r = 0; r < m.rows(); r++) {
      int offset = r * width;
      double sum = 0;
      for (int c = 0; c < width; c++) {
        sum += out[offset + c];
      }
      if (sum == 0) {
        continue;
      }
      for (int c = 0; c < width; c++) {
        out[offset + c] /= sum;
      }
    }
    return new Matrix(m.rows(), width, out);
  }

  /** The two-class form of one score per row: {@code [1 - p, p]}. */
  static Matrix twoClasses(double[] positive) {
    double[] out = new double[positive.length * 2];
    for (int r = 0; r < positive.length; r++) {
      out[2 * r] = 1 - positive[r];
      out[2 * r + 1] = positive[r];
    }
    return new Matrix(positive.length, 2, out);
  }

  /** The two-class probabilities of one raw score per row: {@code [1 - expit(s), expit(s)]}. */
  static Matrix sigmoidTwoClasses(double[] raw) {
    double[] positive = new double[raw.length];
    for (int r = 0; r < raw.length; r++) {
      positive[r] = expit(raw[r]);
    }
    return twoClasses(positive);
  }

  /** A single decision per row as two class scores {@code [-d, d]}: argmax picks d > 0. */
  static Matrix signed(double[] decision) {
    double[] out = new double[decision.length * 2];
    for (int r = 0; r < decision.length; r++) {
      out[2 * r] = -decision[r];
      out[2 * r + 1] = decision[r];
    }
    return new Matrix(decision.length, 2, out);
  }
}
