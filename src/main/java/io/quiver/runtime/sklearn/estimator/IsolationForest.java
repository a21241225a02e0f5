package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;

/**
 * IsolationForest: the mean path length to each row's leaf (plus the expected length of the
 * samples left unsplit there) gives the anomaly score; predict answers -1 for outliers (score
 * below {@code offset_}) and 1 for inliers.
 */
final class IsolationForest implements Estimator {
  private static final double EULER_GAMMA = 0.5772156649015329;

  private final List<DecisionTree> trees = new ArrayList<>();
  private final List<int[]> treeFeatures = new ArrayList<>();
  private final boolean subsampledFeatures;
  private final double denominator;
  private final double offset;

  IsolationForest(PyObject model) {
    List<?> estimators = model.list("estimators_");
    List<?> features = model.list("estimators_features_");
    for (int i = 0; i < estimators.size(); i++) {
      trees.add(new DecisionTree(((PyObject) estimators.get(i)).object("tree_")));
      treeFeatures.add(((NdArray) features.get(i)).toInts());
    }
    this.subsampledFeatures = model.integer("_max_features") != model.integer("n_features_in_");
    this.denominator = trees.size() * averagePathLength(model.integer("max_samples_"));
    this.offset = model.number("offset_");
  }

  /** The average path length of an unsuccessful search in a binary search tree of n samples. */
  private static double averagePathLength(long n) {
    if (n <= 1) {
      return 0;
    }
    if (n == 2) {
      return 1;
    }
    return 2.0 * (Math.log(n - 1.0) + EULER_GAMMA) - 2.0 * (n - 1.0) / n;
  }

  private double score(Matrix x, int row) {
    double depths = 0;
    for (int t = 0; t < trees.size(); t++) {
      DecisionTree tree = trees.get(t);
      Matrix input = subsampledFeatures ? columns(x, row, treeFeatures.get(t)) : x;
      int leaf = tree.leaf(input, subsampledFeatures ? 0 : row);
      depths += tree.pathLength(leaf) + averagePathLength(tree.samples(leaf)) - 1.0;
    }
    return -Math.pow(2, -(denominator == 0 ? 1 : depths / denominator));
  }

  private static Matrix columns(Matrix x, int row, int[] features) {
    double[] values = new double[features.length];
    for (int f = 0; f < features.length; f++) {
      values[f] = x.get(row, features[f]);
    }
    return new Matrix(1, features.length, values);
  }

  @Override
  public Tensor predict(Table rows, String name) {
    Matrix x = rows.numeric();
    TensorBuilder labels = new TensorBuilder(DataType.INT64, x.rows());
    for (int r = 0; r < x.rows(); r++) {
      labels.addLong(score(x, r) - offset < 0 ? -1 : 1);
    }
    return labels.build(name, new long[] {x.rows()});
  }

  @Override
  public TensorSpec predictSpec(String name) {
    return TensorSpec.of(name, DataType.INT64, -1);
  }
}
