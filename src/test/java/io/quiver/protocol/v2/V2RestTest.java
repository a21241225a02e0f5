package io.quiver.protocol.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Open Inference Protocol over REST, against models made by ONNX, PyTorch and XGBoost. */
@QuarkusTest
class V2RestTest {

  @Test
  void healthAndServerMetadata() {
    assertJson(Rest.get("/v2/health/live"), 200, "{\"live\":true}");
    assertJson(Rest.get("/v2/health/ready"), 200, "{\"ready\":true}");
    assertJson(Rest.get("/"), 200, "{\"status\":\"alive\"}");
    Reply server = Rest.get("/v2");
    assertEquals(200, server.status());
    assertEquals("quiver", server.json().get("name").asText());
    assertFalse(server.json().get("version").asText().isEmpty());
    assertTrue(server.json().get("extensions").toString().contains("model_repository_extension"));
  }

  @Test
  void listsTheModelsOfTheRepository() {
    JsonNode models = Rest.get("/v2/models").json().get("models");
    for (String name : List.of("iris-onnx", "iris-xgboost", "xgb-formats", "mixed-types", "corrupt-onnx")) {
      assertTrue(models.toString().contains("\"" + name + "\""), name + " in " + models);
    }
  }

  @Test
  void onnxMetadataComesFromTheModel() {
    Reply reply = Rest.get("/v2/models/iris-onnx");
    assertJson(
        reply,
        200,
        "{\"name\":\"iris-onnx\",\"versions\":null,\"platform\":\"onnxruntime_onnx\","
            + "\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
            + "\"outputs\":[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[-1]},"
            + "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]}");
    JsonNode mixed = Rest.get("/v2/models/mixed-types").json();
    assertEquals("[\"x\",\"counts\"]", names(mixed.get("inputs")));
    assertEquals("[\"scaled\",\"count_sum\",\"is_big\"]", names(mixed.get("outputs")));
  }

  @Test
  void xgboostMetadataNamesTensorsAsKServeDoes() {
    assertJson(
        Rest.get("/v2/models/iris-xgboost"),
        200,
        "{\"name\":\"iris-xgboost\",\"versions\":null,\"platform\":\"xgboost\","
            + "\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":[-1,4]}],"
            + "\"outputs\":[{\"name\":\"output-0\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]}");
    assertEquals("[-1]", Rest.get("/v2/models/xgb-binary").json().at("/outputs/0/shape").toString());
  }

  @ParameterizedTest
  @CsvSource({
    "iris-onnx, iris-onnx",
    "iris-xgboost, iris-xgboost",
    "xgb-formats, xgb-formats",
    "xgb-binary, xgb-binary",
    "mixed-types, mixed-types",
    "all-types, all-types",
    "named-file, iris-xgboost"
  })
  void answersWhatTheProducingLibraryComputed(String model, String fixture) {
    Expected expected = Expected.of(fixture);
    Reply reply = Rest.post("/v2/models/" + model + "/infer", expected.request());
    assertEquals(200, reply.status(), reply.text());
    assertEquals("application/json", reply.header("content-type").orElseThrow());
    JsonNode response = reply.json();
    assertEquals(model, response.get("model_name").asText());
    assertOutputs(expected, response);
  }

  @Test
  void responseHasKServesShapeFieldForField() {
    ObjectNode request = Expected.of("iris-xgboost").request();
    request.put("id", "req-1");
    JsonNode response = Rest.post("/v2/models/iris-xgboost/infer", request).json();
    List<String> fields = fieldNames(response);
    assertEquals(List.of("model_name", "model_version", "id", "parameters", "outputs"), fields);
    assertTrue(response.get("model_version").isNull());
    assertTrue(response.get("parameters").isNull());
    assertEquals("req-1", response.get("id").asText());
    assertEquals(
        List.of("name", "shape", "datatype", "parameters", "data"), fieldNames(response.at("/outputs/0")));
  }

  @Test
  void assignsAnIdWhenTheRequestHasNone() {
    JsonNode response = Rest.post("/v2/models/iris-onnx/infer", Expected.of("iris-onnx").request()).json();
    assertTrue(
        response.get("id").asText().matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
        response.get("id").asText());
  }

  @Test
  void carriesParametersThrough() {
    ObjectNode request = Expected.of("iris-onnx").request();
    request.putObject("parameters").put("tenant", "blue").put("priority", 3).put("trace", true);
    JsonNode response = Rest.post("/v2/models/iris-onnx/infer", request).json();
    assertEquals("{\"tenant\":\"blue\",\"priority\":3,\"trace\":true}", response.get("parameters").toString());
  }

  @Test
  void acceptsNestedData() {
    Expected expected = Expected.of("iris-onnx");
    ObjectNode request = expected.request();
    ((ObjectNode) request.at("/inputs/0")).set("data", expected.instances("input-0"));
    assertOutputs(expected, Rest.post("/v2/models/iris-onnx/infer", request).json());
  }

  @Test
  void acceptsDataBeforeItsDatatypeAndShape() {
    Expected expected = Expected.of("iris-xgboost");
    JsonNode input = expected.input("input-0");
    String body =
        "{\"inputs\":[{\"data\":%s,\"name\":\"input-0\",\"shape\":%s,\"datatype\":\"FP32\"}]}"
            .formatted(input.get("data"), input.get("shape"));
    assertOutputs(expected, Rest.post("/v2/models/iris-xgboost/infer", body).json());
  }

  @Test
  void tabularModelsTakeAnyNumericDatatype() {
    Expected expected = Expected.of("iris-xgboost");
    ObjectNode request = expected.request();
    ((ObjectNode) request.at("/inputs/0")).put("datatype", "FP64");
    assertOutputs(expected, Rest.post("/v2/models/iris-xgboost/infer", request).json());
    ObjectNode integers = Expected.JSON.createObjectNode();
    integers.putArray("inputs").addObject().put("name", "input-0").put("datatype", "INT32")
        .<ObjectNode>set("shape", Expected.JSON.valueToTree(new int[] {1, 4}))
        .set("data", Expected.JSON.valueToTree(new int[] {6, 2, 4, 1}));
    Reply reply = Rest.post("/v2/models/iris-xgboost/infer", integers);
    assertEquals(200, reply.status(), reply.text());
    assertEquals("[1,3]", reply.json().at("/outputs/0/shape").toString());
  }

  @Test
  void requestedOutputsChooseAndOrder() {
    ObjectNode request = Expected.of("iris-onnx").request();
    request.putArray("outputs").addObject().put("name", "probabilities");
    JsonNode one = Rest.post("/v2/models/iris-onnx/infer", request).json();
    assertEquals("[\"probabilities\"]", names(one.get("outputs")));
    ArrayNode both = request.putArray("outputs");
    both.addObject().put("name", "probabilities");
    both.addObject().put("name", "label");
    JsonNode two = Rest.post("/v2/models/iris-onnx/infer", request).json();
    assertEquals("[\"probabilities\",\"label\"]", names(two.get("outputs")));
    Expected.assertTensor(Expected.of("iris-onnx").output("label"), two.get("outputs").get(1));
  }

  @Test
  void servesEveryVersionAndTheHighestByDefault() {
    Expected expected = Expected.of("xgb-formats");
    JsonNode metadata = Rest.get("/v2/models/xgb-formats").json();
    assertEquals("[\"1\",\"2\",\"3\"]", metadata.get("versions").toString());
    assertEquals("3", Rest.post("/v2/models/xgb-formats/infer", expected.request()).json().get("model_version").asText());
    // version 1 is the legacy binary .bst, 2 UBJSON, 3 JSON: one booster, the same answers.
    for (String version : List.of("1", "2", "3")) {
      Reply reply = Rest.post("/v2/models/xgb-formats/versions/" + version + "/infer", expected.request());
      assertEquals(200, reply.status(), reply.text());
      assertEquals(version, reply.json().get("model_version").asText());
      assertOutputs(expected, reply.json());
      assertJson(
          Rest.get("/v2/models/xgb-formats/versions/" + version + "/ready"),
          200,
          "{\"name\":\"xgb-formats\",\"ready\":true}");
      assertEquals(200, Rest.get("/v2/models/xgb-formats/versions/" + version).status());
    }
    Reply missing = Rest.post("/v2/models/xgb-formats/versions/7/infer", expected.request());
    assertEquals(404, missing.status());
    assertTrue(missing.error().contains("no version 7"), missing.error());
    Reply unversioned = Rest.get("/v2/models/iris-onnx/versions/1");
    assertEquals(404, unversioned.status());
    assertTrue(unversioned.error().contains("not versioned"), unversioned.error());
  }

  @Test
  void modelReadiness() {
    assertJson(Rest.get("/v2/models/iris-onnx/ready"), 200, "{\"name\":\"iris-onnx\",\"ready\":true}");
    assertJson(
        Rest.get("/v2/models/nosuch/ready"), 404, "{\"error\":\"Model with name nosuch does not exist.\"}");
  }

  static void assertOutputs(Expected expected, JsonNode response) {
    List<JsonNode> want = expected.outputs();
    assertEquals(want.size(), response.get("outputs").size(), response.toString());
    for (int i = 0; i < want.size(); i++) {
      Expected.assertTensor(want.get(i), response.get("outputs").get(i));
    }
  }

  static void assertJson(Reply reply, int status, String json) {
    assertEquals(status, reply.status(), reply.text());
    assertEquals("application/json", reply.header("content-type").orElseThrow());
    assertEquals(json, reply.text());
  }

  private static String names(JsonNode tensors) {
    ArrayNode names = Expected.JSON.createArrayNode();
    tensors.forEach(t -> names.add(t.get("name").asText()));
    return names.toString();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
