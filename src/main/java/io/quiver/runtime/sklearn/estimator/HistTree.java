package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;

/**
 * One tree of a HistGradientBoosting model (a {@code TreePredictor}), predicting from raw float64
 * features: NaN goes the way training sent missing values, others left when at most the threshold.
 */
final class HistTree {
  private final double[] value;
  private final int[] feature;
  private final double[] threshold;
  private final boolean[] missingGoesLeft;
  private final int[] left;
  private final int[] right;
  private final boolean[] leaf;

  HistTree(PyObject predictor) {
    NdArray nodes = predictor.array("nodes");
    this.value = nodes.fieldDoubles("value");
    this.feature = toInts(nodes.fieldLongs("feature_idx"));
    this.threshold = nodes.fieldDoubles("num_threshold");
    this.missingGoesLeft = toFlags(nodes.fieldLongs("missing_go_to_left"));
    this.left = toInts(nodes.fieldLongs("left"));
    this.right = toInts(nodes.fieldLongs("right"));
    this.leaf = toFlags(nodes.fieldLongs("is_leaf"));
    if (nodes.hasField("is_categorical")) {
      for (long categorical : nodes.fieldLongs("is_categorical")) {
        if (categorical != 0) {
          throw new IllegalArgumentException("HistGradientBoosting with categorical features is not supported");
        }
      }
    }
  }

  private static int[] toInts(long[] longs) {
    int[] ints = new int[longs.length];
    for (int i = 0; i < longs.length; i++) {
      ints[i] = Math.toIntExact(longs[i]);
    }
    return ints;
  }

  private static boolean[] toFlags(long[] longs) {
    boolean[] flags = new boolean[longs.length];
    for (int i = 0; i < longs.length; i++) {
      flags[i] = longs[i] != 0;
    }
    return flags;
  }

  double predict(Matrix x, int row) {
    double[] v = x.values();
    int offset = row * x.columns();
    int node = 0;
    while (!leaf[node]) {
      double sample = v[offset + feature[node]];
      if (Double.isNaN(sample)) {
        node = missingGoesLeft[node] ? left[node] : right[node];
      } else {
        node = sample <= threshold[node] ? left[node] : right[node];
      }
    }
    return value[node];
  }
}
