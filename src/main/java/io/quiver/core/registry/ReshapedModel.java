package io.quiver.core.registry;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * A model seen through config.pbtxt's {@code reshape}: callers send and receive the shapes the
 * configuration declares ({@code dims}), the model takes and gives its own ({@code
 * reshape.shape}); the batch dimension, when there is one, is kept. Only the shape changes, never
 * the data.
 */
final class ReshapedModel implements LoadedModel {
  private final LoadedModel model;
  private final ModelMetadata metadata;
  /** Input name to the model's shape without the batch dimension. */
  private final Map<String, long[]> modelInputShapes;
  /** Output name to the declared shape without the batch dimension. */
  private final Map<String, long[]> declaredOutputShapes;
  private final boolean batched;

  ReshapedModel(
      LoadedModel model,
      ModelMetadata declared,
      Map<String, long[]> modelInputShapes,
      Map<String, long[]> declaredOutputShapes,
      boolean batched) {
    this.model = model;
    this.metadata = declared;
    this.modelInputShapes = Map.copyOf(modelInputShapes);
    this.declaredOutputShapes = Map.copyOf(declaredOutputShapes);
    this.batched = batched;
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<InferenceResult> infer(List<InferenceRequest> batch) {
    List<InferenceRequest> reshaped = new ArrayList<>(batch.size());
    for (InferenceRequest request : batch) {
      reshaped.add(request.withInputs(request.inputs().stream().map(input -> reshape(input, modelInputShapes)).toList()));
    }
    List<InferenceResult> results = model.infer(reshaped);
    List<InferenceResult> answers = new ArrayList<>(results.size());
    for (InferenceResult result : results) {
      answers.add(
          result instanceof InferenceResult.Outputs outputs
              ? new InferenceResult.Outputs(outputs.tensors().stream().map(output -> reshape(output, declaredOutputShapes)).toList())
              : result);
    }
    return answers;
  }

  private Tensor reshape(Tensor tensor, Map<String, long[]> shapes) {
    long[] shape = shapes.get(tensor.name());
    if (shape == null) {
      return tensor;
    }
    long[] full = batched ? LongStream.concat(LongStream.of(tensor.dim(0)), LongStream.of(shape)).toArray() : shape;
    return Tensor.of(tensor.name(), tensor.datatype(), full, tensor.data());
  }

  /** The metadata the configuration declares, with the model's own where it declares nothing. */
  static ModelMetadata declared(ModelMetadata model, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    return new ModelMetadata(model.platform(), replace(model.inputs(), inputs), replace(model.outputs(), outputs), model.outputsAreColumns());
  }

  private static List<TensorSpec> replace(List<TensorSpec> model, List<TensorSpec> declared) {
    return model.stream()
        .map(spec -> declared.stream().filter(d -> d.name().equals(spec.name())).findFirst()
            .map(d -> new TensorSpec(spec.name(), spec.datatype(), d.shape(), spec.accepts()))
            .orElse(spec))
        .toList();
  }

  @Override
  public boolean waitsForOtherModels() {
    return model.waitsForOtherModels();
  }

  @Override
  public void close() {
    model.close();
  }
}
