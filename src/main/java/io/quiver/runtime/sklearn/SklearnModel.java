package io.quiver.runtime.sklearn;

import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.RowBatchedModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.estimator.Estimator;
import io.quiver.runtime.sklearn.estimator.InputSchema;
import io.quiver.runtime.sklearn.estimator.Table;
import java.util.ArrayList;
import java.util.List;

/**
 * A fitted scikit-learn estimator answering as KServe's sklearnserver: {@code output-0} is what
 * {@code predict} returns (or {@code predict_proba}, when the model is set to answer
 * probabilities), and a request may also ask for the output {@code predict_proba} by name.
 */
final class SklearnModel implements RowBatchedModel {
  static final String OUTPUT = "output-0";
  static final String PROBABILITIES = "predict_proba";

  private final Estimator estimator;
  private final InputSchema schema;
  private final boolean answerProbabilities;
  private final ModelMetadata metadata;

  SklearnModel(Estimator estimator, InputSchema schema, boolean predictProba) {
    this.estimator = estimator;
    this.schema = schema;
    this.answerProbabilities = predictProba && estimator.hasProbabilities();
    List<TensorSpec> outputs = new ArrayList<>();
    outputs.add(answerProbabilities ? estimator.predictProbaSpec(OUTPUT) : estimator.predictSpec(OUTPUT));
    if (estimator.hasProbabilities()) {
      outputs.add(estimator.predictProbaSpec(PROBABILITIES));
    }
    this.metadata = new ModelMetadata("sklearn", schema.inputs(), outputs);
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) {
    Table rows = schema.table(request);
    if (request.outputs().isEmpty()) {
      return List.of(output(OUTPUT, rows));
    }
    List<Tensor> outputs = new ArrayList<>(request.outputs().size());
    for (RequestedOutput requested : request.outputs()) {
      outputs.add(output(requested.name(), rows));
    }
    return outputs;
  }

  private Tensor output(String name, Table rows) {
    boolean probabilities = name.equals(PROBABILITIES) || answerProbabilities;
    return probabilities ? estimator.predictProba(rows, name) : estimator.predict(rows, name);
  }

  @Override
  public void close() {
    // Plain Java objects: the garbage collector frees them.
  }
}
