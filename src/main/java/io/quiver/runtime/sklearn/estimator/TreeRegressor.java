package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import java.util.List;

/**
 * DecisionTreeRegressor, ExtraTreeRegressor and the forests of them (RandomForestRegressor,
 * ExtraTreesRegressor): the leaf values summed over the trees in order, divided by their number.
 */
final class TreeRegressor implements Estimator {
  private final List<DecisionTree> trees;
  private final int outputs;

  TreeRegressor(List<DecisionTree> trees) {
    this.trees = trees;
    this.outputs = trees.getFirst().outputs();
  }

  @Override
  public Tensor predict(Table rows, String name) {
    Matrix x = rows.numeric();
    double[] sums = new double[x.rows() * outputs];
    for (DecisionTree tree : trees) {
      for (int r = 0; r < x.rows(); r++) {
        int leaf = tree.leaf(x, r);
        for (int o = 0; o < outputs; o++) {
          sums[r * outputs + o] += tree.outputValue(leaf, o);
        }
      }
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] /= trees.size();
    }
    return Tensors.regression(name, new Matrix(x.rows(), outputs, sums));
  }

  @Override
  public TensorSpec predictSpec(String name) {
    return Tensors.regressionSpec(name, outputs);
  }
}
