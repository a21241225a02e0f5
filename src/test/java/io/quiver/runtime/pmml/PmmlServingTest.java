package io.quiver.runtime.pmml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import org.junit.jupiter.api.Test;

/** PMML models in the repository: output fields as named v2 outputs, and as v1 row objects. */
@QuarkusTest
class PmmlServingTest {
  private static final Expected IRIS = Expected.of("pmml-iris-tree");

  @Test
  void v2AnswersEveryOutputFieldByName() {
    Reply reply = Rest.post("/v2/models/pmml-iris/infer", IRIS.request());
    assertEquals(200, reply.status(), reply.text());
    JsonNode outputs = reply.json().get("outputs");
    assertEquals(IRIS.outputs().size(), outputs.size());
    for (int o = 0; o < outputs.size(); o++) {
      Expected.assertTensor(IRIS.outputs().get(o), outputs.get(o));
    }
  }

  @Test
  void v1AnswersAnObjectPerRowKeyedByOutputField() {
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", IRIS.instances("input-0"));
    Reply reply = Rest.post("/v1/models/pmml-iris:predict", body);
    assertEquals(200, reply.status(), reply.text());
    JsonNode first = reply.json().get("predictions").get(0);
    assertEquals(IRIS.output("predicted_species").get("data").get(0).asText(), first.get("predicted_species").asText());
    Expected.assertClose(
        IRIS.output("probability_setosa").get("data").get(0).asDouble(),
        first.get("probability_setosa").asDouble(),
        "probability_setosa");
  }

  @Test
  void aJpmmlModelAnswersItsTargetByNameBesideItsProbabilities() {
    Expected expected = Expected.of("pmml-jpmml-logistic");
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", expected.instances("input-0"));
    Reply reply = Rest.post("/v1/models/pmml-jpmml-logistic:predict", body);
    assertEquals(200, reply.status(), reply.text());
    JsonNode predictions = reply.json().get("predictions");
    JsonNode labels = expected.output("y").get("data");
    for (int r = 0; r < labels.size(); r++) {
      JsonNode row = predictions.get(r);
      assertEquals(labels.get(r).asLong(), row.get("y").asLong(), "row " + r);
      Expected.assertClose(
          expected.output("probability(1)").get("data").get(r).asDouble(), row.get("probability(1)").asDouble(), "row " + r);
    }
  }

  @Test
  void v1InstancesMayMixTextAndNumbers() {
    Expected expected = Expected.of("pmml-categorical-regression");
    ObjectNode body = Expected.JSON.createObjectNode();
    ArrayNode instances = body.putArray("instances");
    JsonNode data = expected.input("input-0").get("data");
    for (int r = 0; r < data.size() / 2; r++) {
      instances.addArray().add(data.get(2 * r).asText()).add(Double.parseDouble(data.get(2 * r + 1).asText()));
    }
    Reply reply = Rest.post("/v1/models/pmml-categorical:predict", body);
    assertEquals(200, reply.status(), reply.text());
    // One output field still answers an object per row, as KServe's pmmlserver does.
    JsonNode predictions = reply.json().get("predictions");
    JsonNode want = expected.output("predicted_price").get("data");
    assertEquals(want.size(), predictions.size());
    for (int r = 0; r < want.size(); r++) {
      Expected.assertClose(want.get(r).asDouble(), predictions.get(r).get("predicted_price").asDouble(), "row " + r);
    }
  }
}
