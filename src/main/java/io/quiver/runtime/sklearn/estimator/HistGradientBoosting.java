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
  private HistGradientBoosting() {}

  private static BoostedTrees trees(PyObject model) {
    List<List<BoostedTrees.Tree>> iterations = new ArrayList<>();
    for (Object iteration : model.list("_predictors")) {
      List<BoostedTrees.Tree> trees = new ArrayList<>();
      for (Object predictor : (List<?>) iteration) {
        trees.add(new HistTree((PyObject) predictor)::predict);
      }
      iterations.add(trees);
    }
    return new BoostedTrees(model.array("_baseline_prediction").toDoubles(), iterations);
  }

  static Estimator regressor(PyObject model) {
    BoostedTrees boosting = trees(model);
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
    BoostedTrees boosting = trees(model);
    return new ProbabilisticClassifier(model) {
      @Override
      protected Matrix scores(Matrix x) {
        Matrix raw = boosting.raw(x);
        return raw.columns() > 1 ? RowMath.softmax(raw) : RowMath.sigmoidTwoClasses(raw.values());
      }
    };
  }
}
