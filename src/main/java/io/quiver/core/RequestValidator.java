package io.quiver.core;

import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.spi.TensorSpec.Accepts;
import io.quiver.core.tensor.Shapes;
import io.quiver.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a request against the model's metadata once, before any runtime sees it: input names,
 * datatypes and shapes, and the outputs asked for. Converts numeric inputs where the model accepts
 * any numeric type. Every message names the tensor and says what was expected and what came.
 */
final class RequestValidator {
  private RequestValidator() {}

  static InferenceRequest validate(InferenceRequest request, ModelMetadata metadata, String model) {
    List<Tensor> inputs = new ArrayList<>(request.inputs().size());
    Set<String> seen = new HashSet<>();
    for (Tensor input : request.inputs()) {
      TensorSpec spec = metadata.input(input.name());
      if (spec == null) {
        throw new InvalidInput(
            "Model %s has no input named '%s' (inputs: %s)."
                .formatted(model, input.name(), names(metadata.inputs())));
      }
      if (!seen.add(input.name())) {
        throw new InvalidInput("Input '%s' appears more than once.".formatted(input.name()));
      }
      inputs.add(checkInput(input, spec, model));
    }
    for (TensorSpec spec : metadata.inputs()) {
      if (!seen.contains(spec.name())) {
        throw new InvalidInput(
            "Model %s needs input '%s', which the request lacks (inputs: %s)."
                .formatted(model, spec.name(), names(metadata.inputs())));
      }
    }
    for (RequestedOutput output : request.outputs()) {
      if (metadata.output(output.name()) == null) {
        throw new InvalidInput(
            "Model %s has no output named '%s' (outputs: %s)."
                .formatted(model, output.name(), names(metadata.outputs())));
      }
    }
    return request.withInputs(inputs);
  }

  /**
   * Refuses a request whose inputs have more rows than a Triton configuration's {@code
   * max_batch_size} allows, as Triton does.
   */
  static void requireRowsAtMost(InferenceRequest request, int maxRows, String model) {
    for (Tensor input : request.inputs()) {
      if (input.rank() > 0 && input.dim(0) > maxRows) {
        throw new InvalidInput(
            "Model %s takes at most %d rows per request (max_batch_size in its config.pbtxt); input '%s' has %d."
                .formatted(model, maxRows, input.name(), input.dim(0)));
      }
    }
  }

  private static Tensor checkInput(Tensor input, TensorSpec spec, String model) {
    if (!Shapes.fits(input.shape(), spec.shape())) {
      throw new InvalidInput(
          "Input '%s' of model %s must have shape %s, got %s."
              .formatted(
                  input.name(), model, Shapes.format(spec.shape()), Shapes.format(input.shape())));
    }
    if (input.datatype() == spec.datatype() || spec.accepts() == Accepts.ANY) {
      return input;
    }
    if (spec.accepts() != Accepts.ANY_NUMERIC || !input.datatype().isNumeric()) {
      throw new InvalidInput(
          "Input '%s' of model %s must be %s%s, got %s."
              .formatted(
                  input.name(),
                  model,
                  spec.datatype(),
                  spec.accepts() == Accepts.ANY_NUMERIC ? " (or another numeric type)" : "",
                  input.datatype()));
    }
    try {
      return input.convertedTo(spec.datatype());
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(
          "Input '%s' of model %s: %s".formatted(input.name(), model, e.getMessage()));
    }
  }

  private static String names(List<TensorSpec> specs) {
    return String.join(", ", specs.stream().map(TensorSpec::name).toList());
  }
}
