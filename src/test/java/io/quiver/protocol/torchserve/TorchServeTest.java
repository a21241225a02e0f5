package io.quiver.protocol.torchserve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import org.junit.jupiter.api.Test;

/** TorchServe's inference and management reads, as its clients call them. */
@QuarkusTest
class TorchServeTest {
  private static final Expected IRIS = Expected.of("iris-onnx");

  @Test
  void predictionsTakeATensorBodyAndAnswerNestedLists() {
    Reply reply = Rest.post("/predictions/iris-onnx", IRIS.instances("input-0"));
    assertEquals(200, reply.status(), reply.text());
    for (JsonNode expected : IRIS.outputs()) {
      JsonNode actual = reply.json().get(expected.get("name").asText());
      assertEquals(expected.get("shape").get(0).asInt(), actual.size(), "one entry per row");
      Expected.assertValues(expected.get("data"), Expected.JSON.valueToTree(Expected.flatten(actual)), expected.get("name").asText());
    }

    ObjectNode byName = Expected.JSON.createObjectNode();
    byName.set("input-0", IRIS.instances("input-0"));
    assertEquals(reply.json(), Rest.post("/predictions/iris-onnx", byName).json(), "an object by input name answers the same");
  }

  @Test
  void mistakesAreRefusedWithTheRightStatus() {
    assertEquals(404, Rest.post("/predictions/no-such-model", "[[1, 2, 3, 4]]").status());
    Reply notTensor = Rest.post("/predictions/iris-onnx", "\"a picture\"");
    assertEquals(400, notTensor.status());
    assertTrue(notTensor.error().contains("JSON array of numbers"), notTensor.error());
    assertEquals(400, Rest.post("/predictions/iris-onnx", "[[1, 2, 3]]").status(), "wrong width");
    assertEquals(400, Rest.post("/predictions/iris-onnx", "{\"x\": [[1, 2, 3, 4]]}").status(), "unknown input");
  }

  @Test
  void pingAndManagementReads() {
    Reply ping = Rest.get("/ping");
    assertEquals(200, ping.status());
    assertEquals("Healthy", ping.json().get("status").asText());

    boolean listed = false;
    for (JsonNode model : Rest.get("/models").json().get("models")) {
      listed |= model.get("modelName").asText().equals("iris-onnx");
    }
    assertTrue(listed, "GET /models lists iris-onnx");
    JsonNode described = Rest.get("/models/iris-onnx").json().get(0);
    assertEquals("iris-onnx", described.get("modelName").asText());
    assertEquals("onnxruntime_onnx", described.get("runtime").asText());
    assertEquals("READY", described.get("workers").get(0).get("status").asText());
    assertEquals(404, Rest.get("/models/no-such-model").status());
  }
}
