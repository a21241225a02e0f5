package io.quiver.core.spi;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** What a runtime answers for one request of a batch: its outputs, or why it failed. */
public sealed interface InferenceResult {

  record Outputs(List<Tensor> tensors) implements InferenceResult {
    public Outputs {
      tensors = List.copyOf(tensors);
    }
  }

  record Failed(InferenceException error) implements InferenceResult {}

  /** Computes one request's outputs; for runtimes that answer requests one at a time. */
  @FunctionalInterface
  interface Predictor {
    List<Tensor> predict(InferenceRequest request) throws Exception;
  }

  /**
   * Answers each request of the batch separately with {@code predictor}: an exception fails only its
   * own request, reported with the runtime's message.
   */
  static List<InferenceResult> eachOf(List<InferenceRequest> batch, Predictor predictor) {
    List<InferenceResult> results = new ArrayList<>(batch.size());
    for (InferenceRequest request : batch) {
      results.add(predictOne(request, predictor));
    }
    return results;
  }

  private static InferenceResult predictOne(InferenceRequest request, Predictor predictor) {
    try {
      return new Outputs(predictor.predict(request));
    } catch (InferenceException e) {
      return new Failed(e);
    } catch (Exception | LinkageError e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return new Failed(new InferenceException.ModelFailure(message, e));
    }
  }
}
