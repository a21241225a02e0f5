package io.quiver.core;

import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.tensor.Tensor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The one path every inference takes, whichever protocol it came through: find the model version,
 * validate the request against it, run it, and shape the response.
 *
 * <p>{@link #infer} blocks while the model runs: front ends call it from virtual threads, never from
 * an event loop.
 */
@ApplicationScoped
public class InferenceService {
  private final ModelRegistry registry;

  InferenceService(ModelRegistry registry) {
    this.registry = registry;
  }

  /**
   * Runs one request.
   *
   * @throws InferenceException describing why it could not be answered
   */
  public InferenceResponse infer(InferenceRequest request) {
    ModelVersion version = registry.resolve(request.modelName(), request.modelVersion());
    if (!version.isReady()) {
      throw version.notReady();
    }
    InferenceRequest valid =
        RequestValidator.validate(request, version.metadata(), version.describe());
    if (valid.id() == null) {
      valid = valid.withId(RequestIds.next());
    }
    InferenceResult result = version.infer(List.of(valid)).getFirst();
    return switch (result) {
      case InferenceResult.Failed failed -> throw failed.error();
      case InferenceResult.Outputs outputs ->
          new InferenceResponse(
              version.modelName(),
              version.version(),
              valid.id(),
              valid.parameters(),
              selectOutputs(outputs.tensors(), valid.outputs(), version));
    };
  }

  /** The outputs the request asked for, in its order; all of them when it asked for none. */
  private static List<Tensor> selectOutputs(
      List<Tensor> produced, List<RequestedOutput> requested, ModelVersion version) {
    if (requested.isEmpty()) {
      return produced;
    }
    List<Tensor> selected = new ArrayList<>(requested.size());
    for (RequestedOutput output : requested) {
      selected.add(find(produced, output.name(), version));
    }
    return selected;
  }

  private static Tensor find(List<Tensor> produced, String name, ModelVersion version) {
    for (Tensor tensor : produced) {
      if (tensor.name().equals(name)) {
        return tensor;
      }
    }
    throw new InferenceException.ModelFailure(
        "Model %s did not produce output '%s'".formatted(version.describe(), name), null);
  }
}
