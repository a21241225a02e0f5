package io.quiver.protocol.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * MLflow model folders (examples/make_mlflow_models.py) served by flavor, with the signature's
 * columns as inputs, over v2 and MLflow's own scoring shapes on /invocations.
 */
@QuarkusTest
class MlflowTest {
  private static final Expected SKLEARN = Expected.of("mlflow-sklearn");
  private static final List<String> IRIS = List.of("sepal_length", "sepal_width", "petal_length", "petal_width");

  private static JsonNode labels() {
    return SKLEARN.output("output-0").get("data");
  }

  private static ArrayNode rows(Expected expected, List<String> columns) {
    ArrayNode rows = Expected.JSON.createArrayNode();
    int count = expected.input(columns.getFirst()).get("data").size();
    for (int r = 0; r < count; r++) {
      ArrayNode row = rows.addArray();
      for (String column : columns) {
        row.add(expected.input(column).get("data").get(r));
      }
    }
    return rows;
  }

  private static Reply invoke(String model, JsonNode body) {
    return Rest.post("/models/" + model + "/invocations", body);
  }

  @Test
  void theSignatureNamesTheInputs() {
    JsonNode metadata = Rest.get("/v2/models/mlflow-sklearn").json();
    assertEquals("mlflow", metadata.get("platform").asText());
    assertEquals(
        "[{\"name\":\"sepal_length\",\"datatype\":\"FP64\",\"shape\":[-1]},"
            + "{\"name\":\"sepal_width\",\"datatype\":\"FP64\",\"shape\":[-1]},"
            + "{\"name\":\"petal_length\",\"datatype\":\"FP64\",\"shape\":[-1]},"
            + "{\"name\":\"petal_width\",\"datatype\":\"FP64\",\"shape\":[-1]}]",
        metadata.get("inputs").toString());
    Reply reply = Rest.post("/v2/models/mlflow-sklearn/infer", SKLEARN.request());
    assertEquals(200, reply.status(), reply.text());
    Expected.assertTensor(SKLEARN.output("output-0"), reply.json().get("outputs").get(0));
  }

  @Test
  void everyScoringShapeOfMlflowIsAccepted() {
    ObjectNode split = Expected.JSON.createObjectNode();
    ObjectNode frame = split.putObject("dataframe_split");
    IRIS.forEach(frame.putArray("columns")::add);
    frame.set("data", rows(SKLEARN, IRIS));

    ObjectNode records = Expected.JSON.createObjectNode();
    ArrayNode recordRows = records.putArray("dataframe_records");
    ObjectNode instances = Expected.JSON.createObjectNode();
    ArrayNode instanceRows = instances.putArray("instances");
    for (JsonNode row : rows(SKLEARN, IRIS)) {
      ObjectNode record = recordRows.addObject();
      for (int c = 0; c < IRIS.size(); c++) {
        record.set(IRIS.get(c), row.get(c));
      }
      instanceRows.add(record.deepCopy());
    }

    ObjectNode inputs = Expected.JSON.createObjectNode();
    ObjectNode byColumn = inputs.putObject("inputs");
    IRIS.forEach(column -> byColumn.set(column, SKLEARN.input(column).get("data")));

    for (ObjectNode body : List.of(split, records, instances, inputs)) {
      Reply reply = invoke("mlflow-sklearn", body);
      assertEquals(200, reply.status(), body + " -> " + reply.text());
      assertEquals(labels(), reply.json().get("predictions"), body.fieldNames().next());
    }
  }

  @Test
  void xgboostAndLightGbmFlavorsTakeTheirColumnsSideBySide() {
    Expected xgboost = Expected.of("mlflow-xgboost");
    Reply probabilities = Rest.post("/v2/models/mlflow-xgboost/infer", xgboost.request());
    assertEquals(200, probabilities.status(), probabilities.text());
    Expected.assertTensor(xgboost.output("output-0"), probabilities.json().get("outputs").get(0));

    Expected lightgbm = Expected.of("mlflow-lightgbm");
    ObjectNode split = Expected.JSON.createObjectNode();
    ObjectNode frame = split.putObject("dataframe_split");
    List<String> columns = List.of("Column_0", "Column_1", "Column_2", "Column_3");
    columns.forEach(frame.putArray("columns")::add);
    frame.set("data", rows(lightgbm, columns));
    Reply values = invoke("mlflow-lightgbm", split);
    assertEquals(200, values.status(), values.text());
    Expected.assertValues(lightgbm.output("output-0").get("data"), values.json().get("predictions"), "predictions");
  }

  @Test
  void onnxFlavorTakesItsTensor() {
    Expected onnx = Expected.of("mlflow-onnx");
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("inputs", onnx.instances("input-0"));
    Reply reply = invoke("mlflow-onnx", body);
    assertEquals(200, reply.status(), reply.text());
    JsonNode predictions = reply.json().get("predictions");
    JsonNode labels = onnx.output("label").get("data");
    for (int r = 0; r < labels.size(); r++) {
      assertEquals(labels.get(r).asLong(), predictions.get(r).get("label").asLong(), "row " + r);
    }
  }

  @Test
  void customPythonFailsItsLoadSayingWhy() {
    JsonNode index = Rest.post("/v2/repository/index", "{}").json();
    for (JsonNode row : index) {
      if (row.get("name").asText().equals("mlflow-pyfunc-custom")) {
        assertEquals("FAILED", row.get("state").asText());
        assertTrue(row.get("reason").asText().contains("custom Python code"), row.toString());
        assertTrue(row.get("reason").asText().contains("python_model.pkl"), row.toString());
        return;
      }
    }
    throw new AssertionError("mlflow-pyfunc-custom is not in the index");
  }

  @Test
  void v1RowsMapToTheSignatureColumnsInOrder() {
    ObjectNode body = Expected.JSON.createObjectNode();
    ArrayNode instances = body.putArray("instances");
    List<JsonNode> columns = new java.util.ArrayList<>();
    SKLEARN.inputs().forEach(column -> columns.add(column.get("data")));
    for (int r = 0; r < columns.getFirst().size(); r++) {
      ArrayNode row = instances.addArray();
      for (JsonNode column : columns) {
        row.add(column.get(r));
      }
    }
    Reply rows = Rest.post("/v1/models/mlflow-sklearn:predict", body);
    assertEquals(200, rows.status(), rows.text());
    Expected.assertValues(SKLEARN.output("output-0").get("data"), rows.json().get("predictions"), "predictions");

    Reply short_ = Rest.post("/v1/models/mlflow-sklearn:predict", "{\"instances\": [[5.1, 3.5, 1.4]]}");
    assertEquals(400, short_.status(), short_.text());
    assertTrue(short_.error().contains("a row of 4 values, one per input in order"), short_.text());
    Reply long_ = Rest.post("/models/mlflow-sklearn/invocations", "{\"instances\": [[5.1, 3.5, 1.4, 0.2, 9.9]]}");
    assertEquals(400, long_.status(), long_.text());
    assertTrue(long_.error().contains("Each row must hold 4 values"), long_.text());
  }

  @Test
  void badBodiesAreRefusedWithTheReason() {
    Reply unknownShape = invoke("mlflow-sklearn", Expected.JSON.createObjectNode().put("rows", 1));
    assertEquals(400, unknownShape.status());
    assertTrue(unknownShape.error().contains("dataframe_split"), unknownShape.text());

    Reply missingColumn = invoke("mlflow-sklearn", Expected.JSON.createObjectNode().set("dataframe_records",
        Expected.JSON.createArrayNode().add(Expected.JSON.createObjectNode().put("sepal_length", 5.0))));
    assertEquals(400, missingColumn.status());
    assertTrue(missingColumn.error().contains("sepal_width"), missingColumn.text());

    Reply notJson = Rest.post("/models/mlflow-sklearn/invocations", "{\"instances\": [");
    assertEquals(400, notJson.status());

    // Twelve values, but not three rows of four: refused, not regrouped.
    Reply ragged = Rest.post("/models/mlflow-onnx/invocations", "{\"instances\": [[1, 2, 3, 4], [5, 6], [7, 8, 9, 10, 11, 12]]}");
    assertEquals(400, ragged.status(), ragged.text());
    assertTrue(ragged.error().contains("same shape"), ragged.text());

    Reply textInNumbers = invoke("mlflow-sklearn", Expected.JSON.createObjectNode().set("instances",
        Expected.JSON.createArrayNode().add(Expected.JSON.createArrayNode().add("wide").add(3.0).add(1.0).add(0.1))));
    assertEquals(400, textInNumbers.status(), textInNumbers.text());
    assertTrue(textInNumbers.error().contains("\"wide\""), textInNumbers.text());

    Reply ambiguous = Rest.post("/invocations", "{\"instances\": [[1, 2, 3, 4]]}");
    assertEquals(400, ambiguous.status());
    assertTrue(ambiguous.error().contains("/models/<name>/invocations"), ambiguous.text());
    assertEquals(404, invoke("no-such-model", SKLEARN.request()).status());
  }
}
