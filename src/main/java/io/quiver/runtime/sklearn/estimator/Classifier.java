package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.PyObject;

/**
 * A classifier: predict answers the label of each row's highest score, predict_proba (where the
 * estimator has it) the probabilities computed from the same scores.
 */
abstract class Classifier implements Estimator {
  protected final ClassLabels labels;

  protected Classifier(PyObject estimator) {
    this.labels = new ClassLabels(estimator.array("classes_"));
  }

  /** One score per class and row; predict picks the first highest, as numpy's argmax. */
  protected abstract Matrix scores(Matrix x);

  /** predict_proba from the scores; only called when {@link #hasProbabilities()}. */
  protected Matrix probabilities(Matrix scores) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no predict_proba");
  }

  @Override
  public Tensor predict(Table rows, String name) {
    return labels.take(RowMath.argmax(scores(rows.numeric())), name);
  }

  @Override
  public TensorSpec predictSpec(String name) {
    return TensorSpec.of(name, labels.datatype(), -1);
  }

  @Override
  public Tensor predictProba(Table rows, String name) {
    return Tensors.of(name, probabilities(scores(rows.numeric())));
  }

  @Override
  public TensorSpec predictProbaSpec(String name) {
    return TensorSpec.of(name, DataType.FP64, -1, labels.count());
  }
}
