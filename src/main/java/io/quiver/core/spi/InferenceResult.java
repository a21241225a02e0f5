package io.quiver.core.spi;

import io.quiver.core.InferenceException;
import io.quiver.core.tensor.Tensor;
import java.util.List;

/** What a runtime answers for one request of a batch: its outputs, or why it failed. */
public sealed interface InferenceResult {

  record Outputs(List<Tensor> tensors) implements InferenceResult {
    public Outputs {
      tensors = List.copyOf(tensors);
    }
  }

  record Failed(InferenceException error) implements InferenceResult {}
}
