package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.List;

/**
 * DecisionTreeClassifier, ExtraTreeClassifier and the forests of them (RandomForestClassifier,
 * ExtraTreesClassifier): each tree's leaf counts normalised to probabilities, summed over the trees
 * in order and divided by their number, as scikit-learn averages them.
 */
final class TreeClassifier extends ProbabilisticClassifier {
  private final List<DecisionTree> trees;
  private final int classes;

  TreeClassifier(PyObject model, List<DecisionTree> trees) {
    super(model);
    this.trees = trees;
    this.classes = labels.count();
    for (DecisionTree tree : trees) {
      if (tree.outputs() != 1) {
        throw new IllegalArgumentException("multi-output tree classifiers are not supported");
      }
    }
  }

  @Override
  protected Matrix scores(Matrix x) {
    double[] sums = new double[x.rows() * classes];
    for (DecisionTree tree : trees) {
      for (int r = 0; r < x.rows(); r++) {
        addProbabilities(tree, tree.leaf(x, r), sums, r * classes);
      }
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] /= trees.size();
    }
    return new Matrix(x.rows(), classes, sums);
  }

  private void addProbabilities(DecisionTree tree, int leaf, double[] sums, int offset) {
    double total = 0;
    for (int c = 0; c < classes; c++) {
      total += tree.value(leaf, c);
    }
    if (total == 0) {
      total = 1;
    }
    for (int c = 0; c < classes; c++) {
      sums[offset + c] += tree.value(leaf, c) / total;
    }
  }
}
