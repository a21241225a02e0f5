package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;

/**
 * GradientBoostingClassifier and GradientBoostingRegressor: the initial
 * estimator's prediction turned into the loss's raw scale, plus learning rate times each stage's
 * regression tree, stage after stage.
 */
final class GradientBoosting {
  private GradientBoosting() {}

  /**
   * @param initial the raw prediction every row starts from, one per tree of a stage
   */
  private static BoostedTrees trees(PyObject model, double[] initial) {
    NdArray estimators = model.array("estimators_");
    int perStage = estimators.dim(1);
    double learningRate = model.number("learning_rate");
    List<List<BoostedTrees.Tree>> stages = new ArrayList<>();
    for (int s = 0; s < estimators.dim(0); s++) {
      List<BoostedTrees.Tree> stage = new ArrayList<>(perStage);
      for (int k = 0; k < perStage; k++) {
        DecisionTree tree = new DecisionTree(((PyObject) estimators.get(s * perStage + k)).object("tree_"));
        stage.add((x, row) -> learningRate * tree.value(tree.leaf(x, row), 0));
      }
      stages.add(stage);
    }
    return new BoostedTrees(initial, stages);
  }

  /** The starting point of a model fitted with {@code init=None} or {@code init='zero'}. */
  private static PyObject initialEstimator(PyObject model) {
    Object init = model.get("init_", "zero");
    if (init instanceof PyObject dummy && dummy.simpleName().startsWith("Dummy")) {
      return dummy;
    }
    if ("zero".equals(init)) {
      return null;
    }
    throw new IllegalArgumentException(
        "gradient boosting with init=%s is not supported (only the default init or 'zero')".formatted(init));
  }

  static Estimator regressor(PyObject model) {
    PyObject init = initialEstimator(model);
    double[] initial = init == null ? new double[] {0} : new double[] {init.array("constant_").getDouble(0)};
    BoostedTrees boosting = trees(model, initial);
    return new Estimator() {
      @Override
      public Tensor predict(Table rows, String name) {
        return Tensors.column(name, boosting.raw(rows.numeric()).values());
      }

      @Override
      public TensorSpec predictSpec(String name) {
        return Tensors.regressionSpec(name, 1);
      }
    };
  }

  static Estimator classifier(PyObject model) {
    PyObject init = initialEstimator(model);
    int classes = model.array("classes_").size();
    String loss = String.valueOf(model.get("loss", "log_loss"));
    boolean exponential = loss.equals("exponential");
    double[] initial = new double[classes == 2 ? 1 : classes];
    if (init != null) {
      // The prior, clipped away from 0 and 1 by float32's epsilon, on the loss's raw scale.
      double eps = Math.ulp(1.0f);
      double[] prior = init.array("class_prior_").toDoubles();
      if (classes == 2) {
        double p = Math.clamp(prior[1], eps, 1 - eps);
        initial[0] = (exponential ? 0.5 : 1.0) * Math.log(p / (1 - p));
      } else {
        for (int c = 0; c < classes; c++) {
          initial[c] = Math.log(Math.clamp(prior[c], eps, 1 - eps));
        }
      }
    }
    return new BoostedClassifier(model, trees(model, initial), exponential);
  }

  /**
   * Two classes: the sigmoid of the raw score, predict picking the likelier. More: predict picks
   * the highest raw score, predict_proba is their softmax.
   */
  private static final class BoostedClassifier extends ProbabilisticClassifier {
    private final BoostedTrees boosting;
    private final boolean exponential;

    BoostedClassifier(PyObject model, BoostedTrees boosting, boolean exponential) {
      super(model);
      this.boosting = boosting;
      this.exponential = exponential;
    }

    @Override
    protected Matrix scores(Matrix x) {
      Matrix raw = boosting.raw(x);
      if (raw.columns() > 1) {
        return raw;
      }
      double[] positive = raw.values();
      if (exponential) {
        for (int r = 0; r < positive.length; r++) {
          positive[r] *= 2;
        }
      }
      return RowMath.sigmoidTwoClasses(positive);
    }

    @Override
    protected Matrix probabilities(Matrix scores) {
      return labels.count() > 2 ? RowMath.softmax(scores) : scores;
    }
  }
}
