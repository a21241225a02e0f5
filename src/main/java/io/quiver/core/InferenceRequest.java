package io.quiver.core;

import io.quiver.core.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * One inference call, whatever protocol it came through.
 *
 * @param id the caller's request id, or null when it gave none (the service then assigns one)
 * @param modelName the model to run
 * @param modelVersion the version asked for, or null for the model's default version
 * @param inputs the input tensors
 * @param outputs the outputs asked for, in the order to return them; empty means all
 * @param parameters request parameters, carried through to the response unchanged
 */
public record InferenceRequest(
    String id,
    String modelName,
    String modelVersion,
    List<Tensor> inputs,
    List<RequestedOutput> outputs,
    Map<String, Object> parameters) {

  public InferenceRequest {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    parameters = parameters == null ? Map.of() : parameters;
  }

  /** A named output the caller wants back, with its per-output parameters (e.g. binary_data). */
  public record RequestedOutput(String name, Map<String, Object> parameters) {
    public RequestedOutput {
      parameters = parameters == null ? Map.of() : parameters;
    }
  }

  public InferenceRequest withId(String newId) {
    return new InferenceRequest(newId, modelName, modelVersion, inputs, outputs, parameters);
  }

  public InferenceRequest withInputs(List<Tensor> newInputs) {
    return new InferenceRequest(id, modelName, modelVersion, newInputs, outputs, parameters);
  }

  /** The input of that name, or null. */
  public Tensor input(String name) {
    for (Tensor input : inputs) {
      if (input.name().equals(name)) {
        return input;
      }
    }
    return null;
  }
}
