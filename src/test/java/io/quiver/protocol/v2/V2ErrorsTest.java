package io.quiver.protocol.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every class of bad request gets the right status and a JSON error naming the problem, and the
 * server goes on serving everything.
 */
@QuarkusTest
class V2ErrorsTest {
  private static final String IRIS_ONNX = "/v2/models/iris-onnx/infer";

  @AfterEach
  void serverStillServes() {
    assertEquals(200, Rest.get("/v2/health/ready").status());
    Reply reply = Rest.post(IRIS_ONNX, Expected.of("iris-onnx").request());
    assertEquals(200, reply.status(), reply.text());
    V2RestTest.assertOutputs(Expected.of("iris-onnx"), reply.json());
  }

  @Test
  void unknownModel() {
    assertError(Rest.post("/v2/models/nosuch/infer", "{}"), 404, "Model with name nosuch does not exist.");
    assertError(Rest.get("/v2/models/nosuch"), 404, "Model with name nosuch does not exist.");
  }

  @Test
  void malformedJson() {
    assertError(Rest.post(IRIS_ONNX, "{\"inputs\":[{\"name\":\"input-0\""), 400, "Unrecognized request format");
    assertError(Rest.post(IRIS_ONNX, ""), 400, "body must be a JSON object");
    assertError(Rest.post(IRIS_ONNX, "[1,2]"), 400, "body must be a JSON object");
  }

  @Test
  void missingFields() {
    assertError(Rest.post(IRIS_ONNX, "{\"id\":\"x\"}"), 400, "no 'inputs'");
    assertError(
        Rest.post(IRIS_ONNX, "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}"),
        400,
        "Input 'input-0' has no 'datatype'");
    assertError(
        Rest.post(IRIS_ONNX, "{\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}"),
        400,
        "Input 'input-0' has no 'shape'");
  }

  @Test
  void unknownInputName() {
    assertError(Rest.post(IRIS_ONNX, input("x", "FP32", "[1,4]", "[1,2,3,4]")), 400,
        "Model iris-onnx has no input named 'x' (inputs: input-0).");
  }

  @Test
  void missingInput() {
    String onlyX = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}";
    assertError(Rest.post("/v2/models/mixed-types/infer", onlyX), 400,
        "Model mixed-types needs input 'counts', which the request lacks");
  }

  @Test
  void wrongDatatype() {
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP64", "[1,4]", "[1,2,3,4]")), 400,
        "Input 'input-0' of model iris-onnx must be FP32, got FP64.");
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FOO32", "[1,4]", "[1,2,3,4]")), 400,
        "unknown datatype 'FOO32'");
    assertError(Rest.post("/v2/models/iris-xgboost/infer", input("input-0", "BYTES", "[1,4]", "[\"a\",\"b\",\"c\",\"d\"]")),
        400, "must be FP32 (or another numeric type), got BYTES");
  }

  @Test
  void valuesThatDoNotFitTheDatatype() {
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", "[1,4]", "[\"a\",\"b\",\"c\",\"d\"]")), 400,
        "Input 'input-0': FP32 data must be numbers, got the string \"a\"");
    assertError(Rest.post("/v2/models/all-types/infer", allTypesWith("in_uint8", "[[0,1],[300,2]]")), 400,
        "UINT8 cannot hold 300");
    assertError(Rest.post("/v2/models/all-types/infer", allTypesWith("in_int8", "[[1,2],[3,4.5]]")), 400,
        "INT8 cannot hold 4.5");
    assertError(Rest.post("/v2/models/all-types/infer", allTypesWith("in_bool", "[[1,0],[0,1]]")), 400,
        "BOOL cannot hold the number 1");
  }

  @Test
  void wrongShape() {
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", "[1,3]", "[1,2,3]")), 400,
        "Input 'input-0' of model iris-onnx must have shape [-1,4], got [1,3].");
    assertError(Rest.post("/v2/models/iris-xgboost/infer", input("input-0", "FP32", "[1,3]", "[1,2,3]")), 400,
        "must have shape [-1,4], got [1,3]");
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", "[4]", "[1,2,3,4]")), 400, "must have shape [-1,4], got [4]");
  }

  @Test
  void dataLengthNotMatchingTheShape() {
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", "[2,4]", "[1,2,3,4]")), 400,
        "Input 'input-0': shape [2,4] needs 8 elements, got 4.");
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", "[1,-4]", "[1,2,3,4]")), 400,
        "must hold non-negative 64-bit integers");
  }

  @Test
  void impossibleShapesAreRefusedBeforeAnythingIsAllocated() {
    for (String shape : new String[] {"[2147483647,2147483647,2147483647]", "[9223372036854775807,2]"}) {
      assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", shape, "[1,2,3,4]")), 400,
          "The shape " + shape + " of input 'input-0' describes more elements than a tensor can hold");
    }
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", "[1152921504606846977,4]", "[1,2,3,4]")), 400,
        "shape [1152921504606846977,4] needs 4611686018427387908 elements, got 4");
    assertError(Rest.post(IRIS_ONNX, input("input-0", "FP32", "[18446744073709551617,4]", "[1,2,3,4]")), 400,
        "must hold non-negative 64-bit integers");
    // 2^60 + 1 rows of 4 FP32 values: the byte count wraps to 16 in 64-bit arithmetic
    assertError(binaryRequest("[1152921504606846977,4]", "16"), 400,
        "holds 4611686018427387908 FP32 elements (over 2^63 bytes), got 16 bytes");
  }

  @Test
  void aBinarySizeBeyond64BitsIsRefusedNotWrapped() {
    assertError(binaryRequest("[1,4]", "18446744073709551632"), 400, "binary_data_size must be a non-negative integer");
  }

  /** An FP32 input of the given shape declaring {@code binarySize} bytes, followed by 16 bytes of data. */
  private static Reply binaryRequest(String shape, String binarySize) {
    String head =
        "{\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":%s,\"parameters\":{\"binary_data_size\":%s}}]}"
            .formatted(shape, binarySize);
    byte[] json = head.getBytes(StandardCharsets.UTF_8);
    byte[] body = java.util.Arrays.copyOf(json, json.length + 16);
    return Rest.post(IRIS_ONNX, body, "Inference-Header-Content-Length", Integer.toString(json.length));
  }

  @Test
  void anIdThatIsNotAStringIsRefused() {
    String nested =
        "{\"id\": {\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,2,3,4]}]}}";
    assertError(Rest.post(IRIS_ONNX, nested), 400, "'id' must be a string.");
  }

  @Test
  void aRepeatedBinaryHeaderIsRefused() {
    byte[] body = Expected.of("iris-onnx").request().toString().getBytes(StandardCharsets.UTF_8);
    String length = Integer.toString(body.length);
    assertError(
        Rest.post(IRIS_ONNX, body, "Inference-Header-Content-Length", length, "Inference-Header-Content-Length", "0"),
        400,
        "Inference-Header-Content-Length appears 2 times; send it once.");
  }

  @Test
  void unknownRequestedOutput() {
    ObjectNode request = Expected.of("iris-onnx").request();
    request.putArray("outputs").addObject().put("name", "nope");
    assertError(Rest.post(IRIS_ONNX, request), 400, "Model iris-onnx has no output named 'nope' (outputs: label, probabilities).");
  }

  @Test
  void modelThatFailedToLoadIsNotReadyAndSaysWhy() {
    Reply reply = Rest.post("/v2/models/corrupt-onnx/infer", Expected.of("iris-onnx").request());
    assertError(reply, 503, "Model with name corrupt-onnx is not ready (FAILED:");
    assertTrue(reply.error().contains("Protobuf parsing failed"), reply.error());
    assertError(Rest.get("/v2/models/corrupt-xgboost"), 503, "is not ready (FAILED:");
    Reply ready = Rest.get("/v2/models/corrupt-onnx/ready");
    assertEquals(200, ready.status());
    assertEquals(false, ready.json().get("ready").asBoolean());
    assertTrue(ready.json().get("reason").asText().contains("Protobuf parsing failed"), ready.text());
    assertTrue(Rest.get("/v2/models/unsupported/ready").json().get("reason").asText()
        .contains("no runtime recognises the files [model.h5]"));
    assertTrue(Rest.get("/v2/models/onnx-on-cuda/ready").json().get("reason").asText()
        .contains("device is cuda, but CUDA device 0 cannot be used here"));
  }

  @Test
  void badBinaryHeader() {
    byte[] body = Expected.of("iris-onnx").request().toString().getBytes(StandardCharsets.UTF_8);
    assertError(Rest.post(IRIS_ONNX, body, "Inference-Header-Content-Length", "99999"), 400,
        "Inference-Header-Content-Length must be a byte count between 0 and the body length");
    assertError(Rest.post(IRIS_ONNX, body, "Inference-Header-Content-Length", "abc"), 400,
        "Inference-Header-Content-Length");
  }

  @Test
  void bodyAnnouncedOverTheLimitIs413() throws IOException {
    String reply = rawExchange(
        "POST " + IRIS_ONNX + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000000\r\n\r\n", 0);
    assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
    assertTrue(reply.contains("content-type: application/json"), reply);
    assertTrue(reply.contains("{\"error\":\"Request body is larger than the limit of 67108864 bytes"), reply);
  }

  @Test
  void chunkedBodyOverTheLimitIs413() throws IOException {
    String reply = rawExchange(
        "POST " + IRIS_ONNX + " HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n", 70 << 20);
    assertTrue(reply.startsWith("HTTP/1.1 413"), reply);
    assertTrue(reply.contains("{\"error\":\"Request body is larger than the limit"), reply);
  }

  /** Sends a request head, then up to {@code chunkedBytes} of chunked body, and reads the reply. */
  private static String rawExchange(String head, int chunkedBytes) throws IOException {
    try (Socket socket = new Socket(Rest.uri("/").getHost(), Rest.uri("/").getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1 << 20];
      try {
        for (int sent = 0; sent < chunkedBytes; sent += chunk.length) {
          out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
      } catch (IOException closedByServer) {
        // the server answers and closes as soon as the limit is passed
      }
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder reply = new StringBuilder();
      byte[] buffer = new byte[512];
      int read;
      while (!reply.toString().endsWith("}") && (read = in.read(buffer)) > 0) {
        reply.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
      }
      return reply.toString();
    }
  }

  private static String input(String name, String datatype, String shape, String data) {
    return "{\"inputs\":[{\"name\":\"%s\",\"datatype\":\"%s\",\"shape\":%s,\"data\":%s}]}"
        .formatted(name, datatype, shape, data);
  }

  private static String allTypesWith(String input, String data) {
    ObjectNode request = Expected.of("all-types").request();
    request.withArray("inputs").forEach(node -> {
      if (node.get("name").asText().equals(input)) {
        try {
          ((ObjectNode) node).set("data", Expected.JSON.readTree(data));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    });
    return request.toString();
  }

  static void assertError(Reply reply, int status, String containing) {
    assertEquals(status, reply.status(), reply.text());
    assertEquals("application/json", reply.header("content-type").orElseThrow());
    assertTrue(reply.error().contains(containing), "error '" + reply.error() + "' should contain '" + containing + "'");
  }
}
