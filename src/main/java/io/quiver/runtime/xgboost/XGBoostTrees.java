package io.quiver.runtime.xgboost;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

/**
 * A gradient-boosted tree ensemble evaluated in Java as XGBoost's CPU predictor evaluates it, read
 * from the model's JSON form: each row's margins start at the base margin, every tree adds the
 * value of the leaf the row reaches to its output group, in tree order, in float; then the
 * objective's transform. A split sends a row left when its value is below the split condition,
 * and the node's default way when the value is missing (NaN).
 *
 * <p>What it does not evaluate (dart and linear boosters, categorical splits, vector leaves, other
 * objectives) it refuses at construction, naming why.
 */
final class XGBoostTrees {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final int features;
  private final int groups;
  private final float baseMargin;
  private final XGBoostObjective objective;
  private final Tree[] trees;
  private final int[] treeGroup;

  /** One tree's nodes as parallel arrays; a leaf's value is its split condition slot, as in XGBoost. */
  private record Tree(int[] left, int[] right, int[] feature, float[] condition, boolean[] defaultLeft) {
    float leaf(float[] x, int offset) {
      int node = 0;
      while (left[node] >= 0) {
        float value = x[offset + feature[node]];
        node = Float.isNaN(value)
            ? (defaultLeft[node] ? left[node] : right[node])
            : (value < condition[node] ? left[node] : right[node]);
      }
      return condition[node];
    }
  }

  private XGBoostTrees(int features, int groups, float baseMargin, XGBoostObjective objective, Tree[] trees, int[] treeGroup) {
    this.features = features;
    this.groups = groups;
    this.baseMargin = baseMargin;
    this.objective = objective;
    this.trees = trees;
    this.treeGroup = treeGroup;
  }

  /**
   * The ensemble of a model saved as XGBoost JSON ({@code Booster.save_raw("json")}).
   *
   * @throws IllegalArgumentException saying what this evaluator does not support
   */
  static XGBoostTrees read(byte[] modelJson) throws IOException {
    JsonNode learner = JSON.readTree(modelJson).path("learner");
    String objectiveName = learner.path("objective").path("name").asText();
    XGBoostObjective objective =
        XGBoostObjective.named(objectiveName)
            .orElseThrow(() -> new IllegalArgumentException("objective " + objectiveName));
    JsonNode booster = learner.path("gradient_booster");
    if (!booster.path("name").asText().equals("gbtree")) {
      throw new IllegalArgumentException("booster " + booster.path("name").asText());
    }
    JsonNode parameters = learner.path("learner_model_param");
    String baseScore = parameters.path("base_score").asText().replace("[", "").replace("]", "");
    if (baseScore.contains(",")) {
      throw new IllegalArgumentException("a base score per target");
    }
    int features = parameters.path("num_feature").asInt();
    int groups = Math.max(1, Math.max(parameters.path("num_class").asInt(), parameters.path("num_target").asInt()));
    JsonNode model = booster.path("model");
    JsonNode treesJson = model.path("trees");
    Tree[] trees = new Tree[treesJson.size()];
    int[] treeGroup = new int[trees.length];
    for (int t = 0; t < trees.length; t++) {
      trees[t] = tree(treesJson.get(t), features);
      treeGroup[t] = model.path("tree_info").path(t).asInt(-1);
      if (treeGroup[t] < 0 || treeGroup[t] >= groups) {
        throw new IllegalArgumentException("tree " + t + " of output group " + treeGroup[t]);
      }
    }
    return new XGBoostTrees(features, groups, objective.margin(Float.parseFloat(baseScore)), objective, trees, treeGroup);
  }

  private static Tree tree(JsonNode tree, int features) {
    if (tree.path("tree_param").path("size_leaf_vector").asInt() > 1) {
      throw new IllegalArgumentException("vector leaves (multi_strategy=multi_output_tree)");
    }
    for (JsonNode type : tree.path("split_type")) {
      if (type.asInt() != 0) {
        throw new IllegalArgumentException("categorical splits");
      }
    }
    int[] left = ints(tree.path("left_children"));
    int[] right = ints(tree.path("right_children"));
    int[] feature = ints(tree.path("split_indices"));
    JsonNode conditions = tree.path("split_conditions");
    JsonNode defaults = tree.path("default_left");
    int nodes = left.length;
    if (nodes == 0 || right.length != nodes || feature.length != nodes || conditions.size() != nodes || defaults.size() != nodes) {
      throw new IllegalArgumentException("a tree whose node arrays disagree in length");
    }
    float[] condition = new float[nodes];
    boolean[] defaultLeft = new boolean[nodes];
    for (int n = 0; n < nodes; n++) {
      // The text XGBoost wrote for the float, parsed straight to float: no rounding through double.
      condition[n] = Float.parseFloat(conditions.get(n).asText());
      defaultLeft[n] = defaults.get(n).isBoolean() ? defaults.get(n).asBoolean() : defaults.get(n).asInt() != 0;
    }
    requireTree(left, right, feature, features);
    return new Tree(left, right, feature, condition, defaultLeft);
  }

  /** Every path from the root ends in a leaf, and every split reads a feature the model has. */
  private static void requireTree(int[] left, int[] right, int[] feature, int features) {
    boolean[] reached = new boolean[left.length];
    int[] pending = new int[left.length];
    int size = 0;
    pending[size++] = 0;
    while (size > 0) {
      int node = pending[--size];
      if (reached[node]) {
        throw new IllegalArgumentException("a malformed tree: node " + node + " is reached twice");
      }
      reached[node] = true;
      if (left[node] < 0) {
        continue;
      }
      for (int child : new int[] {left[node], right[node]}) {
        if (child < 0 || child >= left.length || size == pending.length) {
          throw new IllegalArgumentException("a malformed tree: node " + node + " has child " + child);
        }
        pending[size++] = child;
      }
      if (feature[node] < 0 || feature[node] >= features) {
        throw new IllegalArgumentException("a split on feature " + feature[node] + " of " + features);
      }
    }
  }

  private static int[] ints(JsonNode array) {
    int[] values = new int[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = array.get(i).asInt();
    }
    return values;
  }

  int features() {
    return features;
  }

  int treeCount() {
    return trees.length;
  }

  int outputsPerRow() {
    return groups;
  }

  /**
   * Rows that take every kind of branch: each value a split condition of its feature, the float
   * just below or above one, missing, or infinite.
   */
  float[] probeRows(int rows, long seed) {
    int[] counts = new int[features];
    for (Tree tree : trees) {
      for (int n = 0; n < tree.left().length; n++) {
        if (tree.left()[n] >= 0) {
          counts[tree.feature()[n]]++;
        }
      }
    }
    float[][] conditions = new float[features][];
    for (int f = 0; f < features; f++) {
      conditions[f] = new float[counts[f]];
      counts[f] = 0;
    }
    for (Tree tree : trees) {
      for (int n = 0; n < tree.left().length; n++) {
        if (tree.left()[n] >= 0) {
          int f = tree.feature()[n];
          conditions[f][counts[f]++] = tree.condition()[n];
        }
      }
    }
    Random random = new Random(seed);
    float[] x = new float[rows * features];
    for (int i = 0; i < x.length; i++) {
      float[] known = conditions[i % features];
      float condition = known.length == 0 ? (float) random.nextGaussian() : known[random.nextInt(known.length)];
      x[i] = switch (random.nextInt(8)) {
        case 0 -> Float.NaN;
        case 1 -> random.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        case 2, 3 -> Math.nextDown(condition);
        case 4, 5 -> Math.nextUp(condition);
        default -> condition;
      };
    }
    return x;
  }

  /** Predictions for {@code rows} rows of {@code x} (row-major), {@link #outputsPerRow()} per row. */
  float[] predict(float[] x, int rows) {
    float[] margins = new float[rows * groups];
    Arrays.fill(margins, baseMargin);
    for (int row = 0; row < rows; row++) {
      int offset = row * features;
      int out = row * groups;
      for (int t = 0; t < trees.length; t++) {
        margins[out + treeGroup[t]] += trees[t].leaf(x, offset);
      }
    }
    objective.transform(margins, groups);
    return margins;
  }
}
