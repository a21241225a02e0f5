package io.quiver.runtime.lightgbm;

import java.util.Map;

/**
 * One tree of a LightGBM text model, deciding as LightGBM's {@code Tree::GetLeaf} does: numerical
 * splits send missing values (NaN, or zero, as the node's missing type says) the default way;
 * categorical splits look the category up in a bitset.
 */
final class LightGbmTree {
  private static final int CATEGORICAL = 1;
  private static final int DEFAULT_LEFT = 2;
  private static final int MISSING_ZERO = 1;
  private static final int MISSING_NAN = 2;
  private static final double ZERO_THRESHOLD = 1e-35f;

  private final int[] feature;
  private final double[] threshold;
  private final int[] decisionType;
  private final int[] left;
  private final int[] right;
  private final double[] leafValue;
  private final int[] categoryBoundaries;
  private final long[] categoryBits;

  /** A tree from its {@code key=value} lines. */
  LightGbmTree(Map<String, String> fields) {
    if ("1".equals(fields.get("is_linear"))) {
      throw new IllegalArgumentException("LightGBM linear trees (linear_tree=true) are not supported");
    }
    this.leafValue = LightGbmText.doubles(fields, "leaf_value");
    if (leafValue.length > 1) {
      this.feature = LightGbmText.ints(fields, "split_feature");
      this.threshold = LightGbmText.doubles(fields, "threshold");
      this.decisionType = LightGbmText.ints(fields, "decision_type");
      this.left = LightGbmText.ints(fields, "left_child");
      this.right = LightGbmText.ints(fields, "right_child");
    } else {
      this.feature = this.decisionType = this.left = this.right = new int[0];
      this.threshold = new double[0];
    }
    boolean categorical = Integer.parseInt(fields.getOrDefault("num_cat", "0")) > 0;
    this.categoryBoundaries = categorical ? LightGbmText.ints(fields, "cat_boundaries") : new int[0];
    this.categoryBits = categorical ? LightGbmText.longs(fields, "cat_threshold") : new long[0];
  }

  /** The largest feature index the tree reads, or -1. */
  int maxFeature() {
    int max = -1;
    for (int f : feature) {
      max = Math.max(max, f);
    }
    return max;
  }

  double predict(double[] x, int offset) {
    if (leafValue.length == 1) {
      return leafValue[0];
    }
    int node = 0;
    while (node >= 0) {
      double value = x[offset + feature[node]];
      node = (decisionType[node] & CATEGORICAL) != 0 ? categorical(value, node) : numerical(value, node);
    }
    return leafValue[~node];
  }

  private int numerical(double value, int node) {
    int missingType = (decisionType[node] >> 2) & 3;
    if (Double.isNaN(value) && missingType != MISSING_NAN) {
      value = 0.0;
    }
    boolean missing =
        (missingType == MISSING_ZERO && value >= -ZERO_THRESHOLD && value <= ZERO_THRESHOLD)
            || (missingType == MISSING_NAN && Double.isNaN(value));
    if (missing) {
      return (decisionType[node] & DEFAULT_LEFT) != 0 ? left[node] : right[node];
    }
    return value <= threshold[node] ? left[node] : right[node];
  }

  private int categorical(double value, int node) {
    // LightGBM casts to int, which makes NaN negative on the machines it runs on: NaN goes right.
    if (Double.isNaN(value) || (int) value < 0) {
      return right[node];
    }
    int category = (int) value;
    int set = (int) threshold[node];
    int start = categoryBoundaries[set];
    int words = categoryBoundaries[set + 1] - start;
    int word = category / 32;
    boolean in = word < words && ((categoryBits[start + word] >>> (category % 32)) & 1) != 0;
    return in ? left[node] : right[node];
  }
}
