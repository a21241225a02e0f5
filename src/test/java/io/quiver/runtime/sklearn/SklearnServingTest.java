package io.quiver.runtime.sklearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferRequest.InferInputTensor;
import io.quiver.protocol.grpc.api.ModelInferResponse;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import org.junit.jupiter.api.Test;

/**
 * scikit-learn models in the repository, served as KServe's sklearnserver serves them: v1 and v2
 * over REST, v2 over gRPC, predict_proba on request or by setting, named columns, and broken
 * pickles failing only themselves.
 */
@QuarkusTest
class SklearnServingTest {
  private static final Expected FOREST = Expected.of("sklearn-random-forest-classifier");
  private static final Expected COLUMNS = Expected.of("sklearn-column-transformer-named");

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void metadataNamesTensorsAsKServeDoes() {
    JsonNode metadata = Rest.get("/v2/models/sklearn-forest").json();
    assertEquals("sklearn", metadata.get("platform").asText());
    assertEquals(
        "[{\"name\":\"input-0\",\"datatype\":\"FP64\",\"shape\":[-1,4]}]", metadata.get("inputs").toString());
    assertEquals(
        "[{\"name\":\"output-0\",\"datatype\":\"INT64\",\"shape\":[-1]},"
            + "{\"name\":\"predict_proba\",\"datatype\":\"FP64\",\"shape\":[-1,3]}]",
        metadata.get("outputs").toString());
  }

  @Test
  void v2AnswersPredictAndPredictProbaWhenAsked() {
    Reply predict = Rest.post("/v2/models/sklearn-forest/infer", FOREST.request());
    assertEquals(200, predict.status(), predict.text());
    Expected.assertTensor(FOREST.output("output-0"), predict.json().get("outputs").get(0));

    ObjectNode both = FOREST.request();
    both.putArray("outputs").addObject().put("name", "predict_proba");
    Reply proba = Rest.post("/v2/models/sklearn-forest/infer", both);
    assertEquals(200, proba.status(), proba.text());
    assertEquals(1, proba.json().get("outputs").size());
    Expected.assertTensor(FOREST.output("predict_proba"), proba.json().get("outputs").get(0));
  }

  @Test
  void integerInputsAreAcceptedLikeDoubles() {
    ObjectNode request = FOREST.request();
    ObjectNode input = (ObjectNode) request.get("inputs").get(0);
    input.put("datatype", "INT64");
    ArrayNode rounded = input.putArray("data");
    FOREST.input("input-0").get("data").forEach(v -> rounded.add(Math.round(v.asDouble())));
    Reply reply = Rest.post("/v2/models/sklearn-forest/infer", request);
    assertEquals(200, reply.status(), reply.text());
    assertEquals("INT64", reply.json().get("outputs").get(0).get("datatype").asText());
  }

  @Test
  void v1AnswersLabelsOrProbabilitiesAsTheSettingsSay() {
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", FOREST.instances("input-0"));
    Reply labels = Rest.post("/v1/models/sklearn-forest:predict", body);
    assertEquals(200, labels.status(), labels.text());
    Expected.assertValues(FOREST.output("output-0").get("data"), labels.json().get("predictions"), "predictions");

    Reply probabilities = Rest.post("/v1/models/sklearn-forest-proba:predict", body);
    assertEquals(200, probabilities.status(), probabilities.text());
    JsonNode rows = probabilities.json().get("predictions");
    assertEquals(3, rows.get(0).size(), rows.toString());
    Expected.assertValues(FOREST.output("predict_proba").get("data"), rows, "predictions");
  }

  @Test
  void grpcAnswersTheSameLabels() {
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("sklearn-forest");
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    FOREST.input("input-0").get("data").forEach(v -> contents.addFp64Contents(v.asDouble()));
    request.addInputs(
        InferInputTensor.newBuilder().setName("input-0").setDatatype("FP64").addShape(8).addShape(4).setContents(contents));
    ModelInferResponse response = grpc.modelInfer(request.build());
    JsonNode want = FOREST.output("output-0").get("data");
    assertEquals(want.size(), response.getOutputs(0).getContents().getInt64ContentsCount());
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i).asLong(), response.getOutputs(0).getContents().getInt64Contents(i));
    }
  }

  @Test
  void namedColumnsGoToTheirTransformers() {
    JsonNode metadata = Rest.get("/v2/models/sklearn-columns").json();
    assertEquals(
        "[{\"name\":\"sepal_length\",\"datatype\":\"FP64\",\"shape\":[-1]},"
            + "{\"name\":\"petal_length\",\"datatype\":\"FP64\",\"shape\":[-1]},"
            + "{\"name\":\"colour\",\"datatype\":\"BYTES\",\"shape\":[-1]},"
            + "{\"name\":\"size\",\"datatype\":\"BYTES\",\"shape\":[-1]}]",
        metadata.get("inputs").toString());
    Reply reply = Rest.post("/v2/models/sklearn-columns/infer", COLUMNS.request());
    assertEquals(200, reply.status(), reply.text());
    Expected.assertTensor(COLUMNS.output("output-0"), reply.json().get("outputs").get(0));

    // The same rows as v1 instances, one object per row keyed by column.
    ArrayNode instances = Expected.JSON.createArrayNode();
    for (int r = 0; r < 6; r++) {
      ObjectNode row = instances.addObject();
      for (String column : new String[] {"sepal_length", "petal_length", "colour", "size"}) {
        row.set(column, COLUMNS.input(column).get("data").get(r));
      }
    }
    ObjectNode v1 = Expected.JSON.createObjectNode();
    v1.set("instances", instances);
    Reply v1Reply = Rest.post("/v1/models/sklearn-columns:predict", v1);
    assertEquals(200, v1Reply.status(), v1Reply.text());
    Expected.assertValues(COLUMNS.output("output-0").get("data"), v1Reply.json().get("predictions"), "predictions");
  }

  @Test
  void positionalTablesMixNumbersAndText() {
    Expected positional = Expected.of("sklearn-column-transformer-positional");
    JsonNode metadata = Rest.get("/v2/models/sklearn-positional").json();
    assertEquals("BYTES", metadata.get("inputs").get(0).get("datatype").asText());
    ObjectNode body = Expected.JSON.createObjectNode();
    ArrayNode instances = body.putArray("instances");
    JsonNode data = positional.input("input-0").get("data");
    for (int r = 0; r < 6; r++) {
      ArrayNode row = instances.addArray();
      row.add(Double.parseDouble(data.get(r * 4).asText()));
      row.add(Double.parseDouble(data.get(r * 4 + 1).asText()));
      row.add(data.get(r * 4 + 2).asText());
      row.add(data.get(r * 4 + 3).asText());
    }
    Reply reply = Rest.post("/v1/models/sklearn-positional:predict", body);
    assertEquals(200, reply.status(), reply.text());
    Expected.assertValues(positional.output("output-0").get("data"), reply.json().get("predictions"), "predictions");
  }

  @Test
  void badRowsAreRefusedNamingWhatIsWrong() {
    ObjectNode unknownSize = COLUMNS.request();
    ((ArrayNode) unknownSize.get("inputs").get(3).get("data")).set(0, "XL");
    Reply reply = Rest.post("/v2/models/sklearn-columns/infer", unknownSize);
    assertEquals(400, reply.status(), reply.text());
    assertTrue(reply.error().contains("unknown category 'XL'"), reply.text());

    Reply text = Rest.post(
        "/v1/models/sklearn-forest:predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [\"wide\", 3.0, 1.0, 0.1]]}");
    assertEquals(400, text.status(), text.text());

    ObjectNode missingColumn = COLUMNS.request();
    ((ArrayNode) missingColumn.get("inputs")).remove(2);
    Reply missing = Rest.post("/v2/models/sklearn-columns/infer", missingColumn);
    assertEquals(400, missing.status(), missing.text());
    assertTrue(missing.error().contains("colour"), missing.text());
  }

  @Test
  void brokenPicklesFailOnlyThemselvesAndSayWhy() {
    JsonNode index = Rest.post("/v2/repository/index", "{}").json();
    assertTrue(reason(index, "sklearn-unsafe").contains("posix.system"), index.toString());
    assertTrue(reason(index, "sklearn-unsupported").contains("NuSVC"), index.toString());
    assertTrue(!reason(index, "sklearn-corrupt").isEmpty(), index.toString());
    assertEquals(503, Rest.post("/v2/models/sklearn-unsafe/infer", FOREST.request()).status());
    assertEquals(200, Rest.post("/v2/models/sklearn-forest/infer", FOREST.request()).status());
  }

  private static String reason(JsonNode index, String model) {
    for (JsonNode row : index) {
      if (row.get("name").asText().equals(model)) {
        assertEquals("FAILED", row.get("state").asText(), row.toString());
        return row.get("reason").asText();
      }
    }
    throw new AssertionError(model + " is not in the index");
  }
}
