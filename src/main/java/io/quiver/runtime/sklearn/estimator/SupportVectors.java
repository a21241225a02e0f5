package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.List;

/**
 * SVC and SVR as libsvm predicts: kernel values against every support vector, then one decision
 * per pair of classes (one in all for regression). SVC predicts by one-vs-one vote, the first class
 * with most votes winning, as libsvm does.
 */
final class SupportVectors {
  private final double[][] vectors;
  private final double[][] dualCoefficients;
  private final double[] intercepts;
  private final int[] supportCounts;
  private final String kernel;
  private final double gamma;
  private final double coef0;
  private final int degree;

  private SupportVectors(PyObject model) {
    this.vectors = model.array("support_vectors_").toMatrix();
    // The underscored copies are libsvm's own signs; the public ones are flipped for two classes.
    this.dualCoefficients = model.array("_dual_coef_").toMatrix();
    this.intercepts = model.array("_intercept_").toDoubles();
    this.supportCounts = model.array(model.has("_n_support") ? "_n_support" : "n_support_").toInts();
    this.kernel = model.string("kernel");
    if (!List.of("linear", "rbf", "poly", "sigmoid").contains(kernel)) {
      throw new IllegalArgumentException("the SVM kernel " + kernel + " is not supported");
    }
    this.gamma = model.number("_gamma");
    this.coef0 = model.number("coef0");
    this.degree = model.integer("degree");
  }

  private double kernel(Matrix x, int row, double[] vector) {
    if (kernel.equals("rbf")) {
      double sum = 0;
      for (int f = 0; f < vector.length; f++) {
        double d = x.get(row, f) - vector[f];
        sum += d * d;
      }
      return Math.exp(-gamma * sum);
    }
    double dot = 0;
    for (int f = 0; f < vector.length; f++) {
      dot += x.get(row, f) * vector[f];
    }
    return switch (kernel) {
      case "poly" -> power(gamma * dot + coef0, degree);
      case "sigmoid" -> Math.tanh(gamma * dot + coef0);
      default -> dot;
    };
  }

  /** libsvm's powi: exponentiation by squaring, so the rounding matches. */
  private static double power(double base, int times) {
    double result = 1;
    double tmp = base;
    for (int t = times; t > 0; t /= 2) {
      if (t % 2 == 1) {
        result *= tmp;
      }
      tmp *= tmp;
    }
    return result;
  }

  private double[] kernelRow(Matrix x, int row) {
    double[] values = new double[vectors.length];
    for (int v = 0; v < vectors.length; v++) {
      values[v] = kernel(x, row, vectors[v]);
    }
    return values;
  }

  static Estimator classifier(PyObject model) {
    if (Boolean.TRUE.equals(model.get("break_ties", false)) && model.array("classes_").size() > 2) {
      throw new IllegalArgumentException("SVC with break_ties=True is not supported");
    }
    SupportVectors svm = new SupportVectors(model);
    return new Classifier(model) {
      @Override
      protected Matrix scores(Matrix x) {
        int classes = svm.supportCounts.length;
        int[] start = new int[classes];
        for (int c = 1; c < classes; c++) {
          start[c] = start[c - 1] + svm.supportCounts[c - 1];
        }
        double[] votes = new double[x.rows() * classes];
        for (int r = 0; r < x.rows(); r++) {
          double[] k = svm.kernelRow(x, r);
          int pair = 0;
          for (int i = 0; i < classes; i++) {
            for (int j = i + 1; j < classes; j++) {
              double sum = 0;
              double[] coefI = svm.dualCoefficients[j - 1];
              double[] coefJ = svm.dualCoefficients[i];
              for (int s = 0; s < svm.supportCounts[i]; s++) {
                sum += coefI[start[i] + s] * k[start[i] + s];
              }
              for (int s = 0; s < svm.supportCounts[j]; s++) {
                sum += coefJ[start[j] + s] * k[start[j] + s];
              }
              sum += svm.intercepts[pair++];
              votes[r * classes + (sum > 0 ? i : j)]++;
            }
          }
        }
        return new Matrix(x.rows(), classes, votes);
      }
    };
  }

  static Estimator regressor(PyObject model) {
    SupportVectors svm = new SupportVectors(model);
    return new Estimator() {
      @Override
      public Tensor predict(Table rows, String name) {
        Matrix x = rows.numeric();
        double[] predictions = new double[x.rows()];
        double[] coef = svm.dualCoefficients[0];
        for (int r = 0; r < x.rows(); r++) {
          double[] k = svm.kernelRow(x, r);
          double sum = 0;
          for (int s = 0; s < coef.length; s++) {
            sum += coef[s] * k[s];
          }
          predictions[r] = sum + svm.intercepts[0];
        }
        return Tensors.column(name, predictions);
      }

      @Override
      public TensorSpec predictSpec(String name) {
        return Tensors.regressionSpec(name, 1);
      }
    };
  }
}
