package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a {@code :predict} body of KServe's v1 protocol, which is TensorFlow Serving's REST API:
 *
 * <ul>
 *   <li>{@code "instances"}, the row form: a list with one entry per row, either a value of the
 *       model's only input (a row of features, a nested array) or an object naming each input;
 *       inputs are batched along the first dimension;
 *   <li>{@code "inputs"}, the columnar form: an object naming each input's whole tensor, or one
 *       input's tensor (a list is read as rows, which gives the same tensor and is how KServe's
 *       servers read it);
 *   <li>{@code "signature_name"}, the signature to run (models with several);
 *   <li>{@code {"b64": "..."}} for a binary value of a BYTES input.
 * </ul>
 *
 * Values are decoded straight into the datatype the model takes.
 */
public final class V1RequestReader {
  private static final String BASE64_KEY = "b64";

  private final ObjectMapper mapper;

  public V1RequestReader(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * How a request gave its inputs, which decides how it is answered: rows as {@code
   * "predictions"}, columns as {@code "outputs"}.
   */
  public enum Layout {
    ROWS,
    COLUMNS
  }

  /** A decoded request and the layout to answer it in. */
  public record Decoded(InferenceRequest request, Layout layout) {}

  public Decoded read(byte[] body, String model, String version, ModelMetadata metadata) throws IOException {
    String signature = metadata.signatures().isEmpty() ? null : signatureName(body);
    ModelMetadata target = metadata.forSignature(signature);
    try (JsonParser parser = mapper.getFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidInput("The request body must be a JSON object with 'instances' or 'inputs'.");
      }
      List<Tensor> inputs = null;
      Layout layout = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "instances", "inputs" -> {
            if (inputs != null) {
              throw new InvalidInput("Send either 'instances' (rows) or 'inputs' (columns), not both.");
            }
            boolean rows = field.equals("instances") || value == JsonToken.START_ARRAY;
            inputs = rows ? readInstances(parser, target) : readColumns(parser, target, model);
            layout = field.equals("instances") || (rows && metadata.signatures().isEmpty()) ? Layout.ROWS : Layout.COLUMNS;
          }
          case ModelMetadata.SIGNATURE_PARAMETER -> {
            if (value != JsonToken.VALUE_STRING) {
              throw new InvalidInput("'signature_name' must be a string.");
            }
            signature = parser.getText();
          }
          default -> parser.skipChildren();
        }
      }
      if (inputs == null) {
        throw new InvalidInput("The request has no 'instances' (rows) or 'inputs' (columns).");
      }
      metadata.forSignature(signature);
      Map<String, Object> parameters = signature == null ? Map.of() : Map.of(ModelMetadata.SIGNATURE_PARAMETER, signature);
      return new Decoded(new InferenceRequest(null, model, version, inputs, List.of(), parameters), layout);
    }
  }

  /** The body's {@code signature_name}, found before the inputs are read against that signature. */
  private String signatureName(byte[] body) throws IOException {
    try (JsonParser parser = mapper.getFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        boolean signature = parser.currentName().equals(ModelMetadata.SIGNATURE_PARAMETER);
        JsonToken value = parser.nextToken();
        if (signature && value == JsonToken.VALUE_STRING) {
          return parser.getText();
        }
        parser.skipChildren();
      }
      return null;
    }
  }

  /** The columnar form: an object of whole tensors by input name, or the only input's scalar. */
  private static List<Tensor> readColumns(JsonParser parser, ModelMetadata metadata, String model) throws IOException {
    if (parser.currentToken() == JsonToken.START_OBJECT) {
      return NamedTensors.readObject(parser, metadata, model, V1RequestReader::readValue);
    }
    if (metadata.inputs().size() != 1) {
      throw new InvalidInput(
          "The model takes %d inputs (%s): send 'inputs' as an object naming them."
              .formatted(metadata.inputs().size(), NamedTensors.names(metadata.inputs())));
    }
    return List.of(NamedTensors.read(parser, metadata.inputs().getFirst(), V1RequestReader::readValue));
  }

  /** A scalar, or {@code {"b64": "..."}} for a binary value. */
  private static void readValue(JsonParser parser, TensorBuilder builder, String tensor) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      JsonTensorReader.readValue(parser, builder, tensor);
      return;
    }
    if (parser.nextToken() != JsonToken.FIELD_NAME || !parser.currentName().equals(BASE64_KEY)) {
      throw new InvalidInput("Input '%s': an object value must be {\"b64\": \"<base64>\"}.".formatted(tensor));
    }
    readBase64(parser, builder, tensor);
  }

  /** The value of a {@code "b64"} field (the parser is on its name) and the object's end. */
  private static void readBase64(JsonParser parser, TensorBuilder builder, String tensor) throws IOException {
    if (builder.datatype() != DataType.BYTES) {
      throw new InvalidInput("Input '%s' is %s: {\"b64\": ...} values are for BYTES (string) inputs.".formatted(tensor, builder.datatype()));
    }
    if (parser.nextToken() != JsonToken.VALUE_STRING) {
      throw new InvalidInput("Input '%s': \"b64\" must be a base64 string.".formatted(tensor));
    }
    try {
      builder.addBytes(Base64.getDecoder().decode(parser.getText()));
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("Input '%s': the \"b64\" value is not base64: %s.".formatted(tensor, e.getMessage()));
    }
    if (parser.nextToken() != JsonToken.END_OBJECT) {
      throw new InvalidInput("Input '%s': a {\"b64\": ...} object has no other fields.".formatted(tensor));
    }
  }

  private List<Tensor> readInstances(JsonParser parser, ModelMetadata metadata) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      throw new InvalidInput("'instances' must be a list.");
    }
    Map<String, Batch> batches = new LinkedHashMap<>();
    for (TensorSpec spec : metadata.inputs()) {
      batches.put(spec.name(), new Batch(spec));
    }
    long rows = 0;
    Boolean named = null;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      boolean object = parser.currentToken() == JsonToken.START_OBJECT;
      if (object) {
        parser.nextToken();
        if (isBase64Value(parser, batches)) {
          batches.values().iterator().next().addBase64Row(parser);
          rows++;
          continue;
        }
      }
      if (named == null) {
        named = object;
      } else if (named != object) {
        throw new InvalidInput(
            "Instance %d is %s, unlike the first: send every instance as an object naming the inputs, or every one as a row."
                .formatted(rows, object ? "an object" : "a row"));
      }
      if (object) {
        readNamedInstance(parser, batches);
      } else if (batches.size() == 1) {
        batches.values().iterator().next().addRow(parser);
      } else if (isColumns(metadata) && parser.currentToken() == JsonToken.START_ARRAY) {
        readPositionalRow(parser, batches);
      } else {
        throw new InvalidInput(
            "The model takes %d inputs (%s): send each instance as an object naming them."
                .formatted(batches.size(), String.join(", ", batches.keySet())));
      }
      rows++;
    }
    if (rows == 0) {
      throw new InvalidInput("'instances' is empty: send at least one instance.");
    }
    List<Tensor> tensors = new ArrayList<>(batches.size());
    for (Batch batch : batches.values()) {
      tensors.add(batch.build(rows));
    }
    return tensors;
  }

  /** Whether each input is one column of a table (one value per instance): rows then map in order. */
  private static boolean isColumns(ModelMetadata metadata) {
    return metadata.inputs().stream().allMatch(input -> input.shape().length == 1);
  }

  /** A row of one value per column, in the model's input order (as pandas reads a positional row). */
  private static void readPositionalRow(JsonParser parser, Map<String, Batch> batches) throws IOException {
    int values = 0;
    var columns = batches.values().iterator();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      if (!columns.hasNext()) {
        throw rowLength(batches);
      }
      columns.next().addRow(parser);
      values++;
    }
    if (values != batches.size()) {
      throw rowLength(batches);
    }
  }

  private static InvalidInput rowLength(Map<String, Batch> batches) {
    return new InvalidInput(
        "Each instance must be a row of %d values, one per input in order (%s), or an object naming them."
            .formatted(batches.size(), String.join(", ", batches.keySet())));
  }

  /** Whether an instance object (the parser on its first field) is a binary value of the only input. */
  private static boolean isBase64Value(JsonParser parser, Map<String, Batch> batches) throws IOException {
    return batches.size() == 1
        && parser.currentToken() == JsonToken.FIELD_NAME
        && parser.currentName().equals(BASE64_KEY)
        && !batches.containsKey(BASE64_KEY);
  }

  /** The fields of an instance object, the parser on its first field. */
  private static void readNamedInstance(JsonParser parser, Map<String, Batch> batches)
      throws IOException {
    for (JsonToken token = parser.currentToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
      String name = parser.currentName();
      Batch batch = batches.get(name);
      if (batch == null) {
        throw new InvalidInput(
            "Instances name an input '%s' the model does not have (inputs: %s)."
                .formatted(name, String.join(", ", batches.keySet())));
      }
      parser.nextToken();
      batch.addRow(parser);
    }
  }

  /** One input's rows, collected into its datatype; every row must have the same shape. */
  private static final class Batch {
    private final TensorSpec spec;
    private final TensorBuilder builder;
    private long[] rowShape;
    private long rows;

    Batch(TensorSpec spec) {
      this.spec = spec;
      this.builder = new TensorBuilder(spec.datatype(), 64);
    }

    void addRow(JsonParser parser) throws IOException {
      addRow(JsonTensorReader.readRow(parser, builder, spec.name(), V1RequestReader::readValue));
    }

    /** A row that is one binary value, the parser on its object's {@code "b64"} field. */
    void addBase64Row(JsonParser parser) throws IOException {
      readBase64(parser, builder, spec.name());
      addRow(new long[0]);
    }

    private void addRow(long[] shape) {
      if (rowShape == null) {
        rowShape = shape;
      } else if (!Arrays.equals(rowShape, shape)) {
        throw new InvalidInput(
            "Input '%s': instances must all have the same shape.".formatted(spec.name()));
      }
      rows++;
    }

    Tensor build(long instances) {
      if (rows != instances) {
        throw new InvalidInput(
            "Input '%s' is missing from %d of %d instances."
                .formatted(spec.name(), instances - rows, instances));
      }
      long[] shape = new long[rowShape.length + 1];
      shape[0] = rows;
      System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
      return builder.build(spec.name(), shape);
    }
  }
}
