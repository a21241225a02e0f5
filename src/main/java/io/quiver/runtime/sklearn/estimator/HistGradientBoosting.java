package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;

/**
 * HistGradientBoostingClassifier and HistGradientBoostingRegressor: the baseline plus every
 * iteration's trees (one per class for more than two classes), through the loss's inverse link.
 */
final class HistGradientBoosting {
  private final List<List<HistTree>> iterations = new ArrayList<>();
  private final double[] baseline;

  private HistGradientBoosting(PyObject model) {
    for (Object iteration : model.list("_predictors")) {
      List<HistTree> trees = new ArrayList<>();
      for (Object predictor : (List<?>) iteration) {
        trees.add(new HistTree((PyObject) predictor));
      }
      iterations.add(trees);
    }
    this.baseline = model.array("_baseline_prediction").toDoubles();
  }

  Matrix raw(Matrix x) {
    int k = baseline.length;
    double[] raw = new double[x.rows() * k];
    for (int r = 0; r < x.rows(); r++) {
      System.arraycopy(baseline, 0, raw, r * k, k);
    }
    for (List<HistTree> trees : iterations) {
      for (int t = 0; t < k; t++) {
        HistTree tree = trees.get(t);
        for (int r = 0; r < x.rows(); r++) {
          raw[r * k + t] += tree.predict(x, r);
        }
      }
    }
    return new Matrix(x.rows(), k, raw);
  }

  static Estimator regressor(PyObject model) {
    HistGradientBoosting boosting = new HistGradientBoosting(model);
    // Poisson and gamma losses fit the logarithm; the others the value itself.
    String loss = String.valueOf(model.get("loss", "squared_error"));
    boolean logLink = loss.equals("poisson") || loss.equals("gamma");
    return new Estimator() {
      @Override
      public Tensor predict(Table rows, String name) {
        double[] y = boosting.raw(rows.numeric()).values();
        if (logLink) {
          for (int i = 0; i < y.length; i++) {
            y[i] = Math.exp(y[i]);
          }
        }
        return Tensors.column(name, y);
      }

      @Override
      public TensorSpec predictSpec(String name) {
        return Tensors.regressionSpec(name, 1);
      }
    };
  }

  static Estimator classifier(PyObject model) {
    HistGradientBoosting boosting = new HistGradientBoosting(model);
    return new ProbabilisticClassifier(model) {
      @Override
      protected Matrix scores(Matrix x) {
        Matrix raw = boosting.raw(x);
        return raw.columns() > 1 ? RowMath.softmax(raw) : RowMath.sigmoidTwoClasses(raw.values());
      }
    };
  }
}
