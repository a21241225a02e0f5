package io.quiver.core.spi;

import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import java.util.List;
import java.util.Map;

/**
 * What a loaded model takes and gives.
 *
 * @param platform the framework in the protocols' "project_format" naming, e.g. onnxruntime_onnx
 * @param inputs the inputs, all required
 * @param outputs the outputs the model can produce
 * @param outputsAreColumns whether the outputs are the columns of one table, one value per row
 *     (PMML output fields, MLflow data frames): KServe's v1 then answers an object per row keyed by
 *     column, even for a single column
 * @param signatures every named signature of a model that has several ways to be called
 *     (TensorFlow SavedModels), the default one included; empty for the others. A request picks one
 *     with its {@value #SIGNATURE_PARAMETER} parameter; {@code inputs} and {@code outputs} are the
 *     default's.
 */
public record ModelMetadata(
    String platform,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs,
    boolean outputsAreColumns,
    Map<String, Signature> signatures) {

  /** The request parameter that names the signature to run (TensorFlow Serving's name). */
  public static final String SIGNATURE_PARAMETER = "signature_name";

  /** The signature a request gets when it names none, as in TensorFlow Serving. */
  public static final String DEFAULT_SIGNATURE = "serving_default";

  /**
   * One way to call a model.
   *
   * @param method what the signature does, in TensorFlow's naming (e.g. {@code tensorflow/serving/predict})
   */
  public record Signature(String method, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    public Signature {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  public ModelMetadata {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    signatures = Map.copyOf(signatures);
  }

  /** Metadata of a model called one way only. */
  public ModelMetadata(String platform, List<TensorSpec> inputs, List<TensorSpec> outputs, boolean outputsAreColumns) {
    this(platform, inputs, outputs, outputsAreColumns, Map.of());
  }

  /** Metadata of a model called one way only, whose outputs are tensors in their own right. */
  public ModelMetadata(String platform, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    this(platform, inputs, outputs, false);
  }

  /** Whether every input has a variable first dimension, which requests can be stacked along. */
  public boolean inputsHaveBatchDimension() {
    return inputs.stream().allMatch(input -> input.shape().length > 0 && input.shape()[0] == -1);
  }

  public TensorSpec input(String name) {
    return find(inputs, name);
  }

  public TensorSpec output(String name) {
    return find(outputs, name);
  }

  /** The signature a request names, or null when it names none. */
  public static String signatureName(InferenceRequest request) {
    return request.parameters().get(SIGNATURE_PARAMETER) instanceof String name && !name.isEmpty() ? name : null;
  }

  /**
   * The inputs and outputs of the named signature (null: the default one).
   *
   * @throws InvalidInput when the model has no signature of that name
   */
  public ModelMetadata forSignature(String name) {
    if (name == null || (signatures.isEmpty() && name.equals(DEFAULT_SIGNATURE))) {
      return this;
    }
    Signature signature = signatures.get(name);
    if (signature == null) {
      throw new InvalidInput(
          signatures.isEmpty()
              ? "The model has no signature '%s': it has only the default one.".formatted(name)
              : "The model has no signature '%s' (signatures: %s)."
                  .formatted(name, String.join(", ", signatures.keySet().stream().sorted().toList())));
    }
    return new ModelMetadata(platform, signature.inputs(), signature.outputs(), outputsAreColumns, signatures);
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
