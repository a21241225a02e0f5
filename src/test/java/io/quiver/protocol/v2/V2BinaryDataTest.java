package io.quiver.protocol.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The binary tensor data extension, as KServe's and Triton's clients use it. */
@QuarkusTest
class V2BinaryDataTest {
  private static final Expected IRIS = Expected.of("iris-onnx");

  @Test
  void binaryInputsAndABinaryOutput() {
    JsonNode input = IRIS.input("input-0");
    ByteBuffer raw = ByteBuffer.allocate(input.get("data").size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    input.get("data").forEach(value -> raw.putFloat((float) value.asDouble()));
    ObjectNode header = Expected.JSON.createObjectNode();
    ObjectNode tensor = header.putArray("inputs").addObject();
    tensor.put("name", "input-0").put("datatype", "FP32").set("shape", input.get("shape"));
    tensor.putObject("parameters").put("binary_data_size", raw.capacity());
    header.putArray("outputs").addObject().put("name", "probabilities").putObject("parameters").put("binary_data", true);

    Reply reply = postBinary(header, raw.array());

    assertEquals(200, reply.status(), reply.text());
    assertEquals("application/octet-stream", reply.header("content-type").orElseThrow());
    int jsonLength = Integer.parseInt(reply.header("inference-header-content-length").orElseThrow());
    JsonNode json = readJson(reply.body(), jsonLength);
    JsonNode output = json.at("/outputs/0");
    assertEquals("probabilities", output.get("name").asText());
    assertFalse(output.has("data"));
    int size = output.at("/parameters/binary_data_size").asInt();
    assertEquals(reply.body().length - jsonLength, size);
    ByteBuffer values = ByteBuffer.wrap(reply.body(), jsonLength, size).order(ByteOrder.LITTLE_ENDIAN);
    JsonNode expected = IRIS.output("probabilities").get("data");
    for (int i = 0; i < expected.size(); i++) {
      Expected.assertClose(expected.get(i).asDouble(), values.getFloat(), "probabilities[" + i + "]");
    }
  }

  @Test
  void binaryDataOutputMakesEveryOutputBinaryUnlessOneSaysOtherwise() {
    ObjectNode request = IRIS.request();
    request.putObject("parameters").put("binary_data_output", true);
    request.putArray("outputs").addObject().put("name", "label").putObject("parameters").put("binary_data", false);
    request.withArray("outputs").addObject().put("name", "probabilities");

    Reply reply = Rest.post("/v2/models/iris-onnx/infer", request);
    int jsonLength = Integer.parseInt(reply.header("inference-header-content-length").orElseThrow());
    JsonNode json = readJson(reply.body(), jsonLength);
    assertTrue(json.get("parameters").isNull(), "binary_data_output is not echoed: " + json);
    Expected.assertTensor(IRIS.output("label"), json.at("/outputs/0"));
    assertEquals(IRIS.output("probabilities").get("data").size() * 4, json.at("/outputs/1/parameters/binary_data_size").asInt());
    assertEquals(jsonLength + IRIS.output("probabilities").get("data").size() * 4, reply.body().length);
  }

  @Test
  void binaryBytesAndBooleans() {
    // BYTES elements travel as a 4-byte little-endian length and the bytes; BOOL as one byte.
    Expected allTypes = Expected.of("all-types");
    ObjectNode request = allTypes.request();
    ByteArrayOutputStream binary = new ByteArrayOutputStream();
    for (JsonNode tensor : request.withArray("inputs")) {
      String name = tensor.get("name").asText();
      if (name.equals("in_bytes") || name.equals("in_bool")) {
        byte[] raw = name.equals("in_bytes") ? lengthPrefixed(tensor.get("data")) : booleans(tensor.get("data"));
        binary.writeBytes(raw);
        ((ObjectNode) tensor).remove("data");
        ((ObjectNode) tensor).putObject("parameters").put("binary_data_size", raw.length);
      }
    }
    Reply reply = postBinary(request, binary.toByteArray());
    assertEquals(200, reply.status(), reply.text());
    V2RestTest.assertOutputs(allTypes, reply.json());
  }

  @Test
  void binarySizeNotMatchingTheShapeIsRejected() {
    ObjectNode header = Expected.JSON.createObjectNode();
    ObjectNode tensor = header.putArray("inputs").addObject();
    tensor.put("name", "input-0").put("datatype", "FP32").putArray("shape").add(1).add(4);
    tensor.putObject("parameters").put("binary_data_size", 12);
    Reply reply = postBinary(header, new byte[12]);
    V2ErrorsTest.assertError(reply, 400, "shape [1,4] holds 4 FP32 elements (16 bytes), got 12 bytes");
    Reply leftover = postBinary(IRIS.request(), new byte[8]);
    V2ErrorsTest.assertError(leftover, 400, "8 bytes of binary data follow the JSON, but no input claims them");
  }

  private static Reply postBinary(JsonNode header, byte[] binary) {
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(json, json.length + binary.length);
    System.arraycopy(binary, 0, body, json.length, binary.length);
    return Rest.post(
        "/v2/models/" + (header.toString().contains("in_bytes") ? "all-types" : "iris-onnx") + "/infer",
        body,
        "Inference-Header-Content-Length",
        Integer.toString(json.length),
        "Content-Type",
        "application/octet-stream");
  }

  private static JsonNode readJson(byte[] body, int length) {
    try {
      return Expected.JSON.readTree(new String(body, 0, length, StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] lengthPrefixed(JsonNode strings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (JsonNode text : strings) {
      byte[] bytes = text.asText().getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array());
      out.writeBytes(bytes);
    }
    return out.toByteArray();
  }

  private static byte[] booleans(JsonNode flags) {
    byte[] bytes = new byte[flags.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (flags.get(i).asBoolean() ? 1 : 0);
    }
    return bytes;
  }
}
