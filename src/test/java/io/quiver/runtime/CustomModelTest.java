package io.quiver.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import org.junit.jupiter.api.Test;

/**
 * The custom-model example (examples/custom-model) served like any other model. Its expected
 * answers follow from its documented rules: petal length below 2.45 is setosa (0); else petal width
 * below 1.75 is versicolor (1); else virginica (2).
 */
@QuarkusTest
class CustomModelTest {
  /** The fixture rows' petal (length, width): (4.8,1.4) (4.5,1.6) (1.4,0.2) (6.0,2.5) (1.4,0.2) (5.1,1.8). */
  private static final String LABELS = "[1,1,0,2,0,2]";
  private static final String SPECIES =
      "[\"versicolor\",\"versicolor\",\"setosa\",\"virginica\",\"setosa\",\"virginica\"]";

  @Test
  void servedOverV2() {
    ObjectNode request = Expected.of("iris-onnx").request();
    Reply reply = Rest.post("/v2/models/iris-rules/infer", request);
    assertEquals(200, reply.status(), reply.text());
    assertEquals(LABELS, reply.json().at("/outputs/0/data").toString());
    assertEquals("BYTES", reply.json().at("/outputs/1/datatype").asText());
    assertEquals(SPECIES, reply.json().at("/outputs/1/data").toString());
    JsonNode metadata = Rest.get("/v2/models/iris-rules").json();
    assertEquals("custom", metadata.get("platform").asText());
    assertEquals("FP64", metadata.at("/inputs/0/datatype").asText());
  }

  @Test
  void servedOverV1WithIntegerMeasurements() {
    ObjectNode body = Expected.JSON.createObjectNode();
    body.putArray("instances").addArray().add(5).add(3).add(1).add(0);
    Reply reply = Rest.post("/v1/models/iris-rules:predict", body);
    assertEquals(200, reply.status(), reply.text());
    assertEquals("[{\"label\":0,\"species\":\"setosa\"}]", reply.json().get("predictions").toString());
  }
}
