package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;

/**
 * A fitted {@code sklearn.tree._tree.Tree}: its nodes as flat arrays. Samples go left when their
 * feature, rounded to float32 as scikit-learn rounds tree input, is at most the threshold; a NaN
 * goes where the node says (scikit-learn 1.3 and later) or right (before, where the comparison
 * with NaN is false).
 */
final class DecisionTree {
  private static final int LEAF = -1;

  private final int[] left;
  private final int[] right;
  private final int[] feature;
  private final double[] threshold;
  private final boolean[] missingGoesLeft;
  private final int[] depth;
  private final long[] samples;
  /** The node values, {@code [node][output][class]} flattened. */
  private final double[] values;
  private final int valuesPerNode;
  private final int outputs;

  DecisionTree(PyObject tree) {
    NdArray nodes = tree.array("nodes");
    this.left = ints(nodes.fieldLongs("left_child"));
    this.right = ints(nodes.fieldLongs("right_child"));
    this.feature = ints(nodes.fieldLongs("feature"));
    this.threshold = nodes.fieldDoubles("threshold");
    this.samples = nodes.fieldLongs("n_node_samples");
    this.missingGoesLeft = new boolean[left.length];
    if (nodes.hasField("missing_go_to_left")) {
      long[] flags = nodes.fieldLongs("missing_go_to_left");
      for (int i = 0; i < flags.length; i++) {
        missingGoesLeft[i] = flags[i] != 0;
      }
    }
    NdArray valueArray = tree.array("values");
    this.values = valueArray.toDoubles();
    this.outputs = valueArray.dim(1);
    this.valuesPerNode = valueArray.dim(1) * valueArray.dim(2);
    this.depth = depths(left, right);
  }

  private static int[] ints(long[] longs) {
    int[] ints = new int[longs.length];
    for (int i = 0; i < longs.length; i++) {
      ints[i] = Math.toIntExact(longs[i]);
    }
    return ints;
  }

  private static int[] depths(int[] left, int[] right) {
    int[] depth = new int[left.length];
    // Children always come after their parent in scikit-learn's node order.
    for (int node = 0; node < left.length; node++) {
      if (left[node] != LEAF) {
        depth[left[node]] = depth[node] + 1;
        depth[right[node]] = depth[node] + 1;
      }
    }
    return depth;
  }

  /** The leaf reached by row {@code row} of {@code x}. */
  int leaf(Matrix x, int row) {
    double[] v = x.values();
    int offset = row * x.columns();
    int node = 0;
    while (left[node] != LEAF) {
      float value = (float) v[offset + feature[node]];
      if (Float.isNaN(value)) {
        node = missingGoesLeft[node] ? left[node] : right[node];
      } else {
        node = value <= threshold[node] ? left[node] : right[node];
      }
    }
    return node;
  }

  /** The value of output 0, class {@code index} (or the regression value at index 0), at a node. */
  double value(int node, int index) {
    return values[node * valuesPerNode + index];
  }

  /** How many values a node holds per output (classes for a classifier, 1 for a regressor). */
  int valuesPerOutput() {
    return valuesPerNode / outputs;
  }

  int outputs() {
    return outputs;
  }

  /** Regression value of output {@code output} at a node. */
  double outputValue(int node, int output) {
    return values[node * valuesPerNode + output * valuesPerOutput()];
  }

  /** How many nodes the path from the root to a node holds, both ends included. */
  int pathLength(int node) {
    return depth[node] + 1;
  }

  /** How many training samples reached a node. */
  long samples(int node) {
    return samples[node];
  }
}
