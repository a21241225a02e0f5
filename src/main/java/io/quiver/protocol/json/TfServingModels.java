package io.quiver.protocol.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.core.registry.ModelState;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelMetadata.Signature;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TensorFlow Serving's model status ({@code GetModelStatusResponse}) and model metadata ({@code
 * GetModelMetadataResponse} with its {@code signature_def} map) as its REST API writes them. A model
 * that is not a SavedModel is described by one {@code serving_default} predict signature.
 */
public final class TfServingModels {
  private static final String PREDICT = "tensorflow/serving/predict";

  private final ObjectMapper mapper;

  public TfServingModels(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** {@code {"model_version_status": [...]}} for the versions given. */
  public ObjectNode status(List<ModelVersion> versions) {
    ObjectNode root = mapper.createObjectNode();
    ArrayNode statuses = root.putArray("model_version_status");
    for (ModelVersion version : versions) {
      ModelVersion.Status status = version.status();
      ObjectNode entry = statuses.addObject();
      entry.put("version", versionLabel(version.version()));
      entry.put(
          "state",
          switch (status.state()) {
            case READY -> "AVAILABLE";
            case LOADING -> "LOADING";
            case UNAVAILABLE, FAILED -> "END";
          });
      ObjectNode error = entry.putObject("status");
      boolean failed = status.state() == ModelState.FAILED;
      error.put("error_code", failed ? "UNKNOWN" : "OK");
      error.put("error_message", failed ? status.reason() : "");
    }
    return root;
  }

  /** {@code {"model_spec": ..., "metadata": {"signature_def": ...}}} for one loaded version. */
  public ObjectNode metadata(String name, String version, ModelMetadata metadata) {
    ObjectNode root = mapper.createObjectNode();
    ObjectNode spec = root.putObject("model_spec");
    spec.put("name", name);
    spec.put("signature_name", "");
    spec.put("version", versionLabel(version));
    Map<String, Signature> signatures =
        metadata.signatures().isEmpty()
            ? Map.of(ModelMetadata.DEFAULT_SIGNATURE, new Signature(PREDICT, metadata.inputs(), metadata.outputs()))
            : new TreeMap<>(metadata.signatures());
    ObjectNode definitions = root.putObject("metadata").putObject("signature_def").putObject("signature_def");
    for (var entry : signatures.entrySet()) {
      ObjectNode definition = definitions.putObject(entry.getKey());
      tensors(definition.putObject("inputs"), entry.getValue().inputs());
      tensors(definition.putObject("outputs"), entry.getValue().outputs());
      definition.put("method_name", entry.getValue().method());
    }
    return root;
  }

  private static void tensors(ObjectNode target, List<TensorSpec> specs) {
    for (TensorSpec spec : specs) {
      ObjectNode info = target.putObject(spec.name());
      info.put("dtype", dtype(spec.datatype()));
      ObjectNode shape = info.putObject("tensor_shape");
      ArrayNode dims = shape.putArray("dim");
      for (long dim : spec.shape()) {
        dims.addObject().put("size", Long.toString(dim)).put("name", "");
      }
      shape.put("unknown_rank", false);
    }
  }

  /** TF Serving's versions are numbers; an unversioned model answers as version 0. */
  private static String versionLabel(String version) {
    return version == null ? "0" : version;
  }

  private static String dtype(DataType datatype) {
    return switch (datatype) {
      case BOOL -> "DT_BOOL";
      case UINT8 -> "DT_UINT8";
      case UINT16 -> "DT_UINT16";
      case UINT32 -> "DT_UINT32";
      case UINT64 -> "DT_UINT64";
      case INT8 -> "DT_INT8";
      case INT16 -> "DT_INT16";
      case INT32 -> "DT_INT32";
      case INT64 -> "DT_INT64";
      case FP16 -> "DT_HALF";
      case BF16 -> "DT_BFLOAT16";
      case FP32 -> "DT_FLOAT";
      case FP64 -> "DT_DOUBLE";
      case BYTES -> "DT_STRING";
    };
  }
}
