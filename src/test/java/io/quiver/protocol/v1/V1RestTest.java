package io.quiver.protocol.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import org.junit.jupiter.api.Test;

/** KServe's v1 protocol, compared with KServe's captured responses and the libraries' outputs. */
@QuarkusTest
class V1RestTest {

  @Test
  void listsModelsAndReadiness() {
    Reply list = Rest.get("/v1/models");
    assertEquals(200, list.status());
    assertEquals("application/json", list.header("content-type").orElseThrow());
    assertTrue(list.json().get("models").toString().contains("\"iris-xgboost\""));
    Reply ready = Rest.get("/v1/models/iris-xgboost");
    assertEquals("{\"name\":\"iris-xgboost\",\"ready\":true}", ready.text());
    assertEquals("{\"name\":\"corrupt-onnx\",\"ready\":false}", Rest.get("/v1/models/corrupt-onnx").text());
  }

  @Test
  void xgboostPredictionsAreBoosterPredict() {
    Expected expected = Expected.of("iris-xgboost");
    Reply reply = Rest.post("/v1/models/iris-xgboost:predict", rows("instances", expected));
    assertEquals(200, reply.status(), reply.text());
    JsonNode predictions = reply.json().get("predictions");
    // One list of class probabilities per instance, as Python's Booster.predict gives them.
    assertEquals(6, predictions.size());
    assertEquals(3, predictions.get(0).size());
    Expected.assertValues(expected.output("output-0").get("data"), predictions, "predictions");
  }

  @Test
  void binaryClassifierGivesOneValuePerInstance() {
    Expected expected = Expected.of("xgb-binary");
    JsonNode predictions = Rest.post("/v1/models/xgb-binary:predict", rows("instances", expected)).json().get("predictions");
    assertTrue(predictions.get(0).isNumber(), predictions.toString());
    Expected.assertValues(expected.output("output-0").get("data"), predictions, "predictions");
  }

  @Test
  void inputsKeyWorksAsKServeAcceptsIt() {
    Expected expected = Expected.of("iris-xgboost");
    Expected.assertValues(
        expected.output("output-0").get("data"),
        Rest.post("/v1/models/iris-xgboost:predict", rows("inputs", expected)).json().get("predictions"),
        "predictions");
  }

  @Test
  void modelWithSeveralOutputsGivesAnObjectPerInstance() {
    Expected expected = Expected.of("iris-onnx");
    JsonNode predictions = Rest.post("/v1/models/iris-onnx:predict", rows("instances", expected)).json().get("predictions");
    assertEquals(6, predictions.size());
    ArrayNode labels = Expected.JSON.createArrayNode();
    ArrayNode probabilities = Expected.JSON.createArrayNode();
    predictions.forEach(p -> {
      labels.add(p.get("label"));
      probabilities.add(p.get("probabilities"));
    });
    Expected.assertValues(expected.output("label").get("data"), labels, "label");
    Expected.assertValues(expected.output("probabilities").get("data"), probabilities, "probabilities");
  }

  @Test
  void modelWithSeveralInputsTakesNamedInstances() {
    Expected expected = Expected.of("mixed-types");
    JsonNode x = expected.input("x").get("data");
    JsonNode counts = expected.input("counts").get("data");
    ArrayNode instances = Expected.JSON.createArrayNode();
    for (int row = 0; row < 2; row++) {
      ObjectNode instance = instances.addObject();
      ArrayNode xRow = instance.putArray("x");
      ArrayNode countRow = instance.putArray("counts");
      for (int c = 0; c < 3; c++) {
        xRow.add(x.get(row * 3 + c));
        countRow.add(counts.get(row * 3 + c));
      }
    }
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", instances);
    JsonNode predictions = Rest.post("/v1/models/mixed-types:predict", body).json().get("predictions");
    ArrayNode sums = Expected.JSON.createArrayNode();
    predictions.forEach(p -> sums.add(p.get("count_sum")));
    Expected.assertValues(expected.output("count_sum").get("data"), sums, "count_sum");
  }

  @Test
  void errorsAsKServeReportsThem() {
    assertError(Rest.post("/v1/models/nosuch:predict", "{\"instances\":[[1,2,3,4]]}"), 404,
        "Model with name nosuch does not exist.");
    assertError(Rest.get("/v1/models/nosuch"), 404, "Model with name nosuch does not exist.");
    assertError(Rest.get("/v1/models/iris-xgboost:predict"), 404,
        "Model with name iris-xgboost:predict does not exist.");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[6.8,2.8,4.8,1.4]"), 400,
        "Unrecognized request format");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", ""), 400, "must be a JSON object");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"foo\": 1}"), 400, "no 'instances'");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": []}"), 400, "'instances' is empty");
    // KServe answers these two with 500; they are the caller's mistakes, so 400 naming the problem.
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[6.8,2.8,4.8]]}"), 400,
        "must have shape [-1,4], got [1,3]");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[\"a\",\"b\",\"c\",\"d\"]]}"), 400,
        "FP32 data must be numbers, got the string \"a\"");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[1,2,3,4],[1,2,3]]}"), 400,
        "instances must all have the same shape");
    assertError(Rest.post("/v1/models/iris-xgboost:explain", "{\"instances\": [[1,2,3,4]]}"), 501,
        "Model iris-xgboost has no explainer.");
    assertError(Rest.post("/v1/models/corrupt-onnx:predict", "{\"instances\": [[1,2,3,4]]}"), 503,
        "Model with name corrupt-onnx is not ready");
    assertError(Rest.post("/v1/models/mixed-types:predict", "{\"instances\": [[1,2,3]]}"), 400,
        "send each instance as an object naming them");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": [{\"input-0\": [1,2,3,4]}, [1,2,3,4]]}"), 400,
        "Instance 1 is a row, unlike the first");
    assertError(Rest.post("/v1/models/iris-xgboost:predict", "{\"instances\": [[1,2,3,4], {\"input-0\": [1,2,3,4]}]}"), 400,
        "Instance 1 is an object, unlike the first");
    assertEquals(200, Rest.get("/v2/health/ready").status());
  }

  /** A v1 body carrying the fixture's input rows under {@code key} ("instances" or "inputs"). */
  private static ObjectNode rows(String key, Expected expected) {
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set(key, expected.instances("input-0"));
    return body;
  }

  private static void assertError(Reply reply, int status, String containing) {
    assertEquals(status, reply.status(), reply.text());
    assertEquals("application/json", reply.header("content-type").orElseThrow());
    assertTrue(reply.error().contains(containing), reply.error() + " should contain " + containing);
  }
}
