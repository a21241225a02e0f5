package io.quiver.protocol.mlflow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.protocol.json.JsonTensorReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes MLflow's scoring request shapes into a request for the model's inputs:
 * {@code dataframe_split} ({@code columns} and {@code data} rows), {@code dataframe_records} (an
 * object per row), {@code instances} and {@code inputs} (rows, row objects, or tensors by name).
 */
public final class MlflowRequestReader {
  private final ObjectMapper mapper;

  public MlflowRequestReader(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public InferenceRequest read(byte[] body, String model, ModelMetadata metadata) throws IOException {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidInput("The request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInput("The request body must be a JSON object.");
    }
    Table table = table(root, metadata.inputs());
    if (table.byName == null && !isColumns(metadata.inputs()) && metadata.inputs().size() == 1) {
      // A data frame for a model that takes one tensor: its rows are the tensor's rows.
      TensorSpec only = metadata.inputs().getFirst();
      return new InferenceRequest(null, model, null, List.of(tensor(only, table.rows)), List.of(), Map.of());
    }
    List<Tensor> inputs = new ArrayList<>(metadata.inputs().size());
    for (int i = 0; i < metadata.inputs().size(); i++) {
      TensorSpec spec = metadata.inputs().get(i);
      inputs.add(tensor(spec, table.values(spec.name(), i, metadata.inputs().size())));
    }
    return new InferenceRequest(null, model, null, inputs, List.of(), Map.of());
  }

  /**
   * The request's data: rows (with column names when the format carries them), or values by input
   * name.
   */
  private record Table(List<String> columns, JsonNode rows, JsonNode byName) {

    /** The values of input {@code name}, the {@code index}th of {@code count}: a list, one per row. */
    JsonNode values(String name, int index, int count) {
      if (byName != null) {
        JsonNode values = byName.get(name);
        if (values == null) {
          throw new InvalidInput("The request has no input '%s'.".formatted(name));
        }
        return values;
      }
      ArrayNode column = JsonNodeFactory.instance.arrayNode();
      int position = columns == null ? index : columns.indexOf(name);
      if (position < 0) {
        throw new InvalidInput("The request has no column '%s' (columns: %s).".formatted(name, columns));
      }
      for (JsonNode row : rows) {
        if (row.isObject()) {
          JsonNode value = row.get(name);
          if (value == null) {
            throw new InvalidInput("A row lacks the column '%s'.".formatted(name));
          }
          column.add(value);
        } else if (row.isArray() && row.size() == (columns == null ? count : columns.size())) {
          column.add(row.get(position));
        } else if (!row.isArray() && count == 1) {
          column.add(row);
        } else {
          throw new InvalidInput(
              "Each row must hold %d values, in %s order."
                  .formatted(columns == null ? count : columns.size(), columns == null ? "the model's column" : "the columns'"));
        }
      }
      return column;
    }
  }

  private static Table table(JsonNode root, List<TensorSpec> inputs) {
    if (root.has("dataframe_split")) {
      JsonNode split = root.get("dataframe_split");
      List<String> columns = null;
      if (split.has("columns")) {
        columns = new ArrayList<>();
        for (JsonNode column : split.get("columns")) {
          columns.add(column.asText());
        }
      }
      return new Table(columns, list(split.get("data"), "dataframe_split.data"), null);
    }
    if (root.has("dataframe_records")) {
      return new Table(null, list(root.get("dataframe_records"), "dataframe_records"), null);
    }
    for (String field : new String[] {"instances", "inputs"}) {
      JsonNode data = root.get(field);
      if (data == null) {
        continue;
      }
      if (data.isObject()) {
        return new Table(null, null, data);
      }
      JsonNode rows = list(data, field);
      boolean records = !rows.isEmpty() && rows.get(0).isObject();
      return records || inputs.size() > 1 || isColumns(inputs)
          ? new Table(null, rows, null)
          : new Table(null, null, JsonNodeFactory.instance.objectNode().set(inputs.getFirst().name(), rows));
    }
    throw new InvalidInput(
        "The body must hold one of MLflow's scoring formats: dataframe_split, dataframe_records, instances or inputs.");
  }

  private static boolean isColumns(List<TensorSpec> inputs) {
    return inputs.stream().allMatch(input -> input.shape().length == 1);
  }

  private static JsonNode list(JsonNode node, String field) {
    if (node == null || !node.isArray()) {
      throw new InvalidInput("'%s' must be a list.".formatted(field));
    }
    if (node.isEmpty()) {
      throw new InvalidInput("'%s' is empty: send at least one row.".formatted(field));
    }
    return node;
  }

  /** A nested list as a tensor of the input's datatype; its nesting gives the shape. */
  private static Tensor tensor(TensorSpec spec, JsonNode values) throws IOException {
    TensorBuilder builder = new TensorBuilder(spec.datatype(), 64);
    try (JsonParser parser = values.traverse()) {
      parser.nextToken();
      long[] shape = JsonTensorReader.readRow(parser, builder, spec.name(), MlflowRequestReader::readCell);
      return builder.build(spec.name(), shape);
    }
  }

  /**
   * One cell, as MLflow's data frames take it: any scalar as text in a text column, null as NaN in
   * a floating-point one, and numbers written as text in a numeric one.
   */
  private static void readCell(JsonParser parser, TensorBuilder builder, String name) throws IOException {
    JsonToken token = parser.currentToken();
    if (builder.datatype() == DataType.BYTES && token.isScalarValue()) {
      builder.addBytes(parser.getText().getBytes(StandardCharsets.UTF_8));
    } else if (token == JsonToken.VALUE_NULL && builder.datatype().isFloatingPoint()) {
      builder.addDouble(Double.NaN);
    } else if (token == JsonToken.VALUE_STRING) {
      try {
        builder.addDouble(Double.parseDouble(parser.getText().trim()));
      } catch (NumberFormatException e) {
        throw new InvalidInput(
            "Input '%s': %s data must be numbers, got \"%s\".".formatted(name, builder.datatype(), parser.getText()));
      }
    } else {
      JsonTensorReader.readValue(parser, builder, name);
    }
  }
}
