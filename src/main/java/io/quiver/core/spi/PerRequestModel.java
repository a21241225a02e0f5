package io.quiver.core.spi;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded model that answers the requests of a batch one at a time: an exception fails only its
 * own request, reported with the runtime's message.
 */
public interface PerRequestModel extends LoadedModel {

  /** Computes one request's outputs. */
  List<Tensor> predict(InferenceRequest request) throws Exception;

  @Override
  default List<InferenceResult> infer(List<InferenceRequest> batch) {
    return answerEach(this, batch);
  }

  /** Each request of the batch answered by its own {@link #predict} call. */
  static List<InferenceResult> answerEach(PerRequestModel model, List<InferenceRequest> batch) {
    List<InferenceResult> results = new ArrayList<>(batch.size());
    for (InferenceRequest request : batch) {
      try {
        results.add(new InferenceResult.Outputs(model.predict(request)));
      } catch (InferenceException e) {
        results.add(new InferenceResult.Failed(e));
      } catch (Exception | LinkageError e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        results.add(new InferenceResult.Failed(new InferenceException.ModelFailure(message, e)));
      }
    }
    return results;
  }
}
