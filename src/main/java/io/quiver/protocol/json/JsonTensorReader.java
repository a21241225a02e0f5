package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.TensorBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams JSON tensor data straight into a {@link TensorBuilder}: no intermediate tree, no boxed
 * numbers. Accepts data flat (row-major) or nested, as the Open Inference Protocol allows.
 */
public final class JsonTensorReader {
  private JsonTensorReader() {}

  /**
   * Reads a tensor's {@code data}: the parser is on its first token (an array, or a lone value).
   * Nesting is flattened row-major; the element count is checked against the shape later.
   */
  public static void readData(JsonParser parser, TensorBuilder builder, String tensor)
      throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      readValue(parser, builder, tensor);
      return;
    }
    int depth = 0;
    JsonToken token = parser.currentToken();
    do {
      if (token == JsonToken.START_ARRAY) {
        depth++;
      } else if (token == JsonToken.END_ARRAY) {
        depth--;
      } else {
        readValue(parser, builder, tensor);
      }
      if (depth > 0) {
        token = parser.nextToken();
      }
    } while (depth > 0);
  }

  /**
   * Reads one row of nested arrays (a KServe v1 instance) and returns its shape; ragged nesting is
   * rejected.
   */
  public static long[] readRow(JsonParser parser, TensorBuilder builder, String tensor)
      throws IOException {
    return readRow(parser, builder, tensor, JsonTensorReader::readValue);
  }

  /** Reads one scalar under the parser into the builder. */
  @FunctionalInterface
  public interface ValueReader {
    void read(JsonParser parser, TensorBuilder builder, String tensor) throws IOException;
  }

  /** {@link #readRow(JsonParser, TensorBuilder, String)} with a protocol's own rules for scalars. */
  public static long[] readRow(JsonParser parser, TensorBuilder builder, String tensor, ValueReader values)
      throws IOException {
    List<Long> shape = new ArrayList<>();
    readNested(parser, builder, tensor, values, 0, shape, true);
    return shape.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Reads nested arrays depth-first. The first path down fixes the shape (a placeholder per level,
   * filled in when its array closes); every later array must match it.
   */
  private static void readNested(
      JsonParser parser,
      TensorBuilder builder,
      String tensor,
      ValueReader values,
      int depth,
      List<Long> shape,
      boolean first)
      throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      if (depth != shape.size()) {
        throw ragged(tensor);
      }
      values.read(parser, builder, tensor);
      return;
    }
    if (first) {
      shape.add(-1L);
    } else if (depth >= shape.size()) {
      throw ragged(tensor);
    }
    long length = 0;
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      readNested(parser, builder, tensor, values, depth + 1, shape, first && length == 0);
      length++;
    }
    if (first) {
      shape.set(depth, length);
    } else if (shape.get(depth) != length) {
      throw ragged(tensor);
    }
  }

  private static InvalidInput ragged(String tensor) {
    return new InvalidInput(
        "Input '%s': instances must all have the same shape (nested lists of equal lengths)."
            .formatted(tensor));
  }

  /** Reads the scalar under the parser into the builder, checking it suits the datatype. */
  public static void readValue(JsonParser parser, TensorBuilder builder, String tensor)
      throws IOException {
    DataType datatype = builder.datatype();
    JsonToken token = parser.currentToken();
    try {
      if (token == JsonToken.VALUE_NULL && datatype.isFloatingPoint()) {
        // orjson (KServe's own client) writes NaN as null; numpy reads null back as NaN.
        builder.addDouble(Double.NaN);
        return;
      }
      if (token.isNumeric() && datatype == DataType.BYTES) {
        // Tables mixing numbers and text (scikit-learn, MLflow) arrive as one BYTES tensor.
        builder.addBytes(parser.getText().getBytes(StandardCharsets.US_ASCII));
        return;
      }
      switch (token) {
        case VALUE_NUMBER_INT -> {
          switch (parser.getNumberType()) {
            case INT, LONG -> builder.addLong(parser.getLongValue());
            default -> builder.addBigInteger(parser.getBigIntegerValue());
          }
        }
        case VALUE_NUMBER_FLOAT -> builder.addDouble(parser.getDoubleValue());
        case VALUE_TRUE, VALUE_FALSE -> builder.addBoolean(token == JsonToken.VALUE_TRUE);
        case VALUE_STRING -> readString(parser.getText(), builder);
        default -> throw new IllegalArgumentException("%s data cannot hold %s".formatted(datatype, describe(token)));
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("Input '%s': %s.".formatted(tensor, e.getMessage()));
    }
  }

  private static void readString(String text, TensorBuilder builder) {
    if (builder.datatype() == DataType.BYTES) {
      builder.addBytes(text.getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (builder.datatype().isFloatingPoint()) {
      // JSON has no literal for these; clients send them as strings.
      switch (text) {
        case "NaN" -> {
          builder.addDouble(Double.NaN);
          return;
        }
        case "Infinity", "inf" -> {
          builder.addDouble(Double.POSITIVE_INFINITY);
          return;
        }
        case "-Infinity", "-inf" -> {
          builder.addDouble(Double.NEGATIVE_INFINITY);
          return;
        }
        default -> {}
      }
    }
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    throw new IllegalArgumentException(
        "%s data must be %s, got the string \"%s\""
            .formatted(builder.datatype(), builder.datatype() == DataType.BOOL ? "true or false" : "numbers", shown));
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }
}
