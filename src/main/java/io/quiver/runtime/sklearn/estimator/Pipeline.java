package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import java.util.List;

/** Pipeline: the transformers in order, then the final estimator. */
final class Pipeline implements Estimator {
  private final List<Transformer> steps;
  private final Estimator last;

  Pipeline(List<Transformer> steps, Estimator last) {
    this.steps = List.copyOf(steps);
    this.last = last;
  }

  /** The rows through each transformer in turn. */
  static Table transform(List<Transformer> steps, Table rows) {
    Table current = rows;
    for (Transformer step : steps) {
      current = step.transform(current);
    }
    return current;
  }

  @Override
  public Tensor predict(Table rows, String name) {
    return last.predict(transform(steps, rows), name);
  }

  @Override
  public TensorSpec predictSpec(String name) {
    return last.predictSpec(name);
  }

  @Override
  public boolean hasProbabilities() {
    return last.hasProbabilities();
  }

  @Override
  public Tensor predictProba(Table rows, String name) {
    return last.predictProba(transform(steps, rows), name);
  }

  @Override
  public TensorSpec predictProbaSpec(String name) {
    return last.predictProbaSpec(name);
  }
}
