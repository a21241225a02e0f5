package io.quiver.runtime.lightgbm;

import java.util.ArrayList;
import java.util.List;

/**
 * A LightGBM model evaluated in Java: per row, each class sums its trees' outputs in order (divided
 * by the number of iterations for random forests), then the objective converts the sums, as
 * LightGBM's {@code GBDT::Predict} does in double precision.
 */
final class LightGbmBooster {
  private final List<LightGbmTree> trees = new ArrayList<>();
  private final int treesPerIteration;
  private final int features;
  private final boolean averageOutput;
  private final LightGbmObjective objective;

  LightGbmBooster(String text) {
    LightGbmText model = new LightGbmText(text);
    this.treesPerIteration = Integer.parseInt(model.header.getOrDefault("num_tree_per_iteration", "1"));
    this.features = Integer.parseInt(LightGbmText.required(model.header, "max_feature_idx")) + 1;
    this.averageOutput = model.header.containsKey("average_output");
    this.objective = LightGbmObjective.parse(model.header.get("objective"));
    for (var fields : model.trees) {
      LightGbmTree tree = new LightGbmTree(fields);
      if (tree.maxFeature() >= features) {
        throw new IllegalArgumentException("a LightGBM tree splits on feature " + tree.maxFeature() + " of " + features);
      }
      trees.add(tree);
    }
    if (trees.isEmpty() || trees.size() % treesPerIteration != 0) {
      throw new IllegalArgumentException(
          "the LightGBM model has %d trees, not a whole number of iterations of %d"
              .formatted(trees.size(), treesPerIteration));
    }
  }

  int features() {
    return features;
  }

  int outputsPerRow() {
    return treesPerIteration;
  }

  /** Predictions for row-major rows: {@link #outputsPerRow()} values per row. */
  double[] predict(double[] x, int rows) {
    int k = treesPerIteration;
    int iterations = trees.size() / k;
    double[] out = new double[rows * k];
    for (int r = 0; r < rows; r++) {
      int offset = r * features;
      for (int i = 0; i < iterations; i++) {
        for (int c = 0; c < k; c++) {
          out[r * k + c] += trees.get(i * k + c).predict(x, offset);
        }
      }
      if (averageOutput) {
        for (int c = 0; c < k; c++) {
          out[r * k + c] /= iterations;
        }
      }
      objective.convert(out, r * k, k);
    }
    return out;
  }
}
