package io.quiver.runtime.xgboost;

import java.util.Map;
import java.util.Optional;

/**
 * What XGBoost does to the sum of the trees, per objective, in its own float arithmetic: the base
 * score turned into a margin ({@code ProbToMargin}) and the margins turned into predictions
 * ({@code PredTransform}).
 */
enum XGBoostObjective {
  /** Regression and ranking objectives predict the margin itself. */
  IDENTITY {
    @Override
    float margin(float baseScore) {
      return baseScore;
    }

    @Override
    void transform(float[] predictions, int groups) {}
  },
  /** {@code common::Sigmoid}: overflow-guarded, its 1e-16 vanishing in float. */
  LOGISTIC {
    @Override
    float margin(float baseScore) {
      return -CMath.logf(1.0f / baseScore - 1.0f);
    }

    @Override
    void transform(float[] predictions, int groups) {
      for (int i = 0; i < predictions.length; i++) {
        predictions[i] = 1.0f / (CMath.expf(Math.min(-predictions[i], 88.7f)) + 1.0f);
      }
    }
  },
  /** Log-link objectives (Poisson, gamma, Tweedie). */
  EXPONENTIAL {
    @Override
    float margin(float baseScore) {
      return CMath.logf(baseScore);
    }

    @Override
    void transform(float[] predictions, int groups) {
      for (int i = 0; i < predictions.length; i++) {
        predictions[i] = CMath.expf(predictions[i]);
      }
    }
  },
  /** {@code common::Softmax} over each row's classes: float exponentials, a double sum. */
  SOFTMAX {
    @Override
    float margin(float baseScore) {
      return baseScore;
    }

    @Override
    void transform(float[] predictions, int groups) {
      for (int row = 0; row < predictions.length; row += groups) {
        float max = predictions[row];
        for (int i = row + 1; i < row + groups; i++) {
          max = fmaxf(predictions[i], max);
        }
        double sum = 0;
        for (int i = row; i < row + groups; i++) {
          predictions[i] = CMath.expf(predictions[i] - max);
          sum += predictions[i];
        }
        for (int i = row; i < row + groups; i++) {
          predictions[i] /= (float) sum;
        }
      }
    }

    /** C's fmaxf: a NaN argument yields the other. */
    private static float fmaxf(float a, float b) {
      return Float.isNaN(a) ? b : Float.isNaN(b) ? a : Math.max(a, b);
    }
  };

  private static final Map<String, XGBoostObjective> BY_NAME =
      Map.ofEntries(
          Map.entry("reg:squarederror", IDENTITY),
          Map.entry("reg:linear", IDENTITY),
          Map.entry("reg:squaredlogerror", IDENTITY),
          Map.entry("reg:pseudohubererror", IDENTITY),
          Map.entry("reg:absoluteerror", IDENTITY),
          Map.entry("binary:logitraw", IDENTITY),
          Map.entry("rank:pairwise", IDENTITY),
          Map.entry("rank:ndcg", IDENTITY),
          Map.entry("rank:map", IDENTITY),
          Map.entry("reg:logistic", LOGISTIC),
          Map.entry("binary:logistic", LOGISTIC),
          Map.entry("count:poisson", EXPONENTIAL),
          Map.entry("reg:gamma", EXPONENTIAL),
          Map.entry("reg:tweedie", EXPONENTIAL),
          Map.entry("multi:softprob", SOFTMAX));

  /** The objective of that name, if Quiver's evaluator knows it. */
  static Optional<XGBoostObjective> named(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The starting margin of every prediction, from the model's base score. */
  abstract float margin(float baseScore);

  /** Turns rows of {@code groups} margins into predictions, in place. */
  abstract void transform(float[] predictions, int groups);
}
