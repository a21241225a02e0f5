package io.quiver.runtime.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SavedModels built by TensorFlow (io.quiver.fixtures.TensorFlowFixtures), served through
 * TensorFlow for Java over v2 and TensorFlow Serving's REST API, every answer compared with what
 * TensorFlow computed when the fixture was made.
 */
@QuarkusTest
@Tag("tensorflow")
class TensorFlowTest {
  private static final JsonNode DENSE = read("dense");
  private static final JsonNode STRINGS = read("strings");

  @BeforeEach
  void serveFixtures() throws Exception {
    for (String model : List.of("dense", "strings")) {
      if (Rest.get("/v2/models/" + model + "/ready").status() != 200) {
        TestRepository.copyTree(Path.of("src/test/resources/tensorflow", model), TestRepository.root().resolve(model));
        Reply loaded = Rest.post("/v2/repository/models/" + model + "/load", "");
        assertEquals(200, loaded.status(), loaded.text());
      }
    }
  }

  @Test
  void defaultAndNamedSignaturesOverV2() {
    ObjectNode request = v2Request(null);
    Reply reply = Rest.post("/v2/models/dense/infer", request);
    assertEquals(200, reply.status(), reply.text());
    assertV2Output(DENSE.at("/serving_default/scores"), reply.json(), "scores");
    assertV2Output(DENSE.at("/serving_default/label"), reply.json(), "label");

    JsonNode metadata = Rest.get("/v2/models/dense").json();
    assertEquals("tensorflow_savedmodel", metadata.get("platform").asText());
    assertEquals("[-1,3]", metadata.at("/inputs/0/shape").toString());
    assertEquals("INT64", output(metadata, "label").get("datatype").asText());

    Reply hidden = Rest.post("/v2/models/dense/infer", v2Request("hidden"));
    assertEquals(200, hidden.status(), hidden.text());
    assertV2Output(DENSE.at("/hidden/logits"), hidden.json(), "logits");

    Reply unknown = Rest.post("/v2/models/dense/infer", v2Request("nosuch"));
    assertEquals(400, unknown.status(), unknown.text());
    assertTrue(unknown.error().contains("no signature 'nosuch'") && unknown.error().contains("classify, hidden, regress, serving_default"), unknown.error());
  }

  @Test
  void tfServingPredictInRowsAndColumnsWithVersionsAndSignatures() throws Exception {
    ObjectNode rows = Expected.JSON.createObjectNode();
    rows.set("instances", DENSE.get("x"));
    Reply rowReply = Rest.post("/v1/models/dense:predict", rows);
    assertEquals(200, rowReply.status(), rowReply.text());
    JsonNode predictions = rowReply.json().get("predictions");
    assertEquals(4, predictions.size());
    for (int r = 0; r < 4; r++) {
      assertEquals(DENSE.at("/serving_default/label/data/" + r).asLong(), predictions.get(r).get("label").asLong());
      for (int c = 0; c < 2; c++) {
        Expected.assertClose(DENSE.at("/serving_default/scores/data/" + (r * 2 + c)).asDouble(), predictions.get(r).get("scores").get(c).asDouble(), "scores");
      }
    }

    // the same rows, batched with each other by the scheduler, answer the same
    for (Reply concurrent : Rest.postAtOnce("/v1/models/dense/versions/1:predict", rows, 8)) {
      assertEquals(predictions, concurrent.json().get("predictions"));
    }

    ObjectNode columns = Expected.JSON.createObjectNode();
    columns.put("signature_name", "hidden");
    columns.putObject("inputs").set("x", DENSE.get("x"));
    Reply columnReply = Rest.post("/v1/models/dense:predict", columns);
    assertEquals(200, columnReply.status(), columnReply.text());
    Expected.assertValues(DENSE.at("/hidden/logits/data"), Expected.JSON.valueToTree(Expected.flatten(columnReply.json().get("outputs"))), "logits");
    assertEquals(2, columnReply.json().get("outputs").get(0).size(), "one output: its tensor, nested");

    Reply both = Rest.post("/v1/models/dense:predict", "{\"instances\": [[1,2,3]], \"inputs\": {\"x\": [[1,2,3]]}}");
    assertEquals(400, both.status(), both.text());
    Reply wrongVersion = Rest.post("/v1/models/dense/versions/7:predict", rows);
    assertEquals(404, wrongVersion.status(), wrongVersion.text());
  }

  @Test
  void classifyAndRegressTakeJsonExamples() {
    ArrayNode examples = Expected.JSON.createArrayNode();
    for (JsonNode row : DENSE.get("x")) {
      ObjectNode example = examples.addObject();
      example.put("f0", row.get(0).floatValue());
      example.put("f1", row.get(1).floatValue());
      example.set("f2", Expected.JSON.createArrayNode().add(row.get(2).floatValue()));
    }
    ObjectNode classify = Expected.JSON.createObjectNode();
    classify.put("signature_name", "classify");
    classify.set("examples", examples);
    Reply classified = Rest.post("/v1/models/dense:classify", classify);
    assertEquals(200, classified.status(), classified.text());
    JsonNode results = classified.json().get("results");
    assertEquals(4, results.size());
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 2; c++) {
        JsonNode pair = results.get(r).get(c);
        String label = new String(Base64.getDecoder().decode(DENSE.at("/classify/classes/data/" + (r * 2 + c)).asText()), StandardCharsets.UTF_8);
        assertEquals(label, pair.get(0).asText());
        Expected.assertClose(DENSE.at("/classify/scores/data/" + (r * 2 + c)).asDouble(), pair.get(1).asDouble(), "score");
      }
    }

    // f2 shared by every example through the context: the first example's value for all
    ObjectNode regress = Expected.JSON.createObjectNode();
    regress.put("signature_name", "regress");
    ArrayNode first = regress.putArray("examples");
    first.addObject().put("f0", DENSE.at("/x/0/0").floatValue()).put("f1", DENSE.at("/x/0/1").floatValue());
    regress.putObject("context").put("f2", DENSE.at("/x/0/2").floatValue());
    Reply regressed = Rest.post("/v1/models/dense:regress", regress);
    assertEquals(200, regressed.status(), regressed.text());
    Expected.assertClose(DENSE.at("/regress/outputs/data/0").asDouble(), regressed.json().at("/results/0").asDouble(), "regression");

    Reply wrongMethod = Rest.post("/v1/models/dense:regress", classify);
    assertEquals(400, wrongMethod.status(), wrongMethod.text());
    assertTrue(wrongMethod.error().contains("tensorflow/serving/regress"), wrongMethod.error());
    Reply intFeature = Rest.post("/v1/models/dense:classify", "{\"signature_name\": \"classify\", \"examples\": [{\"f0\": 1, \"f1\": 2.5, \"f2\": 0.5}]}");
    assertEquals(400, intFeature.status(), "a whole number is an int64 feature, as in TF Serving: " + intFeature.text());
  }

  @Test
  void stringsGoInAsTextOrBase64AndBinaryOutputsComeBackInBase64() {
    ObjectNode request = Expected.JSON.createObjectNode();
    ArrayNode instances = request.putArray("instances");
    instances.add("hello");
    instances.addObject().put("b64", STRINGS.at("/text_b64/1").asText());
    instances.addObject().put("b64", STRINGS.at("/text_b64/2").asText());
    Reply reply = Rest.post("/v1/models/strings:predict", request);
    assertEquals(200, reply.status(), reply.text());
    JsonNode predictions = reply.json().get("predictions");
    for (int i = 0; i < 3; i++) {
      JsonNode row = predictions.get(i);
      assertEquals(STRINGS.at("/serving_default/length/data/" + i).asInt(), row.get("length").asInt());
      assertEquals(STRINGS.at("/serving_default/echo_bytes/data/" + i).asText(), row.get("echo_bytes").get("b64").asText(), "a _bytes output is base64");
    }
    String upper = new String(Base64.getDecoder().decode(STRINGS.at("/serving_default/upper/data/1").asText()), StandardCharsets.UTF_8);
    assertEquals(upper, predictions.get(1).get("upper").asText());

    Reply notBytes = Rest.post("/v1/models/dense:predict", "{\"instances\": [[{\"b64\": \"AAAA\"}, 1, 2]]}");
    assertEquals(400, notBytes.status(), notBytes.text());
  }

  @Test
  void statusAndMetadataInTfServingsShape() {
    JsonNode status = Rest.get("/v1/models/dense").json();
    assertEquals("1", status.at("/model_version_status/0/version").asText());
    assertEquals("AVAILABLE", status.at("/model_version_status/0/state").asText());
    assertEquals("OK", status.at("/model_version_status/0/status/error_code").asText());
    assertEquals(status, Rest.get("/v1/models/dense/versions/1").json());

    JsonNode metadata = Rest.get("/v1/models/dense/metadata").json();
    assertEquals("dense", metadata.at("/model_spec/name").asText());
    JsonNode signatures = metadata.at("/metadata/signature_def/signature_def");
    assertEquals(List.of("classify", "hidden", "regress", "serving_default"), List.copyOf(fieldNames(signatures)));
    assertEquals("tensorflow/serving/classify", signatures.at("/classify/method_name").asText());
    assertEquals("DT_STRING", signatures.at("/classify/inputs/inputs/dtype").asText());
    assertEquals("DT_FLOAT", signatures.at("/serving_default/inputs/x/dtype").asText());
    assertEquals("-1", signatures.at("/serving_default/inputs/x/tensor_shape/dim/0/size").asText());
    assertEquals("3", signatures.at("/serving_default/inputs/x/tensor_shape/dim/1/size").asText());
    assertEquals("DT_INT64", signatures.at("/serving_default/outputs/label/dtype").asText());
  }

  @Test
  void tritonLayoutWithModelSavedmodelFolder() throws Exception {
    Path folder = TestRepository.root().resolve("dense-triton");
    TestRepository.copyTree(Path.of("src/test/resources/tensorflow/dense/1"), folder.resolve("1/model.savedmodel"));
    Files.writeString(
        folder.resolve("config.pbtxt"),
        """
        platform: "tensorflow_savedmodel"
        max_batch_size: 8
        input [ { name: "x" data_type: TYPE_FP32 dims: [ 3 ] } ]
        output [ { name: "scores" data_type: TYPE_FP32 dims: [ 2 ] }, { name: "label" data_type: TYPE_INT64 dims: [ ] } ]
        """);
    Reply loaded = Rest.post("/v2/repository/models/dense-triton/load", "");
    assertEquals(200, loaded.status(), loaded.text());
    Reply reply = Rest.post("/v2/models/dense-triton/infer", v2Request(null));
    assertEquals(200, reply.status(), reply.text());
    assertV2Output(DENSE.at("/serving_default/scores"), reply.json(), "scores");
  }

  private static ObjectNode v2Request(String signature) {
    ObjectNode request = Expected.JSON.createObjectNode();
    if (signature != null) {
      request.putObject("parameters").put("signature_name", signature);
    }
    ObjectNode input = request.putArray("inputs").addObject();
    input.put("name", "x").put("datatype", "FP32");
    input.putArray("shape").add(4).add(3);
    input.set("data", DENSE.get("x"));
    return request;
  }

  private static void assertV2Output(JsonNode expected, JsonNode response, String name) {
    JsonNode actual = output(response, name);
    assertTrue(actual != null, name + " in " + response);
    assertEquals(expected.get("shape"), actual.get("shape"));
    Expected.assertValues(expected.get("data"), actual.get("data"), name);
  }

  private static JsonNode output(JsonNode response, String name) {
    for (JsonNode output : response.get("outputs")) {
      if (output.get("name").asText().equals(name)) {
        return output;
      }
    }
    return null;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static JsonNode read(String model) {
    try {
      return Expected.JSON.readTree(Path.of("src/test/resources/expected/tensorflow-" + model + ".json").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
