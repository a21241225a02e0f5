package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceResponse;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelMetadata.Signature;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;

/**
 * TensorFlow Serving's {@code :classify} and {@code :regress}: a body of {@code tf.Example}s in
 * JSON ({@code "examples"}, an optional shared {@code "context"}, {@code "signature_name"})
 * becomes one BYTES tensor of serialized {@code Example} protos for a classify or regress
 * signature, and its outputs become {@code {"results": ...}}. JSON values map to features as TF
 * Serving maps them: numbers with a fraction or exponent to a float list, whole numbers and
 * booleans to an int64 list, strings and {@code {"b64": ...}} to a bytes list.
 */
public final class ExampleRequests {
  /** What a call asks for, with the signature method it needs. */
  public enum Kind {
    CLASSIFY("tensorflow/serving/classify"),
    REGRESS("tensorflow/serving/regress");

    private final String method;

    Kind(String method) {
      this.method = method;
    }
  }

  private final ObjectMapper mapper;

  public ExampleRequests(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public InferenceRequest read(byte[] body, Kind kind, String model, String version, ModelMetadata metadata) throws IOException {
    JsonNode root = mapper.readTree(body);
    if (root == null || !root.isObject()) {
      throw new InvalidInput("The request body must be a JSON object with 'examples'.");
    }
    JsonNode named = root.get(ModelMetadata.SIGNATURE_PARAMETER);
    if (named != null && !named.isTextual()) {
      throw new InvalidInput("'signature_name' must be a string.");
    }
    String signatureName = named == null || named.asText().isEmpty() ? ModelMetadata.DEFAULT_SIGNATURE : named.asText();
    TensorSpec input = signatureInput(metadata, signatureName, kind);
    JsonNode examples = root.get("examples");
    if (examples == null || !examples.isArray() || examples.isEmpty()) {
      throw new InvalidInput("'examples' must be a non-empty list of objects.");
    }
    Features context = root.has("context") ? features(root.get("context"), "context") : Features.getDefaultInstance();
    TensorBuilder serialized = new TensorBuilder(DataType.BYTES, examples.size());
    for (int i = 0; i < examples.size(); i++) {
      Features features = features(examples.get(i), "example " + i);
      for (String feature : context.getFeatureMap().keySet()) {
        if (features.containsFeature(feature)) {
          throw new InvalidInput("Feature '%s' is in both the context and example %d: the context's features must not appear in the examples.".formatted(feature, i));
        }
      }
      Example example = Example.newBuilder().setFeatures(features.toBuilder().putAllFeature(context.getFeatureMap())).build();
      serialized.addBytes(example.toByteArray());
    }
    Tensor tensor = serialized.build(input.name(), new long[] {examples.size()});
    return new InferenceRequest(null, model, version, List.of(tensor), List.of(), Map.of(ModelMetadata.SIGNATURE_PARAMETER, signatureName));
  }

  /** The one string input of the named classify or regress signature. */
  private static TensorSpec signatureInput(ModelMetadata metadata, String name, Kind kind) {
    if (metadata.signatures().isEmpty()) {
      throw new InvalidInput("The model has no signatures to %s with: only SavedModels have them.".formatted(kind.name().toLowerCase()));
    }
    metadata.forSignature(name); // refuses a name the model lacks, listing those it has
    Signature signature = metadata.signatures().get(name);
    if (!signature.method().equals(kind.method)) {
      throw new InvalidInput("Signature '%s' is a %s signature; %s needs method_name %s.".formatted(name, signature.method(), kind.name().toLowerCase(), kind.method));
    }
    if (signature.inputs().size() != 1 || signature.inputs().getFirst().datatype() != DataType.BYTES) {
      throw new InvalidInput("Signature '%s' must take one string input of serialized tf.Examples.".formatted(name));
    }
    return signature.inputs().getFirst();
  }

  private static Features features(JsonNode object, String where) {
    if (!object.isObject()) {
      throw new InvalidInput("The %s must be a JSON object of features.".formatted(where));
    }
    Features.Builder features = Features.newBuilder();
    for (var field : object.properties()) {
      Feature.Builder feature = Feature.newBuilder();
      JsonNode value = field.getValue();
      if (value.isArray()) {
        for (JsonNode element : value) {
          add(feature, element, field.getKey());
        }
      } else {
        add(feature, value, field.getKey());
      }
      features.putFeature(field.getKey(), feature.build());
    }
    return features.build();
  }

  private static void add(Feature.Builder feature, JsonNode value, String name) {
    Feature.KindCase kind;
    if (value.isFloatingPointNumber()) {
      kind = Feature.KindCase.FLOAT_LIST;
      requireKind(feature, kind, name);
      feature.getFloatListBuilder().addValue(value.floatValue());
    } else if (value.isIntegralNumber() || value.isBoolean()) {
      kind = Feature.KindCase.INT64_LIST;
      requireKind(feature, kind, name);
      if (value.isIntegralNumber() && !value.canConvertToLong()) {
        throw new InvalidInput("Feature '%s' has a whole number beyond int64.".formatted(name));
      }
      feature.getInt64ListBuilder().addValue(value.isBoolean() ? (value.booleanValue() ? 1 : 0) : value.longValue());
    } else if (value.isTextual() || isBase64(value)) {
      kind = Feature.KindCase.BYTES_LIST;
      requireKind(feature, kind, name);
      feature.getBytesListBuilder().addValue(value.isTextual() ? ByteString.copyFromUtf8(value.asText()) : ByteString.copyFrom(base64(value, name)));
    } else {
      throw new InvalidInput("Feature '%s' has a value of unexpected JSON type: %s.".formatted(name, value.getNodeType()));
    }
  }

  private static boolean isBase64(JsonNode value) {
    return value.isObject() && value.size() == 1 && value.path("b64").isTextual();
  }

  private static byte[] base64(JsonNode value, String name) {
    try {
      return Base64.getDecoder().decode(value.get("b64").asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("Feature '%s': the \"b64\" value is not base64.".formatted(name));
    }
  }

  /** A feature's values must all be of one kind, as in a tf.Example. */
  private static void requireKind(Feature.Builder feature, Feature.KindCase kind, String name) {
    if (feature.getKindCase() != Feature.KindCase.KIND_NOT_SET && feature.getKindCase() != kind) {
      throw new InvalidInput("Feature '%s' mixes values of kinds %s and %s.".formatted(name, feature.getKindCase(), kind));
    }
  }

  /**
   * Writes {@code {"results": ...}}: for classify, per example a list of {@code [label, score]}
   * pairs from the {@code classes} and {@code scores} outputs (either may be missing: labels are
   * then empty, scores 0); for regress, per example the value of the {@code outputs} output.
   */
  public byte[] write(InferenceResponse response, Kind kind) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("results");
      if (kind == Kind.CLASSIFY) {
        writeClassifications(json, output(response, "classes"), output(response, "scores"));
      } else {
        Tensor values = output(response, "outputs");
        if (values == null || !values.datatype().isFloatingPoint() || values.rank() == 0 || values.elementCount() != values.dim(0)) {
          throw new InferenceException.ModelFailure("A regress signature must give one float per example in output 'outputs'.", null);
        }
        for (int i = 0; i < values.elementCount(); i++) {
          JsonTensorWriter.writeFloat(json, values.getDouble(i));
        }
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void writeClassifications(JsonGenerator json, Tensor classes, Tensor scores) throws IOException {
    Tensor shaped = scores != null ? scores : classes;
    if (shaped == null || shaped.rank() != 2 || (classes != null && scores != null && classes.elementCount() != scores.elementCount())) {
      throw new InferenceException.ModelFailure(
          "A classify signature must give 'classes' (strings) and/or 'scores' (floats), both [examples, classes].", null);
    }
    if ((classes != null && classes.datatype() != DataType.BYTES) || (scores != null && !scores.datatype().isFloatingPoint())) {
      throw new InferenceException.ModelFailure("A classify signature's 'classes' must be strings and its 'scores' floats.", null);
    }
    int perExample = Math.toIntExact(shaped.dim(1));
    for (int example = 0; example < shaped.dim(0); example++) {
      json.writeStartArray();
      for (int k = 0; k < perExample; k++) {
        int index = example * perExample + k;
        json.writeStartArray();
        json.writeString(classes == null ? "" : classes.stringAt(index));
        JsonTensorWriter.writeFloat(json, scores == null ? 0 : scores.getDouble(index));
        json.writeEndArray();
      }
      json.writeEndArray();
    }
  }

  private static Tensor output(InferenceResponse response, String name) {
    for (Tensor output : response.outputs()) {
      if (output.name().equals(name)) {
        return output;
      }
    }
    return null;
  }
}
