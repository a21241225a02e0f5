package io.quiver.core;

import io.quiver.core.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The answer to one {@link InferenceRequest}.
 *
 * @param modelName the model that answered
 * @param modelVersion the version that answered, or null for an unversioned model
 * @param id the request's id
 * @param parameters response parameters (the request's, carried through)
 * @param outputs the output tensors, in the order requested
 * @param outputsAreColumns whether the outputs are the columns of one table, one value per row
 *     (as the model's metadata says): KServe's v1 then answers an object per row
 */
public record InferenceResponse(
    String modelName,
    String modelVersion,
    String id,
    Map<String, Object> parameters,
    List<Tensor> outputs,
    boolean outputsAreColumns) {

  public InferenceResponse {
    outputs = List.copyOf(outputs);
    parameters = parameters == null ? Map.of() : parameters;
  }
}
