package io.quiver.runtime.lightgbm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import org.junit.jupiter.api.Test;

/** LightGBM models in the repository, served as KServe's lgbserver serves them. */
@QuarkusTest
class LightGbmServingTest {

  @Test
  void v1AndV2AnswerLightGbmsPredictions() {
    Expected expected = Expected.of("lightgbm-multiclass");
    JsonNode metadata = Rest.get("/v2/models/lightgbm-multiclass").json();
    assertEquals("lightgbm", metadata.get("platform").asText());
    assertEquals("[{\"name\":\"output-0\",\"datatype\":\"FP64\",\"shape\":[-1,3]}]", metadata.get("outputs").toString());

    Reply v2 = Rest.post("/v2/models/lightgbm-multiclass/infer", expected.request());
    assertEquals(200, v2.status(), v2.text());
    Expected.assertTensor(expected.output("output-0"), v2.json().get("outputs").get(0));

    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", expected.instances("input-0"));
    Reply v1 = Rest.post("/v1/models/lightgbm-multiclass:predict", body);
    assertEquals(200, v1.status(), v1.text());
    assertEquals(3, v1.json().get("predictions").get(0).size(), v1.text());
    Expected.assertValues(expected.output("output-0").get("data"), v1.json().get("predictions"), "predictions");
  }

  @Test
  void aModelBstInLightGbmsTextFormatIsServedAsLightGbm() {
    Expected expected = Expected.of("lightgbm-binary-bst");
    assertEquals("lightgbm", Rest.get("/v2/models/lightgbm-bst").json().get("platform").asText());
    assertEquals("xgboost", Rest.get("/v2/models/xgb-formats/versions/1").json().get("platform").asText());
    Reply reply = Rest.post("/v2/models/lightgbm-bst/infer", expected.request());
    assertEquals(200, reply.status(), reply.text());
    Expected.assertTensor(expected.output("output-0"), reply.json().get("outputs").get(0));
  }

  @Test
  void aWrongFeatureCountIsRefused() {
    Reply reply =
        Rest.post(
            "/v1/models/lightgbm-multiclass:predict", "{\"instances\": [[1.0, 2.0, 3.0]]}");
    assertEquals(400, reply.status(), reply.text());
  }
}
