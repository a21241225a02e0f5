package io.quiver.runtime.ensemble;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceService;
import io.quiver.core.InferenceService.Answer;
import io.quiver.core.InferenceService.Call;
import io.quiver.core.Protocol;
import io.quiver.core.Trace;
import io.quiver.core.registry.TritonConfig;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.registry.triton.ModelEnsembling;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.PerRequestModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Triton ensemble: each request runs the steps in order, every step a request to its model
 * through the inference service (so that model's own threads, batching and metrics apply). A step
 * takes tensors by the ensemble's names ({@code input_map}: the model's input name to the
 * ensemble tensor) and adds its outputs under the ensemble's names ({@code output_map}); the
 * ensemble answers its declared outputs. A failing step fails the request, naming the step.
 */
final class EnsembleModel implements PerRequestModel {
  private final List<ModelEnsembling.Step> steps;
  private final InferenceService inference;
  private final ModelMetadata metadata;

  EnsembleModel(ModelConfig config, InferenceService inference) {
    this.steps = config.getEnsembleScheduling().getStepList();
    this.inference = inference;
    this.metadata = new ModelMetadata("ensemble", TritonConfig.declaredInputs(config), TritonConfig.declaredOutputs(config));
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  /** Each step waits for its model: never run on an event loop. */
  @Override
  public boolean waitsForOtherModels() {
    return true;
  }

  /** The ensemble holds nothing of its own: its steps' models are served, and freed, on their own. */
  @Override
  public void close() {}

  @Override
  public List<Tensor> predict(InferenceRequest request) {
    Map<String, Tensor> tensors = new HashMap<>();
    request.inputs().forEach(input -> tensors.put(input.name(), input));
    for (int i = 0; i < steps.size(); i++) {
      run(i, tensors);
    }
    List<Tensor> outputs = new ArrayList<>();
    for (TensorSpec output : metadata.outputs()) {
      Tensor tensor = tensors.get(output.name());
      if (tensor == null) {
        throw new InferenceException.ModelFailure(
            "The ensemble's output %s is made by none of its steps.".formatted(output.name()), null);
      }
      outputs.add(tensor);
    }
    return outputs;
  }

  private void run(int index, Map<String, Tensor> tensors) {
    ModelEnsembling.Step step = steps.get(index);
    List<Tensor> inputs = new ArrayList<>();
    for (Map.Entry<String, String> mapped : step.getInputMapMap().entrySet()) {
      Tensor tensor = tensors.get(mapped.getValue());
      if (tensor == null) {
        throw failure(index, step, new InferenceException.ModelFailure("tensor %s is made by no earlier step".formatted(mapped.getValue()), null));
      }
      inputs.add(renamed(tensor, mapped.getKey()));
    }
    String version = step.getModelVersion() < 0 ? null : Long.toString(step.getModelVersion());
    InferenceRequest stepRequest = new InferenceRequest(null, step.getModelName(), version, inputs, List.of(), Map.of());
    Answer answer =
        inference
            .inferAll(List.of(new Call(Trace.untraced(Protocol.ENSEMBLE), step.getModelName(), version, metadata -> stepRequest)))
            .getFirst();
    if (answer.failure() != null) {
      throw failure(index, step, answer.failure());
    }
    for (Tensor output : answer.response().outputs()) {
      String name = step.getOutputMapMap().get(output.name());
      if (name != null) {
        tensors.put(name, renamed(output, name));
      }
    }
  }

  private static Tensor renamed(Tensor tensor, String name) {
    return Tensor.of(name, tensor.datatype(), tensor.shape(), tensor.data());
  }

  /** The step's failure, of the same kind (a caller's mistake stays one), naming the step. */
  private static InferenceException failure(int index, ModelEnsembling.Step step, Throwable cause) {
    String message = "Ensemble step %d (model %s): %s".formatted(index + 1, step.getModelName(), cause.getMessage());
    return switch (cause) {
      case InferenceException.InvalidInput e -> new InferenceException.InvalidInput(message);
      case InferenceException.Unavailable e -> new InferenceException.Unavailable(message);
      default -> new InferenceException.ModelFailure(message, cause);
    };
  }
}
