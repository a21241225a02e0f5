package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;

/** A fitted scikit-learn predictor (or a pipeline ending in one), rebuilt from its pickle. */
public interface Estimator {

  /** What scikit-learn's {@code predict} answers for the rows. */
  Tensor predict(Table rows, String name);

  /** The datatype and shape of {@link #predict}'s answer, the batch dimension as -1. */
  TensorSpec predictSpec(String name);

  /** Whether the estimator has {@code predict_proba}. */
  default boolean hasProbabilities() {
    return false;
  }

  /** What scikit-learn's {@code predict_proba} answers: a row of class probabilities per row. */
  default Tensor predictProba(Table rows, String name) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no predict_proba");
  }

  /** The datatype and shape of {@link #predictProba}'s answer. */
  default TensorSpec predictProbaSpec(String name) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no predict_proba");
  }
}
