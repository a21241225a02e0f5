package io.quiver.core.spi;

import io.quiver.core.scheduler.BatchPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's own settings, read from the optional {@code model-settings.json} in its folder.
 *
 * @param format the runtime to use (e.g. {@code "onnx"}), or null to recognise it from the files
 * @param implementation the class of a custom Java model, or null
 * @param file the model file's name inside the folder, or null for the runtime's conventional name
 * @param maxConcurrency how many requests may run on the model at once, or 0 for the server default
 * @param maxBatchSize the most requests one runtime call takes (MLServer's {@code max_batch_size});
 *     1 runs each alone, 0 takes the server default
 * @param maxBatchTime how long a request may wait for others to batch with (MLServer's {@code
 *     max_batch_time}), or null for the server default
 * @param maxQueueSize how many requests may wait for the model before new ones are refused (Triton's
 *     {@code max_queue_size}), or 0 for the server default
 * @param loggerMode the payload logger mode for this model (all, request, response), or null for the
 *     server's
 * @param parameters runtime-specific parameters, values as text
 * @param inputs the inputs MLServer's {@code "inputs"} declares (name, datatype, shape), for runtimes
 *     whose model files do not type their tensors (TorchScript); empty when undeclared
 * @param outputs the outputs MLServer's {@code "outputs"} declares, likewise
 */
public record ModelSettings(
    String format,
    String implementation,
    String file,
    int maxConcurrency,
    int maxBatchSize,
    Duration maxBatchTime,
    int maxQueueSize,
    String loggerMode,
    Map<String, String> parameters,
    List<TensorSpec> inputs,
    List<TensorSpec> outputs) {

  public static final ModelSettings NONE = new ModelSettings(null, null, null, 0, 0, null, 0, null, Map.of(), List.of(), List.of());

  public ModelSettings {
    parameters = Map.copyOf(parameters);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** These settings with other runtime parameters. */
  public ModelSettings withParameters(Map<String, String> newParameters) {
    return new ModelSettings(
        format, implementation, file, maxConcurrency, maxBatchSize, maxBatchTime, maxQueueSize, loggerMode, newParameters, inputs, outputs);
  }

  /** These settings for a file of another format inside the folder (a wrapper's model file). */
  public ModelSettings forFile(String newFormat, String newFile) {
    return new ModelSettings(
        newFormat, null, newFile, maxConcurrency, maxBatchSize, maxBatchTime, maxQueueSize, loggerMode, parameters, inputs, outputs);
  }

  /** How requests are batched, with the server's defaults for what the settings leave open. */
  public BatchPolicy batching(BatchPolicy defaults) {
    return new BatchPolicy(
        maxBatchSize > 0 ? maxBatchSize : defaults.maxBatchSize(),
        maxBatchTime != null ? maxBatchTime : defaults.maxDelay());
  }

  /** The model's queue bound, or the server's when the settings give none. */
  public int queueSize(int serverDefault) {
    return maxQueueSize > 0 ? maxQueueSize : serverDefault;
  }

  public Optional<String> parameter(String key) {
    return Optional.ofNullable(parameters.get(key));
  }

  /**
   * An integer parameter.
   *
   * @throws IllegalArgumentException naming the parameter when its value is not an integer
   */
  public Optional<Integer> intParameter(String key) {
    return parameter(key).map(value -> parseInt(key, value));
  }

  private static int parseInt(String key, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "model-settings.json: parameter '%s' must be an integer, got '%s'".formatted(key, value));
    }
  }
}
