package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a KServe v1 predict body, {@code {"instances": [...]}} (or {@code "inputs"}, which KServe
 * accepts too), into one tensor per model input, batched along the first dimension. Instances are
 * either values of the model's only input (a row of features, a nested array) or objects naming
 * each input, as TensorFlow Serving's row format does. Values are decoded straight into the
 * datatype the model takes.
 */
public final class V1RequestReader {
  private final ObjectMapper mapper;

  public V1RequestReader(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public InferenceRequest read(byte[] body, String model, String version, ModelMetadata metadata)
      throws IOException {
    try (JsonParser parser = mapper.getFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidInput("The request body must be a JSON object with 'instances'.");
      }
      List<Tensor> inputs = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if ((field.equals("instances") || field.equals("inputs")) && inputs == null) {
          inputs = readInstances(parser, metadata);
        } else {
          parser.skipChildren();
        }
      }
      if (inputs == null) {
        throw new InvalidInput("The request has no 'instances'.");
      }
      return new InferenceRequest(null, model, version, inputs, List.of(), Map.of());
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

  private static void readNamedInstance(JsonParser parser, Map<String, Batch> batches)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
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
      long[] shape = JsonTensorReader.readRow(parser, builder, spec.name());
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
