package io.quiver.runtime.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.spi.TensorSpec.Accepts;
import io.quiver.core.tensor.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An {@code MLmodel} file: which of its flavors Quiver serves, from which file, and the signature's
 * input columns. A tensor signature repeats what the model file itself declares, which stays the
 * authority on names and shapes.
 *
 * @param format the Quiver runtime for the flavor served
 * @param file the model file, relative to the folder
 * @param columns the signature's input columns, or empty when it declares tensors or nothing
 */
record MlflowModelFile(String format, String file, List<TensorSpec> columns) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** MLflow flavors Quiver serves: flavor name, Quiver runtime, the key naming the model file. */
  private record Served(String flavor, String format, String fileKey) {}

  private static final List<Served> SERVED =
      List.of(
          new Served("sklearn", "sklearn", "pickled_model"),
          new Served("xgboost", "xgboost", "data"),
          new Served("lightgbm", "lightgbm", "data"),
          new Served("onnx", "onnx", "data"));

  /** pyfunc loader modules that are only a wrapper around one of the served flavors. */
  private static final Map<String, String> LOADERS =
      Map.of("mlflow.sklearn", "sklearn", "mlflow.xgboost", "xgboost", "mlflow.lightgbm", "lightgbm", "mlflow.onnx", "onnx");

  static MlflowModelFile read(Path file) throws IOException {
    JsonNode root = YAML.readTree(file.toFile());
    if (root == null || !root.path("flavors").isObject()) {
      throw new IllegalArgumentException("MLmodel has no flavors");
    }
    JsonNode flavors = root.get("flavors");
    Served served = served(flavors);
    JsonNode flavor = flavors.get(served.flavor);
    String model = flavor.path(served.fileKey).asText(null);
    if (model == null) {
      throw new IllegalArgumentException("the %s flavor names no %s".formatted(served.flavor, served.fileKey));
    }
    if (served.flavor.equals("sklearn")) {
      String serialization = flavor.path("serialization_format").asText("cloudpickle");
      if (!serialization.equals("pickle") && !serialization.equals("cloudpickle")) {
        throw new IllegalArgumentException("scikit-learn models serialised as " + serialization + " are not supported");
      }
    }
    JsonNode signature = root.path("signature");
    List<TensorSpec> columns =
        signature.hasNonNull("inputs") ? columns(JSON.readTree(signature.get("inputs").asText())) : List.of();
    return new MlflowModelFile(served.format, model, columns);
  }

  private static Served served(JsonNode flavors) {
    for (Served served : SERVED) {
      if (flavors.has(served.flavor)) {
        return served;
      }
    }
    JsonNode pyfunc = flavors.get("python_function");
    if (pyfunc == null) {
      throw new IllegalArgumentException("MLmodel has no flavor Quiver serves (sklearn, xgboost, lightgbm, onnx, python_function)");
    }
    String loader = pyfunc.path("loader_module").asText("");
    String format = LOADERS.get(loader);
    if (format == null) {
      throw new IllegalArgumentException(
          ("the model is a python_function with custom Python code (loader_module %s%s): Quiver runs no Python;"
                  + " log the model with a flavor Quiver serves (sklearn, xgboost, lightgbm, onnx)")
              .formatted(loader.isEmpty() ? "none" : loader, pyfunc.has("python_model") ? ", python_model " + pyfunc.get("python_model").asText() : ""));
    }
    String fileKey = format.equals("sklearn") ? "model_path" : "data";
    return new Served("python_function", format, pyfunc.has(fileKey) ? fileKey : "model_path");
  }

  private static List<TensorSpec> columns(JsonNode inputs) {
    List<TensorSpec> columns = new ArrayList<>();
    int position = 0;
    for (JsonNode input : inputs) {
      String type = input.path("type").asText();
      if (type.equals("tensor")) {
        return List.of();
      }
      columns.add(
          new TensorSpec(input.path("name").asText(String.valueOf(position)), columnType(type), new long[] {-1}, Accepts.ANY));
      position++;
    }
    return columns;
  }

  private static DataType columnType(String type) {
    return switch (type) {
      case "double" -> DataType.FP64;
      case "float" -> DataType.FP32;
      case "long" -> DataType.INT64;
      case "integer" -> DataType.INT32;
      case "boolean" -> DataType.BOOL;
      default -> DataType.BYTES;
    };
  }
}
