package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Shapes;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes an Open Inference Protocol JSON inference request, streaming each input's data into its
 * tensor. With the binary tensor data extension, inputs that declare {@code binary_data_size} take
 * their bytes, in order, from the part of the body after the JSON, without copying.
 */
public final class V2RequestReader {
  static final String BINARY_DATA_SIZE = "binary_data_size";

  private final ObjectMapper mapper;

  public V2RequestReader(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Decodes a request.
   *
   * @param json the body's JSON part
   * @param binary the body's binary part (empty without the extension)
   * @throws InvalidInput for anything malformed, naming what
   * @throws IOException for malformed JSON
   */
  public InferenceRequest read(
      byte[] json, int offset, int length, ByteBuffer binary, String model, String version)
      throws IOException {
    try (JsonParser parser = mapper.getFactory().createParser(json, offset, length)) {
      return read(parser, binary, model, version);
    }
  }

  private InferenceRequest read(JsonParser parser, ByteBuffer binary, String model, String version)
      throws IOException {
    expect(parser.nextToken(), JsonToken.START_OBJECT, "The request body must be a JSON object");
    String id = null;
    Map<String, Object> parameters = Map.of();
    List<Tensor> inputs = null;
    List<RequestedOutput> outputs = List.of();
    BinaryInputs binaryInputs = new BinaryInputs(binary);
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "id" -> id = readId(parser);
        case "parameters" -> parameters = readParameters(parser);
        case "inputs" -> inputs = readInputs(parser, binaryInputs);
        case "outputs" -> outputs = readOutputs(parser);
        default -> parser.skipChildren();
      }
    }
    if (inputs == null) {
      throw new InvalidInput("The request has no 'inputs'.");
    }
    binaryInputs.requireAllUsed();
    return new InferenceRequest(id, model, version, inputs, outputs, parameters);
  }

  /** The request id: a string, or null; anything else would be read as if it were the body. */
  private static String readId(JsonParser parser) throws IOException {
    return switch (parser.currentToken()) {
      case VALUE_NULL -> null;
      case VALUE_STRING -> parser.getText();
      default -> throw new InvalidInput("'id' must be a string.");
    };
  }

  private Map<String, Object> readParameters(JsonParser parser) throws IOException {
    if (parser.currentToken() == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    expect(parser.currentToken(), JsonToken.START_OBJECT, "'parameters' must be an object");
    @SuppressWarnings("unchecked")
    Map<String, Object> parameters = mapper.readValue(parser, Map.class);
    return parameters;
  }

  private List<Tensor> readInputs(JsonParser parser, BinaryInputs binary) throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY, "'inputs' must be an array");
    List<Tensor> inputs = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      inputs.add(readInput(parser, binary, inputs.size()));
    }
    return inputs;
  }

  private Tensor readInput(JsonParser parser, BinaryInputs binary, int index) throws IOException {
    expect(parser.currentToken(), JsonToken.START_OBJECT, "Each input must be an object");
    String name = null;
    long[] shape = null;
    DataType datatype = null;
    Map<String, Object> parameters = Map.of();
    TensorBuilder data = null;
    TokenBuffer deferredData = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      parser.nextToken();
      switch (field) {
        case "name" -> name = parser.getValueAsString();
        case "shape" -> shape = readShape(parser, name, index);
        case "datatype" -> datatype = readDatatype(parser, name, index);
        case "parameters" -> parameters = readParameters(parser);
        case "data" -> {
          if (datatype != null && shape != null) {
            data = new TensorBuilder(datatype, capacity(shape));
            JsonTensorReader.readData(parser, data, name == null ? "#" + index : name);
          } else {
            // Data before its datatype: keep the tokens and decode them once the type is known.
            deferredData = TokenBuffer.asCopyOfValue(parser);
          }
        }
        default -> parser.skipChildren();
      }
    }
    if (name == null) {
      throw new InvalidInput("Input %d has no 'name'.".formatted(index));
    }
    if (datatype == null) {
      throw new InvalidInput("Input '%s' has no 'datatype'.".formatted(name));
    }
    if (shape == null) {
      throw new InvalidInput("Input '%s' has no 'shape'.".formatted(name));
    }
    Object binarySize = parameters.get(BINARY_DATA_SIZE);
    if (binarySize != null) {
      if (data != null || deferredData != null) {
        throw new InvalidInput(
            "Input '%s' has both 'data' and binary_data_size; send one.".formatted(name));
      }
      return binary.take(name, datatype, shape, binarySize);
    }
    if (deferredData != null) {
      data = new TensorBuilder(datatype, capacity(shape));
      try (JsonParser replay = deferredData.asParser()) {
        replay.nextToken();
        JsonTensorReader.readData(replay, data, name);
      }
    }
    if (data == null) {
      throw new InvalidInput("Input '%s' has no 'data'.".formatted(name));
    }
    if (data.count() != Tensor.elementCount(name, shape)) {
      throw new InvalidInput("Input '%s': shape %s needs %d elements, got %d."
          .formatted(name, Shapes.format(shape), Tensor.elementCount(name, shape), data.count()));
    }
    return data.build(name, shape);
  }

  /** Room for the elements a shape declares, up to a bound: the data may not hold what it claims. */
  private static int capacity(long[] shape) {
    return (int) Math.min(Tensor.elementCount("", shape), 1 << 20);
  }

  /** A shape of non-negative dimensions whose element count a tensor can hold. */
  private static long[] readShape(JsonParser parser, String name, int index) throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY, "The shape of input " + label(name, index) + " must be an array");
    List<Long> dims = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT
          || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || parser.getLongValue() < 0) {
        throw new InvalidInput(
            "The shape of input %s must hold non-negative 64-bit integers.".formatted(label(name, index)));
      }
      dims.add(parser.getLongValue());
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    try {
      Tensor.elementCount(label(name, index), shape);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(
          "The shape %s of input %s describes more elements than a tensor can hold."
              .formatted(Shapes.format(shape), label(name, index)));
    }
    return shape;
  }

  private static DataType readDatatype(JsonParser parser, String name, int index)
      throws IOException {
    String text = parser.getValueAsString();
    return DataType.parse(text)
        .orElseThrow(
            () ->
                new InvalidInput(
                    "Input %s has an unknown datatype '%s' (known: BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES)."
                        .formatted(label(name, index), text)));
  }

  private List<RequestedOutput> readOutputs(JsonParser parser) throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY, "'outputs' must be an array");
    List<RequestedOutput> outputs = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      expect(parser.currentToken(), JsonToken.START_OBJECT, "Each requested output must be an object");
      String name = null;
      Map<String, Object> parameters = Map.of();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "name" -> name = parser.getValueAsString();
          case "parameters" -> parameters = readParameters(parser);
          default -> parser.skipChildren();
        }
      }
      if (name == null) {
        throw new InvalidInput("Requested output %d has no 'name'.".formatted(outputs.size()));
      }
      outputs.add(new RequestedOutput(name, parameters));
    }
    return outputs;
  }

  private static String label(String name, int index) {
    return name == null ? "#" + index : "'" + name + "'";
  }

  private static void expect(JsonToken actual, JsonToken expected, String message) {
    if (actual != expected) {
      throw new InvalidInput(message + ".");
    }
  }

  /** The binary part of a request, handed out to inputs in the order they appear. */
  private static final class BinaryInputs {
    private final ByteBuffer remaining;

    BinaryInputs(ByteBuffer binary) {
      this.remaining = binary.slice();
    }

    Tensor take(String name, DataType datatype, long[] shape, Object declaredSize) {
      if (!(declaredSize instanceof Integer || declaredSize instanceof Long)
          || ((Number) declaredSize).longValue() < 0) {
        throw new InvalidInput(
            "Input '%s': binary_data_size must be a non-negative integer.".formatted(name));
      }
      long size = ((Number) declaredSize).longValue();
      if (size > remaining.remaining()) {
        throw new InvalidInput(
            "Input '%s' declares binary_data_size %d, but only %d bytes of binary data remain."
                .formatted(name, size, remaining.remaining()));
      }
      int bytes = (int) size;
      ByteBuffer data = remaining.slice(remaining.position(), bytes);
      remaining.position(remaining.position() + bytes);
      try {
        return Tensor.of(name, datatype, shape, data);
      } catch (IllegalArgumentException e) {
        throw new InvalidInput("Input '%s': %s.".formatted(name, e.getMessage()));
      }
    }

    void requireAllUsed() {
      if (remaining.hasRemaining()) {
        throw new InvalidInput(
            "%d bytes of binary data follow the JSON, but no input claims them (binary_data_size)."
                .formatted(remaining.remaining()));
      }
    }
  }
}
