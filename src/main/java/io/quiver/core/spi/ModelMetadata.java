package io.quiver.core.spi;

import java.util.List;

/**
 * What a loaded model takes and gives.
 *
 * @param platform the framework in the protocols' "project_format" naming, e.g. onnxruntime_onnx
 * @param inputs the inputs, all required
 * @param outputs the outputs the model can produce
 */
public record ModelMetadata(String platform, List<TensorSpec> inputs, List<TensorSpec> outputs) {

  public ModelMetadata {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  public TensorSpec input(String name) {
    return find(inputs, name);
  }

  public TensorSpec output(String name) {
    return find(outputs, name);
  }

  private static TensorSpec find(List<TensorSpec> specs, String name) {
    for (TensorSpec spec : specs) {
      if (spec.name().equals(name)) {
        return spec;
      }
    }
    return null;
  }
}
