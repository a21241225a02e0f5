package io.quiver.core.registry;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.quiver.core.registry.triton.DataType;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.registry.triton.ModelDynamicBatching;
import io.quiver.core.registry.triton.ModelInput;
import io.quiver.core.registry.triton.ModelInstanceGroup;
import io.quiver.core.registry.triton.ModelOutput;
import io.quiver.core.registry.triton.ModelParameter;
import io.quiver.core.registry.triton.ModelTensorReshape;
import io.quiver.core.registry.triton.ModelVersionPolicy;
import io.quiver.core.scheduler.BatchPolicy;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * A Triton model configuration ({@code config.pbtxt} in a model folder), read with Triton's own
 * {@code model_config.proto}. It becomes the model's settings (runtime, file, instances, dynamic
 * batching, queue bound, parameters), chooses the versions served ({@code version_policy}), and
 * declares inputs and outputs that the loaded model must have. Fields Quiver does not act on fail
 * the load with the field named, never silently.
 */
public final class TritonConfig {
  public static final String FILE = "config.pbtxt";

  private static final Set<String> MODEL_FIELDS =
      Set.of(
          "name", "platform", "backend", "version_policy", "max_batch_size", "input", "output", "instance_group",
          "dynamic_batching", "parameters", "default_model_filename", "ensemble_scheduling");
  private static final Set<String> INPUT_FIELDS = Set.of("name", "data_type", "dims", "optional", "reshape");
  private static final Set<String> OUTPUT_FIELDS = Set.of("name", "data_type", "dims", "reshape");
  private static final Set<String> INSTANCE_GROUP_FIELDS = Set.of("name", "count", "kind", "gpus");
  private static final Set<String> BATCHING_FIELDS =
      Set.of("max_queue_delay_microseconds", "preferred_batch_size", "preserve_ordering", "default_queue_policy");
  private static final Set<String> QUEUE_POLICY_FIELDS = Set.of("max_queue_size");
  private static final Set<String> STEP_FIELDS = Set.of("model_name", "model_version", "input_map", "output_map");
  private static final String ENSEMBLE = "ensemble";
  /** Triton's ONNX Runtime backend's parameter names, and Quiver's. */
  private static final Map<String, String> ONNX_PARAMETERS =
      Map.of("intra_op_thread_count", "intra_op_threads", "inter_op_thread_count", "inter_op_threads");

  private final ModelConfig config;

  private TritonConfig(ModelConfig config) {
    this.config = config;
  }

  /**
   * The configuration in a model folder, if it has one.
   *
   * @throws IllegalArgumentException naming what is wrong: a syntax error, an unknown field, or a
   *     field Quiver does not support
   */
  static Optional<TritonConfig> read(Path modelDirectory) {
    Path file = modelDirectory.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    ModelConfig.Builder builder = ModelConfig.newBuilder();
    try {
      TextFormat.getParser().merge(Files.readString(file), builder);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException("%s: %s".formatted(FILE, e.getMessage()));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read %s: %s".formatted(FILE, e.getMessage()));
    }
    TritonConfig config = new TritonConfig(builder.build());
    config.requireSupported();
    return Optional.of(config);
  }

  private void requireSupported() {
    onlyFields(config, "", MODEL_FIELDS);
    for (ModelInput input : config.getInputList()) {
      onlyFields(input, "input " + input.getName() + ": ", INPUT_FIELDS);
      if (input.hasReshape()) {
        requireReshapable("input", input.getName(), input.getDimsList(), input.getReshape().getShapeList());
      }
    }
    for (ModelOutput output : config.getOutputList()) {
      onlyFields(output, "output " + output.getName() + ": ", OUTPUT_FIELDS);
      if (output.hasReshape()) {
        requireReshapable("output", output.getName(), output.getDimsList(), output.getReshape().getShapeList());
      }
    }
    config.getInstanceGroupList().forEach(group -> onlyFields(group, "instance_group: ", INSTANCE_GROUP_FIELDS));
    if (config.hasDynamicBatching()) {
      onlyFields(config.getDynamicBatching(), "dynamic_batching: ", BATCHING_FIELDS);
      onlyFields(config.getDynamicBatching().getDefaultQueuePolicy(), "dynamic_batching.default_queue_policy: ", QUEUE_POLICY_FIELDS);
      if (config.getMaxBatchSize() <= 0) {
        throw unsupported("dynamic_batching needs max_batch_size above 0");
      }
    }
    if (config.getMaxBatchSize() < 0) {
      throw unsupported("max_batch_size must not be negative, got " + config.getMaxBatchSize());
    }
    boolean ensemble = config.getPlatform().equals(ENSEMBLE);
    if (ensemble != config.hasEnsembleScheduling()) {
      throw unsupported(
          ensemble ? "an ensemble needs ensemble_scheduling with its steps" : "ensemble_scheduling needs platform \"ensemble\"");
    }
    if (ensemble) {
      if (config.getEnsembleScheduling().getStepCount() == 0) {
        throw unsupported("ensemble_scheduling has no step");
      }
      config.getEnsembleScheduling().getStepList().forEach(step -> onlyFields(step, "ensemble_scheduling.step: ", STEP_FIELDS));
    }
  }

  /** A reshape changes the shape, not the data: both shapes fixed, with as many elements. */
  private static void requireReshapable(String kind, String name, List<Long> dims, List<Long> shape) {
    boolean fixed = dims.stream().allMatch(d -> d >= 0) && shape.stream().allMatch(d -> d >= 0);
    if (!fixed || product(dims) != product(shape)) {
      throw unsupported(
          "%s %s: reshape from %s to %s must keep every dimension fixed and the element count"
              .formatted(kind, name, dims, shape));
    }
  }

  private static long product(List<Long> dims) {
    return dims.stream().reduce(1L, Math::multiplyExact);
  }

  private static void onlyFields(Message message, String where, Set<String> supported) {
    for (FieldDescriptor field : message.getAllFields().keySet()) {
      if (!supported.contains(field.getName())) {
        throw unsupported("%s%s is not supported by this server".formatted(where, field.getName()));
      }
    }
  }

  private static IllegalArgumentException unsupported(String what) {
    return new IllegalArgumentException("%s: %s".formatted(FILE, what));
  }

  /** The configuration as the file gives it. */
  ModelConfig config() {
    return config;
  }

  /** The version labels to serve among those present, sorted numerically (Triton's default: the latest one). */
  List<String> versionsToServe(List<String> present) {
    ModelVersionPolicy policy = config.getVersionPolicy();
    if (policy.hasAll()) {
      return present;
    }
    if (policy.hasSpecific()) {
      List<Long> wanted = policy.getSpecific().getVersionsList();
      return present.stream().filter(version -> wanted.contains(Long.parseLong(version))).toList();
    }
    int latest = policy.hasLatest() ? Math.max(1, policy.getLatest().getNumVersions()) : 1;
    return present.subList(Math.max(0, present.size() - latest), present.size());
  }

  /** The runtime format and settings this configuration asks for. */
  ModelSettings settings() {
    String format = format();
    Map<String, String> parameters = new HashMap<>();
    config.getParametersMap().forEach((key, value) -> parameters.put(parameterName(format, key), value.getStringValue()));
    int instances = 0;
    for (ModelInstanceGroup group : config.getInstanceGroupList()) {
      instances += Math.max(1, group.getCount());
      boolean placeable = "onnx".equals(format) || "pytorch".equals(format);
      if (placeable && group.getKind() == ModelInstanceGroup.Kind.KIND_GPU) {
        parameters.putIfAbsent("device", "cuda");
        if (group.getGpusCount() > 0) {
          parameters.putIfAbsent("cuda_device_id", Integer.toString(group.getGpus(0)));
        }
      } else if (placeable && group.getKind() == ModelInstanceGroup.Kind.KIND_CPU) {
        parameters.putIfAbsent("device", "cpu");
      } else if (group.getKind() == ModelInstanceGroup.Kind.KIND_GPU) {
        throw unsupported("instance_group kind KIND_GPU is served for ONNX and TorchScript models only");
      }
    }
    ModelDynamicBatching batching = config.getDynamicBatching();
    boolean batches = config.hasDynamicBatching();
    return new ModelSettings(
        format,
        null,
        config.getDefaultModelFilename().isEmpty() ? defaultFile(format) : config.getDefaultModelFilename(),
        instances,
        batches ? config.getMaxBatchSize() : 1,
        batches ? Duration.ofNanos(batching.getMaxQueueDelayMicroseconds() * 1000) : null,
        (int) Math.min(Integer.MAX_VALUE, batching.getDefaultQueuePolicy().getMaxQueueSize()),
        null,
        parameters,
        declaredInputs(config),
        declaredOutputs(config));
  }

  /** Quiver's runtime for Triton's platform or backend; null lets the files decide. */
  private String format() {
    String platform = config.getPlatform();
    String backend = config.getBackend();
    if (platform.equals(ENSEMBLE)) {
      return ENSEMBLE;
    }
    if (platform.equals("onnxruntime_onnx") || backend.equals("onnxruntime")) {
      return "onnx";
    }
    if (platform.equals("pytorch_libtorch") || backend.equals("pytorch")) {
      return "pytorch";
    }
    if (platform.equals("tensorflow_savedmodel") || backend.equals("tensorflow")) {
      return "tensorflow";
    }
    if (backend.equals("fil")) {
      return filFormat();
    }
    if (!platform.isEmpty()) {
      throw unsupported("platform \"%s\" is not served by this server".formatted(platform));
    }
    return backend.isEmpty() ? null : backend;
  }

  /** Triton's FIL backend names its model kind in a parameter; XGBoost's binary format by default. */
  private String filModelType() {
    ModelParameter type = config.getParametersMap().get("model_type");
    return type == null ? "xgboost" : type.getStringValue();
  }

  private String filFormat() {
    String modelType = filModelType();
    return switch (modelType) {
      case "xgboost", "xgboost_json", "xgboost_ubj" -> "xgboost";
      case "lightgbm" -> "lightgbm";
      default -> throw unsupported("the FIL backend's model_type \"%s\" is not served by this server".formatted(modelType));
    };
  }

  /** Triton's default model file names, where they differ from Quiver's. */
  private String defaultFile(String format) {
    if ("pytorch".equals(format)) {
      return "model.pt";
    }
    if ("tensorflow".equals(format)) {
      return "model.savedmodel";
    }
    if (config.getBackend().equals("fil")) {
      return switch (filModelType()) {
        case "xgboost_json" -> "xgboost.json";
        case "xgboost_ubj" -> "xgboost.ubj";
        case "lightgbm" -> "model.txt";
        default -> "xgboost.model";
      };
    }
    return null;
  }

  private static String parameterName(String format, String key) {
    return "onnx".equals(format) ? ONNX_PARAMETERS.getOrDefault(key, key) : key;
  }

  /**
   * Checks the declared inputs and outputs against what the loaded model takes and gives.
   *
   * @throws IllegalArgumentException naming the first tensor that does not match
   */
  void requireMatches(ModelMetadata metadata) {
    for (ModelInput input : config.getInputList()) {
      TensorSpec actual = metadata.input(input.getName());
      if (actual == null) {
        throw mismatch("input", input.getName(), "the model has no such input (its inputs: %s)".formatted(names(metadata.inputs())));
      }
      requireSame("input", input.getName(), input.getDataType(), modelDims(input.getDimsList(), input.hasReshape() ? input.getReshape() : null), actual);
    }
    if (!config.getInputList().isEmpty()) {
      for (TensorSpec input : metadata.inputs()) {
        if (config.getInputList().stream().noneMatch(declared -> declared.getName().equals(input.name()))) {
          throw mismatch("input", input.name(), "the model needs it, and the configuration does not declare it");
        }
      }
    }
    for (ModelOutput output : config.getOutputList()) {
      TensorSpec actual = metadata.output(output.getName());
      if (actual == null) {
        throw mismatch("output", output.getName(), "the model has no such output (its outputs: %s)".formatted(names(metadata.outputs())));
      }
      requireSame("output", output.getName(), output.getDataType(), modelDims(output.getDimsList(), output.hasReshape() ? output.getReshape() : null), actual);
    }
  }

  /** The dims the model itself has: the reshape's when there is one. */
  private static List<Long> modelDims(List<Long> dims, ModelTensorReshape reshape) {
    return reshape == null ? dims : reshape.getShapeList();
  }

  /**
   * The model as callers see it: itself, or, where the configuration reshapes tensors, a view that
   * takes and gives the declared shapes.
   */
  LoadedModel reshaped(LoadedModel model) {
    Map<String, long[]> inputs = new HashMap<>();
    Map<String, long[]> outputs = new HashMap<>();
    config.getInputList().stream().filter(ModelInput::hasReshape)
        .forEach(input -> inputs.put(input.getName(), input.getReshape().getShapeList().stream().mapToLong(Long::longValue).toArray()));
    config.getOutputList().stream().filter(ModelOutput::hasReshape)
        .forEach(output -> outputs.put(output.getName(), output.getDimsList().stream().mapToLong(Long::longValue).toArray()));
    if (inputs.isEmpty() && outputs.isEmpty()) {
      return model;
    }
    ModelMetadata declared = ReshapedModel.declared(model.metadata(), declaredInputs(config), declaredOutputs(config));
    return new ReshapedModel(model, declared, inputs, outputs, config.getMaxBatchSize() > 0);
  }

  private void requireSame(String kind, String name, DataType declared, List<Long> dims, TensorSpec actual) {
    if (actual.accepts() == TensorSpec.Accepts.EXACTLY && !declared.equals(tritonType(actual.datatype()))) {
      throw mismatch(kind, name, "declared %s, the model's is %s".formatted(declared.name(), tritonType(actual.datatype()).name()));
    }
    long[] full = withBatchDimension(dims);
    boolean compatible = full.length == actual.shape().length;
    for (int i = 0; compatible && i < full.length; i++) {
      compatible = full[i] == -1 || actual.shape()[i] == -1 || full[i] == actual.shape()[i];
    }
    if (!compatible) {
      throw mismatch(
          kind, name,
          "declared shape %s (max_batch_size %d), the model's is %s"
              .formatted(Arrays.toString(full), config.getMaxBatchSize(), Arrays.toString(actual.shape())));
    }
  }

  private long[] withBatchDimension(List<Long> dims) {
    return withBatchDimension(dims, config.getMaxBatchSize());
  }

  private static long[] withBatchDimension(List<Long> dims, int maxBatchSize) {
    LongStream declared = dims.stream().mapToLong(Long::longValue);
    return maxBatchSize > 0 ? LongStream.concat(LongStream.of(-1), declared).toArray() : declared.toArray();
  }

  /**
   * The inputs a configuration declares, for runtimes whose models carry no typed signature: the
   * batch dimension (-1) first when {@code max_batch_size} is above 0.
   */
  public static List<TensorSpec> declaredInputs(ModelConfig config) {
    return config.getInputList().stream()
        .map(input -> declared(input.getName(), input.getDataType(), input.getDimsList(), config.getMaxBatchSize()))
        .toList();
  }

  /** The outputs a configuration declares, as {@link #declaredInputs} gives the inputs. */
  public static List<TensorSpec> declaredOutputs(ModelConfig config) {
    return config.getOutputList().stream()
        .map(output -> declared(output.getName(), output.getDataType(), output.getDimsList(), config.getMaxBatchSize()))
        .toList();
  }

  private static TensorSpec declared(String name, DataType type, List<Long> dims, int maxBatchSize) {
    return new TensorSpec(name, datatype(type), withBatchDimension(dims, maxBatchSize), TensorSpec.Accepts.EXACTLY);
  }

  /** The protocols' name of a Triton datatype: TYPE_STRING is BYTES. */
  static io.quiver.core.tensor.DataType datatype(DataType type) {
    if (type == DataType.TYPE_STRING) {
      return io.quiver.core.tensor.DataType.BYTES;
    }
    try {
      return io.quiver.core.tensor.DataType.valueOf(type.name().substring("TYPE_".length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("%s: %s is not a datatype the protocols carry".formatted(FILE, type));
    }
  }

  private static IllegalArgumentException mismatch(String kind, String name, String why) {
    return new IllegalArgumentException("%s: %s %s does not match the model: %s".formatted(FILE, kind, name, why));
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }

  /** This configuration as served: the model's name, and inputs and outputs filled in where it left them out. */
  ModelConfig effective(String name, ModelMetadata metadata) {
    ModelConfig.Builder effective = config.toBuilder().setName(name);
    if (effective.getPlatform().isEmpty() && effective.getBackend().isEmpty()) {
      effective.setPlatform(metadata.platform());
    }
    int batchDimensions = config.getMaxBatchSize() > 0 ? 1 : 0;
    if (effective.getInputCount() == 0) {
      metadata.inputs().forEach(input -> effective.addInput(input(input, batchDimensions)));
    }
    if (effective.getOutputCount() == 0) {
      metadata.outputs().forEach(output -> effective.addOutput(output(output, batchDimensions)));
    }
    return effective.build();
  }

  /** The configuration Triton would show for a model that has no config.pbtxt: what Quiver inferred. */
  static ModelConfig inferred(String name, ModelMetadata metadata, BatchPolicy batching, int concurrency) {
    ModelConfig.Builder config =
        ModelConfig.newBuilder()
            .setName(name)
            .setPlatform(metadata.platform())
            .addInstanceGroup(ModelInstanceGroup.newBuilder().setCount(concurrency).setKind(ModelInstanceGroup.Kind.KIND_CPU));
    boolean batches = batching.batches() && metadata.inputsHaveBatchDimension();
    int batchDimensions = batches ? 1 : 0;
    if (batches) {
      config
          .setMaxBatchSize(batching.maxBatchSize())
          .setDynamicBatching(
              ModelDynamicBatching.newBuilder().setMaxQueueDelayMicroseconds(batching.maxDelay().toNanos() / 1000));
    }
    metadata.inputs().forEach(input -> config.addInput(input(input, batchDimensions)));
    metadata.outputs().forEach(output -> config.addOutput(output(output, batchDimensions)));
    return config.build();
  }

  private static ModelInput input(TensorSpec spec, int batchDimensions) {
    return ModelInput.newBuilder()
        .setName(spec.name())
        .setDataType(tritonType(spec.datatype()))
        .addAllDims(dims(spec, batchDimensions))
        .build();
  }

  private static ModelOutput output(TensorSpec spec, int batchDimensions) {
    return ModelOutput.newBuilder()
        .setName(spec.name())
        .setDataType(tritonType(spec.datatype()))
        .addAllDims(dims(spec, batchDimensions))
        .build();
  }

  private static List<Long> dims(TensorSpec spec, int batchDimensions) {
    List<Long> dims = new ArrayList<>();
    for (int i = Math.min(batchDimensions, spec.shape().length); i < spec.shape().length; i++) {
      dims.add(spec.shape()[i]);
    }
    return dims;
  }

  /** Triton's name of a datatype: {@code TYPE_} and the protocol's name, with BYTES as TYPE_STRING. */
  static DataType tritonType(io.quiver.core.tensor.DataType datatype) {
    return datatype == io.quiver.core.tensor.DataType.BYTES ? DataType.TYPE_STRING : DataType.valueOf("TYPE_" + datatype.name());
  }
}
