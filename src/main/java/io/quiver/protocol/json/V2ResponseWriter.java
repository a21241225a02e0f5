package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.InferenceResponse;
import io.quiver.core.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes an inference response as KServe does, field for field ({@code model_name, model_version,
 * id, parameters, outputs}, nulls included). Outputs the request asked for in binary ({@code
 * binary_data} on the output, or {@code binary_data_output} on the request) carry {@code
 * binary_data_size} and their raw bytes follow the JSON.
 */
public final class V2ResponseWriter {
  static final String BINARY_DATA = "binary_data";
  static final String BINARY_DATA_OUTPUT = "binary_data_output";

  private final ObjectMapper mapper;

  public V2ResponseWriter(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Appends the response to {@code out}.
   *
   * @return the length of the JSON part, or -1 when the whole body is JSON (no binary outputs)
   */
  public int write(InferenceRequest request, InferenceResponse response, ByteBuf out)
      throws IOException {
    boolean[] binary = binaryOutputs(request, response);
    boolean anyBinary = false;
    int start = out.writerIndex();
    try (JsonGenerator json = mapper.getFactory().createGenerator((OutputStream) new ByteBufOutputStream(out))) {
      json.writeStartObject();
      json.writeStringField("model_name", response.modelName());
      json.writeStringField("model_version", response.modelVersion());
      json.writeStringField("id", response.id());
      writeParameters(json, withoutBinaryControl(response.parameters()));
      json.writeArrayFieldStart("outputs");
      for (int i = 0; i < response.outputs().size(); i++) {
        Tensor output = response.outputs().get(i);
        json.writeStartObject();
        json.writeStringField("name", output.name());
        json.writeFieldName("shape");
        writeShape(json, output.shape());
        json.writeStringField("datatype", output.datatype().name());
        if (binary[i]) {
          anyBinary = true;
          json.writeObjectFieldStart("parameters");
          json.writeNumberField(V2RequestReader.BINARY_DATA_SIZE, output.byteSize());
          json.writeEndObject();
        } else {
          json.writeNullField("parameters");
          json.writeFieldName("data");
          JsonTensorWriter.writeFlat(json, output);
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    if (!anyBinary) {
      return -1;
    }
    int jsonLength = out.writerIndex() - start;
    for (int i = 0; i < response.outputs().size(); i++) {
      if (binary[i]) {
        out.writeBytes(response.outputs().get(i).data());
      }
    }
    return jsonLength;
  }

  private static boolean[] binaryOutputs(InferenceRequest request, InferenceResponse response) {
    boolean all = isTrue(request.parameters().get(BINARY_DATA_OUTPUT));
    boolean[] binary = new boolean[response.outputs().size()];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = all;
      String name = response.outputs().get(i).name();
      for (RequestedOutput requested : request.outputs()) {
        if (requested.name().equals(name) && requested.parameters().containsKey(BINARY_DATA)) {
          binary[i] = isTrue(requested.parameters().get(BINARY_DATA));
        }
      }
    }
    return binary;
  }

  private static boolean isTrue(Object value) {
    return Boolean.TRUE.equals(value) || "true".equals(value);
  }

  private static Map<String, Object> withoutBinaryControl(Map<String, Object> parameters) {
    if (!parameters.containsKey(BINARY_DATA_OUTPUT)) {
      return parameters;
    }
    Map<String, Object> copy = new LinkedHashMap<>(parameters);
    copy.remove(BINARY_DATA_OUTPUT);
    return copy;
  }

  private void writeParameters(JsonGenerator json, Map<String, Object> parameters) throws IOException {
    json.writeFieldName("parameters");
    if (parameters.isEmpty()) {
      json.writeNull();
    } else {
      mapper.writeValue(json, parameters);
    }
  }

  static void writeShape(JsonGenerator json, long[] shape) throws IOException {
    json.writeArray(shape, 0, shape.length);
  }

}
