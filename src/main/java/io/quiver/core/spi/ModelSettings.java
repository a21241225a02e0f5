package io.quiver.core.spi;

import java.util.Map;
import java.util.Optional;

/**
 * A model's own settings, read from the optional {@code model-settings.json} in its folder.
 *
 * @param format the runtime to use (e.g. {@code "onnx"}), or null to recognise it from the files
 * @param implementation the class of a custom Java model, or null
 * @param file the model file's name inside the folder, or null for the runtime's conventional name
 * @param maxConcurrency how many requests may run on the model at once, or 0 for the server default
 * @param loggerMode the payload logger mode for this model (all, request, response), or null for the
 *     server's
 * @param parameters runtime-specific parameters, values as text
 */
public record ModelSettings(
    String format,
    String implementation,
    String file,
    int maxConcurrency,
    String loggerMode,
    Map<String, String> parameters) {

  public static final ModelSettings NONE = new ModelSettings(null, null, null, 0, null, Map.of());

  public ModelSettings {
    parameters = Map.copyOf(parameters);
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
