package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceResponse;
import io.quiver.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Encodes {@code {"predictions": [...]}}: one entry per instance. A model with one output gives each
 * instance's value (nested as the output's shape), exactly what KServe's servers return; a model
 * with several gives an object per instance, keyed by output name (TensorFlow Serving's row format).
 */
public final class V1ResponseWriter {
  private final ObjectMapper mapper;

  public V1ResponseWriter(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Writes the predictions; a model whose outputs are the columns of one table is answered with
   * an object per row keyed by output name, even for a single output.
   */
  public byte[] write(InferenceResponse response) throws IOException {
    boolean rowObjects = response.outputsAreColumns();
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = mapper.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeFieldName("predictions");
      List<Tensor> outputs = response.outputs();
      if (outputs.size() == 1 && !rowObjects) {
        JsonTensorWriter.writeNested(json, outputs.getFirst(), 0, 0);
      } else if (sameBatch(outputs)) {
        writeRows(json, outputs);
      } else {
        json.writeStartObject();
        for (Tensor output : outputs) {
          json.writeFieldName(output.name());
          JsonTensorWriter.writeNested(json, output, 0, 0);
        }
        json.writeEndObject();
      }
      json.writeEndObject();
    }
    return out.toByteArray();
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
        JsonTensorWriter.writeNested(json, output, 1, row * rowSize);
      }
      json.writeEndObject();
    }
    json.writeEndArray();
  }
}
