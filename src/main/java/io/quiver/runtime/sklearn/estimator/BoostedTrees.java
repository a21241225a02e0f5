package io.quiver.runtime.sklearn.estimator;

import java.util.List;

/**
 * The raw scores of a boosted ensemble: each output starts from its own value and adds, stage
 * after stage, that stage's tree for the output (one output, or one per class).
 */
final class BoostedTrees {
  /** One tree's contribution to one row's score. */
  @FunctionalInterface
  interface Tree {
    double score(Matrix x, int row);
  }

  private final double[] start;
  private final List<List<Tree>> stages;

  BoostedTrees(double[] start, List<List<Tree>> stages) {
    this.start = start;
    this.stages = stages;
  }

  Matrix raw(Matrix x) {
    int k = start.length;
    double[] raw = new double[x.rows() * k];
    for (int r = 0; r < x.rows(); r++) {
      System.arraycopy(start, 0, raw, r * k, k);
    }
    for (List<Tree> stage : stages) {
      for (int t = 0; t < k; t++) {
        Tree tree = stage.get(t);
        for (int r = 0; r < x.rows(); r++) {
          raw[r * k + t] += tree.score(x, r);
        }
      }
    }
    return new Matrix(x.rows(), k, raw);
  }
}
