package io.quiver.runtime.lightgbm;

import java.util.HashMap;
import java.util.Map;

/**
 * How a LightGBM objective turns the summed tree outputs into predictions (its
 * {@code ConvertOutput}), read from the model's {@code objective=} line, e.g. {@code binary
 * sigmoid:1} or {@code multiclass num_class:3}.
 */
final class LightGbmObjective {
  private enum Link {
    IDENTITY,
    SIGNED_SQUARE,
    EXP,
    SIGMOID,
    SOFTMAX,
    SIGMOID_PER_CLASS,
    SOFTPLUS
  }

  private final Link link;
  private final double sigmoid;

  private LightGbmObjective(Link link, double sigmoid) {
    this.link = link;
    this.sigmoid = sigmoid;
  }

  static LightGbmObjective parse(String line) {
    String[] parts = line == null ? new String[] {"none"} : line.trim().split(" ");
    Map<String, String> parameters = new HashMap<>();
    boolean sqrt = false;
    for (int i = 1; i < parts.length; i++) {
      int colon = parts[i].indexOf(':');
      if (colon > 0) {
        parameters.put(parts[i].substring(0, colon), parts[i].substring(colon + 1));
      } else {
        sqrt |= parts[i].equals("sqrt");
      }
    }
    double sigmoid = Double.parseDouble(parameters.getOrDefault("sigmoid", "1"));
    Link link =
        switch (parts[0]) {
          case "regression", "regression_l1", "huber", "fair", "quantile", "mape" ->
              sqrt ? Link.SIGNED_SQUARE : Link.IDENTITY;
          case "poisson", "gamma", "tweedie" -> Link.EXP;
          case "binary" -> Link.SIGMOID;
          case "cross_entropy" -> Link.SIGMOID;
          case "cross_entropy_lambda" -> Link.SOFTPLUS;
          case "multiclass" -> Link.SOFTMAX;
          case "multiclassova" -> Link.SIGMOID_PER_CLASS;
          case "lambdarank", "rank_xendcg", "none", "custom" -> Link.IDENTITY;
          default -> throw new IllegalArgumentException("the LightGBM objective '" + parts[0] + "' is not supported");
        };
    // cross_entropy has no sigmoid parameter: its scale is always 1.
    return new LightGbmObjective(link, parts[0].equals("cross_entropy") ? 1 : sigmoid);
  }

  /** Converts the raw scores of one row, {@code classes} values from {@code offset}, in place. */
  void convert(double[] scores, int offset, int classes) {
    switch (link) {
      case IDENTITY -> {}
      case SIGNED_SQUARE -> scores[offset] = Math.signum(scores[offset]) * scores[offset] * scores[offset];
      case EXP -> scores[offset] = Math.exp(scores[offset]);
      case SOFTPLUS -> scores[offset] = Math.log(1.0 + Math.exp(scores[offset]));
      case SIGMOID, SIGMOID_PER_CLASS -> {
        for (int k = 0; k < classes; k++) {
          scores[offset + k] = 1.0 / (1.0 + Math.exp(-sigmoid * scores[offset + k]));
        }
      }
      case SOFTMAX -> softmax(scores, offset, classes);
    }
  }

  private static void softmax(double[] scores, int offset, int classes) {
    double max = scores[offset];
    for (int k = 1; k < classes; k++) {
      max = Math.max(max, scores[offset + k]);
    }
    double sum = 0;
    for (int k = 0; k < classes; k++) {
      scores[offset + k] = Math.exp(scores[offset + k] - max);
      sum += scores[offset + k];
    }
    for (int k = 0; k < classes; k++) {
      scores[offset + k] /= sum;
    }
  }
}
