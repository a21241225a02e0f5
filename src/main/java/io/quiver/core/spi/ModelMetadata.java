package io.quiver.core.spi;

import java.util.List;

/**
 * What a loaded model takes and gives.
 *
 * @param platform the framework in the protocols' "project_format" naming, e.g. onnxruntime_onnx
 * @param inputs the inputs, all required
 * @param outputs the outputs the model can produce
 * @param outputsAreColumns whether the outputs are the columns of one table, one value per row
 *     (PMML output fields, MLflow data frames): KServe's v1 then answers an object per row keyed by
 *     column, even for a single column
 */
public record ModelMetadata(
    String platform, List<TensorSpec> inputs, List<TensorSpec> outputs, boolean outputsAreColumns) {

  public ModelMetadata {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** Metadata of a model whose outputs are tensors in their own right. */
  public ModelMetadata(String platform, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    this(platform, inputs, outputs, false);
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
