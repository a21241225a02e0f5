package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.PyObject;

/** A classifier whose scores are its probabilities: predict answers the likeliest class. */
abstract class ProbabilisticClassifier extends Classifier {

  protected ProbabilisticClassifier(PyObject estimator) {
    super(estimator);
  }

  @Override
  public boolean hasProbabilities() {
    return true;
  }

  @Override
  protected Matrix probabilities(Matrix scores) {
    return scores;
  }
}
