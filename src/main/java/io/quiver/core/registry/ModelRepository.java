package io.quiver.core.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException;
import io.quiver.core.QuiverConfig;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelStorage;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The model repository on disk: a folder of model folders, each holding its model files directly or
 * in numeric version folders. Every name that reaches the file system passes through here and is
 * checked, so nothing outside the repository can be read: no {@code ..}, no absolute paths, no links
 * that lead out.
 */
@ApplicationScoped
public class ModelRepository {
  private static final Logger LOG = Logger.getLogger(ModelRepository.class);
  static final String SETTINGS_FILE = "model-settings.json";
  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
  /** MLServer's runtime classes, so its model-settings.json files work unchanged. */
  private static final Map<String, String> MLSERVER_IMPLEMENTATIONS =
      Map.of(
          "mlserver_sklearn.SKLearnModel", "sklearn",
          "mlserver_xgboost.XGBoostModel", "xgboost",
          "mlserver_lightgbm.LightGBMModel", "lightgbm",
          "mlserver_mlflow.MLflowRuntime", "mlflow",
          "mlserver_onnx.OnnxModel", "onnx");

  /** The settings parameter that holds a model's storage URI. */
  public static final String STORAGE_URI = "storage_uri";

  private final Path root;
  /** The one model the root folder is, in KServe's single-model layout; else null. */
  private final String singleModel;
  private final ObjectMapper json;

  ModelRepository(QuiverConfig config, ModelStorage storage, ObjectMapper json) throws IOException {
    this.root = storage.materialise(config.modelRepository()).toAbsolutePath().normalize();
    // KServe's Triton format leaves a repository of models (each with its config.pbtxt) in
    // /mnt/models, which is served as a repository whatever the InferenceService's name
    this.singleModel = config.modelName().filter(name -> !holdsTritonModels(root)).orElse(null);
    if (singleModel != null) {
      requireValidName(singleModel);
    }
    this.json = json;
  }

  /**
   * A model folder: the versions to serve (empty when unversioned), and its Triton configuration
   * ({@code config.pbtxt}), or null.
   */
  public record ModelFolder(String name, Path directory, List<String> versions, TritonConfig triton) {
    public boolean versioned() {
      return !versions.isEmpty();
    }

    /** The folder holding a version's files. */
    Path versionDirectory(String version) {
      return version == null ? directory : directory.resolve(version);
    }
  }

  private static boolean holdsTritonModels(Path folder) {
    try (Stream<Path> children = Files.list(folder)) {
      return children.anyMatch(child -> Files.isRegularFile(child.resolve(TritonConfig.FILE)));
    } catch (IOException e) {
      return false;
    }
  }

  public Path root() {
    return root;
  }

  /** Names of the model folders present now, sorted. */
  public List<String> modelNames() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    if (singleModel != null) {
      return List.of(singleModel);
    }
    try (Stream<Path> children = Files.list(root)) {
      return children
          .filter(Files::isDirectory)
          .map(path -> path.getFileName().toString())
          .filter(name -> MODEL_NAME.matcher(name).matches())
          .sorted()
          .toList();
    } catch (IOException e) {
      LOG.errorf("Cannot list the model repository %s: %s", root, e.getMessage());
      return List.of();
    }
  }

  /**
   * The folder of a model, checked.
   *
   * @throws InferenceException.InvalidInput when the name could address anything outside the repository
   * @throws InferenceException.ModelNotFound when there is no such folder
   */
  public ModelFolder folder(String name) {
    requireValidName(name);
    Path directory = singleModel == null ? root.resolve(name) : root;
    if (!Files.isDirectory(directory) || singleModel != null && !singleModel.equals(name)) {
      throw InferenceException.ModelNotFound.model(name);
    }
    requireInsideRepository(directory, name);
    List<String> versions = new ArrayList<>();
    try (Stream<Path> children = Files.list(directory)) {
      children
          .filter(Files::isDirectory)
          .map(path -> path.getFileName().toString())
          .filter(child -> VERSION.matcher(child).matches())
          .sorted(Comparator.comparingLong(Long::parseLong))
          .forEach(versions::add);
    } catch (IOException e) {
      throw new InferenceException.ModelFailure(
          "Cannot read model folder %s: %s".formatted(name, e.getMessage()), e);
    }
    for (String version : versions) {
      requireInsideRepository(directory.resolve(version), name);
    }
    TritonConfig triton;
    try {
      triton = TritonConfig.read(directory).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new InferenceException.ModelFailure(e.getMessage(), e);
    }
    List<String> served = triton == null || versions.isEmpty() ? versions : triton.versionsToServe(versions);
    return new ModelFolder(name, directory, List.copyOf(served), triton);
  }

  /**
   * Checks that a name can only address a folder directly inside the repository.
   *
   * @throws InferenceException.InvalidInput when it could address anything else
   */
  public static void requireValidName(String name) {
    if (name == null || !MODEL_NAME.matcher(name).matches()) {
      throw new InferenceException.InvalidInput(
          "Invalid model name '%s': use letters, digits, '.', '_' and '-', starting with a letter or digit."
              .formatted(name));
    }
  }

  /**
   * Checks that nothing in a model version's folder links outside it.
   *
   * @throws IllegalArgumentException naming the first file that does
   */
  void requireNoEscapingLinks(Path directory) throws IOException {
    Path inside = directory.toRealPath();
    try (Stream<Path> files = Files.walk(directory, 8)) {
      for (Path file : files.filter(Files::isSymbolicLink).toList()) {
        if (!file.toRealPath().startsWith(inside)) {
          throw new IllegalArgumentException(
              "%s links outside the model folder; refusing to load it"
                  .formatted(directory.relativize(file)));
        }
      }
    }
  }

  /** Whether a version label could be a version folder's name. */
  public static boolean isVersionLabel(String version) {
    return version != null && VERSION.matcher(version).matches();
  }

  private void requireInsideRepository(Path path, String name) {
    try {
      if (!path.toRealPath().startsWith(root.toRealPath())) {
        throw new InferenceException.InvalidInput(
            "Model folder %s links outside the model repository; refusing to load it.".formatted(name));
      }
    } catch (IOException e) {
      throw new InferenceException.ModelFailure(
          "Cannot resolve model folder %s: %s".formatted(name, e.getMessage()), e);
    }
  }

  /**
   * The settings for one version: its own {@code model-settings.json} if it has one, else the
   * model's, else those of its Triton configuration, else none.
   *
   * @throws IllegalArgumentException when a settings file is malformed, or a model has both kinds
   */
  public ModelSettings settings(ModelFolder folder, String version) {
    if (folder.triton() != null) {
      if (Files.isRegularFile(folder.directory().resolve(SETTINGS_FILE))) {
        throw new IllegalArgumentException(
            "the model has both %s and %s; keep one".formatted(TritonConfig.FILE, SETTINGS_FILE));
      }
      return folder.triton().settings();
    }
    Path own = folder.versionDirectory(version).resolve(SETTINGS_FILE);
    if (version != null && Files.isRegularFile(own)) {
      return readSettings(own);
    }
    Path shared = folder.directory().resolve(SETTINGS_FILE);
    return Files.isRegularFile(shared) ? readSettings(shared) : ModelSettings.NONE;
  }

  private ModelSettings readSettings(Path file) {
    JsonNode node;
    try {
      node = json.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "%s is not valid JSON: %s".formatted(SETTINGS_FILE, e.getOriginalMessage()));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read %s: %s".formatted(SETTINGS_FILE, e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("%s must hold a JSON object".formatted(SETTINGS_FILE));
    }
    String implementation = text(node, "implementation");
    String format = text(node, "format");
    if (implementation != null && MLSERVER_IMPLEMENTATIONS.containsKey(implementation)) {
      format = format == null ? MLSERVER_IMPLEMENTATIONS.get(implementation) : format;
      implementation = null;
    }
    Map<String, String> parameters = new HashMap<>();
    JsonNode params = node.path("parameters");
    params
        .properties()
        .forEach(
            field ->
                parameters.put(
                    field.getKey(),
                    field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString()));
    // KServe's Hugging Face server takes the task at the top level too
    if (text(node, "task") != null) {
      parameters.putIfAbsent("task", text(node, "task"));
    }
    // where the model's files are, when not beside its settings (KServe's storageUri)
    String storage = Optional.ofNullable(text(node, "storage_uri")).orElse(text(node, "storageUri"));
    if (storage != null) {
      parameters.putIfAbsent(STORAGE_URI, storage);
    }
    return new ModelSettings(
        format,
        implementation,
        Optional.ofNullable(text(node, "file")).orElse(parameters.get("uri")),
        nonNegativeInt(node, "max_concurrency"),
        nonNegativeInt(node, "max_batch_size"),
        seconds(node, "max_batch_time"),
        nonNegativeInt(node, "max_queue_size"),
        text(node, "logger_mode"),
        parameters,
        tensors(node, "inputs"),
        tensors(node, "outputs"));
  }

  /** MLServer's tensor declarations: {@code [{"name", "datatype", "shape"}]}. */
  private static List<TensorSpec> tensors(JsonNode node, String field) {
    JsonNode list = node.path(field);
    if (list.isMissingNode()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("%s: '%s' must be a list of {name, datatype, shape}".formatted(SETTINGS_FILE, field));
    }
    List<TensorSpec> specs = new ArrayList<>();
    for (JsonNode tensor : list) {
      String name = tensor.path("name").asText("");
      DataType datatype = DataType.parse(tensor.path("datatype").asText("")).orElse(null);
      JsonNode shape = tensor.path("shape");
      if (name.isEmpty() || datatype == null || !shape.isArray()) {
        throw new IllegalArgumentException(
            "%s: each of '%s' needs a name, a datatype (FP32, INT64, ...) and a shape: %s".formatted(SETTINGS_FILE, field, tensor));
      }
      long[] dims = new long[shape.size()];
      for (int i = 0; i < dims.length; i++) {
        if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < -1) {
          throw new IllegalArgumentException("%s: %s '%s' has a bad shape %s (dims are sizes, or -1)".formatted(SETTINGS_FILE, field, name, shape));
        }
        dims[i] = shape.get(i).asLong();
      }
      specs.add(TensorSpec.of(name, datatype, dims));
    }
    return specs;
  }

  private static int nonNegativeInt(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return 0;
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
      throw new IllegalArgumentException(
          "%s: %s must be a non-negative integer, got %s".formatted(SETTINGS_FILE, field, value));
    }
    return value.asInt();
  }

  /** A duration given in seconds, as MLServer's settings give them (0.0005 is 500 µs). */
  private static Duration seconds(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > 60) {
      throw new IllegalArgumentException(
          "%s: %s must be a number of seconds between 0 and 60, got %s".formatted(SETTINGS_FILE, field, value));
    }
    return Duration.ofNanos(Math.round(value.asDouble() * 1e9));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
