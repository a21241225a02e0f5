package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceResponse;
import io.quiver.core.tensor.Tensor;
import io.quiver.protocol.json.V1RequestReader.Layout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Encodes a {@code :predict} answer as KServe's v1 and TensorFlow Serving do. Rows: {@code
 * {"predictions": [...]}}, one entry per instance: a model with one output gives each instance's
 * value (nested as the output's shape), exactly what KServe's servers return; a model with several
 * gives an object per instance, keyed by output name. Columns: {@code {"outputs": ...}}, the only
 * output's whole tensor, or an object of them by name. BYTES outputs whose name ends in {@code
 * _bytes} are written as {@code {"b64": "..."}} values, TensorFlow Serving's rule for binary data.
 */
public final class V1ResponseWriter {
  private static final String BINARY_SUFFIX = "_bytes";

  private final ObjectMapper mapper;

  public V1ResponseWriter(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Writes the answer in the layout the request used; a model whose outputs are the columns of one
   * table is answered with an object per row keyed by output name, even for a single output.
   */
  public byte[] write(InferenceResponse response, Layout layout) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
      json.writeStartObject();
      List<Tensor> outputs = response.outputs();
      if (layout == Layout.COLUMNS) {
        json.writeFieldName("outputs");
        writeColumns(json, outputs);
      } else {
        json.writeFieldName("predictions");
        if (outputs.size() == 1 && !response.outputsAreColumns()) {
          writeNested(json, outputs.getFirst(), 0, 0);
        } else if (sameBatch(outputs)) {
          writeRows(json, outputs);
        } else {
          writeColumns(json, outputs);
        }
      }
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void writeColumns(JsonGenerator json, List<Tensor> outputs) throws IOException {
    NamedTensors.write(json, outputs, V1ResponseWriter::isBinary);
  }

  private static void writeNested(JsonGenerator json, Tensor output, int axis, int from) throws IOException {
    JsonTensorWriter.writeNested(json, output, axis, from, isBinary(output));
  }

  private static boolean isBinary(Tensor output) {
    return output.name().endsWith(BINARY_SUFFIX);
  }

  private static boolean sameBatch(List<Tensor> outputs) {
    for (Tensor output : outputs) {
      if (output.rank() == 0 || output.dim(0) != outputs.getFirst().dim(0)) {
        return false;
      }
    }
    return true;
  }

  private static void writeRows(JsonGenerator json, List<Tensor> outputs) throws IOException {
    json.writeStartArray();
    long rows = outputs.getFirst().dim(0);
    for (int row = 0; row < rows; row++) {
      json.writeStartObject();
      for (Tensor output : outputs) {
        int rowSize = Math.toIntExact(output.elementCount() / Math.max(1, rows));
        json.writeFieldName(output.name());
        writeNested(json, output, 1, row * rowSize);
      }
      json.writeEndObject();
    }
    json.writeEndArray();
  }
}
