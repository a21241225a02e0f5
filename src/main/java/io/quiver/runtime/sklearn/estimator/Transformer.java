package io.quiver.runtime.sklearn.estimator;

/** A fitted scikit-learn transformer: a pipeline step before the predictor. */
public interface Transformer {

  /** What scikit-learn's {@code transform} answers for the rows. */
  Table transform(Table rows);
}
