package io.quiver.runtime.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * TorchScript modules traced by PyTorch, in Triton model folders, served through libtorch: two
 * inputs, a tuple or a dict of two outputs, equal to what PyTorch computed.
 */
@QuarkusTest
class TorchScriptTest {
  private static final Expected TWO_HEADS = Expected.of("torchscript-two-heads");
  private static final String CONFIG =
      """
      platform: "pytorch_libtorch"
      max_batch_size: 8
      input [ { name: "INPUT__0" data_type: TYPE_FP32 dims: [ 4 ] },
              { name: "INPUT__1" data_type: TYPE_FP32 dims: [ 2 ] } ]
      output [ { name: "OUTPUT__0" data_type: TYPE_FP32 dims: [ 1 ] },
               { name: "OUTPUT__1" data_type: TYPE_FP32 dims: [ 3 ] } ]
      dynamic_batching { max_queue_delay_microseconds: 100000 }
      """;

  @Test
  void tracedModuleAnswersAsPyTorchDidAloneAndBatched() throws Exception {
    serve("two-heads", CONFIG);
    Reply reply = Rest.post("/v2/models/two-heads/infer", TWO_HEADS.request());
    assertEquals(200, reply.status(), reply.text());
    assertOutputs(reply.json());

    JsonNode metadata = Rest.get("/v2/models/two-heads").json();
    assertEquals("pytorch_libtorch", metadata.get("platform").asText());
    assertEquals("[-1,4]", metadata.get("inputs").get(0).get("shape").toString());

    for (Reply answer : Rest.postAtOnce("/v2/models/two-heads/infer", TWO_HEADS.request(), 8)) {
      assertOutputs(answer.json());
    }

    // TorchServe's API: tensors by input name, outputs by name as nested lists
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("INPUT__0", TWO_HEADS.instances("INPUT__0"));
    body.set("INPUT__1", TWO_HEADS.instances("INPUT__1"));
    Reply torchServe = Rest.post("/predictions/two-heads", body);
    assertEquals(200, torchServe.status(), torchServe.text());
    for (JsonNode expected : TWO_HEADS.outputs()) {
      JsonNode nested = torchServe.json().get(expected.get("name").asText());
      Expected.assertValues(expected.get("data"), Expected.JSON.valueToTree(Expected.flatten(nested)), expected.get("name").asText());
    }
  }

  @Test
  void tensorsDeclaredInModelSettingsServeABareModelPt() throws Exception {
    Path folder = TestRepository.root().resolve("two-heads-settings");
    TestRepository.copyTree(Path.of("src/test/resources/torchscript/two-heads/1"), folder);
    Files.writeString(
        folder.resolve("model-settings.json"),
        """
        {"max_batch_size": 8, "max_batch_time": 0.05,
         "inputs": [{"name": "INPUT__0", "datatype": "FP32", "shape": [-1, 4]},
                    {"name": "INPUT__1", "datatype": "FP32", "shape": [-1, 2]}],
         "outputs": [{"name": "OUTPUT__0", "datatype": "FP32", "shape": [-1, 1]},
                     {"name": "OUTPUT__1", "datatype": "FP32", "shape": [-1, 3]}]}
        """);
    Reply loaded = Rest.post("/v2/repository/models/two-heads-settings/load", "");
    assertEquals(200, loaded.status(), loaded.text());
    for (Reply answer : Rest.postAtOnce("/v2/models/two-heads-settings/infer", TWO_HEADS.request(), 8)) {
      assertOutputs(answer.json());
    }
    assertEquals("[-1,4]", Rest.get("/v2/models/two-heads-settings").json().at("/inputs/0/shape").toString());
  }

  @Test
  void dictResultGivesTheOutputsByKey() throws Exception {
    Expected named = Expected.of("torchscript-named-heads");
    // declared in the other order than the module builds the dict: outputs are matched by key
    String config =
        CONFIG
            .replace("name: \"OUTPUT__0\" data_type: TYPE_FP32 dims: [ 1 ]", "name: \"probabilities\" data_type: TYPE_FP32 dims: [ 3 ]")
            .replace("name: \"OUTPUT__1\" data_type: TYPE_FP32 dims: [ 3 ]", "name: \"score\" data_type: TYPE_FP32 dims: [ 1 ]");
    serve("named-heads", config);
    Reply reply = Rest.post("/v2/models/named-heads/infer", named.request());
    assertEquals(200, reply.status(), reply.text());
    assertOutputs(named, reply.json());
  }

  @Test
  void wrongInputsAreRefusedAndAModuleWithoutDeclaredTensorsFailsItsLoad() throws Exception {
    serve("two-heads-checked", CONFIG);
    String oneInput = TWO_HEADS.request().toString().replaceFirst("\"INPUT__1\"", "\"INPUT__9\"");
    Reply refused = Rest.post("/v2/models/two-heads-checked/infer", oneInput);
    assertEquals(400, refused.status(), refused.text());

    Path folder = TestRepository.root().resolve("two-heads-undeclared");
    TestRepository.copyTree(Path.of("src/test/resources/torchscript/two-heads"), folder);
    Reply failed = Rest.post("/v2/repository/models/two-heads-undeclared/load", "");
    assertTrue(failed.status() >= 400, failed.text());
    assertTrue(failed.error().contains("declare its inputs and outputs in config.pbtxt"), failed.error());
    assertEquals(200, Rest.post("/v2/models/two-heads-checked/infer", TWO_HEADS.request()).status(), "others keep serving");

    // KIND_GPU on a machine where libtorch sees no GPU: this model fails, saying so
    Path gpu = TestRepository.root().resolve("two-heads-gpu");
    TestRepository.copyTree(Path.of("src/test/resources/torchscript/two-heads"), gpu);
    Files.writeString(gpu.resolve("config.pbtxt"), CONFIG + "instance_group [ { kind: KIND_GPU count: 1 } ]\n");
    Reply noGpu = Rest.post("/v2/repository/models/two-heads-gpu/load", "");
    assertTrue(noGpu.status() >= 400, noGpu.text());
    assertTrue(noGpu.error().contains("libtorch sees no GPU"), noGpu.error());
  }

  private static void serve(String name, String config) throws Exception {
    Path folder = TestRepository.root().resolve(name);
    String fixture = name.startsWith("named-heads") ? "named-heads" : "two-heads";
    TestRepository.copyTree(Path.of("src/test/resources/torchscript", fixture), folder);
    Files.writeString(folder.resolve("config.pbtxt"), config);
    Reply loaded = Rest.post("/v2/repository/models/" + name + "/load", "");
    assertEquals(200, loaded.status(), loaded.text());
  }

  private static void assertOutputs(JsonNode response) {
    assertOutputs(TWO_HEADS, response);
  }

  private static void assertOutputs(Expected fixture, JsonNode response) {
    for (JsonNode expected : fixture.outputs()) {
      JsonNode actual = null;
      for (JsonNode output : response.get("outputs")) {
        actual = output.get("name").asText().equals(expected.get("name").asText()) ? output : actual;
      }
      assertTrue(actual != null, "output " + expected.get("name") + " in " + response);
      Expected.assertTensor(expected, actual);
    }
  }
}
