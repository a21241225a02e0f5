package io.quiver.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.ModelConfigRequest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A Triton user's model repository served unchanged: {@code config.pbtxt} chooses the runtime,
 * the versions, the instances and dynamic batching, declares the tensors the model must have, and
 * comes back from Triton's configuration endpoints; what Quiver does not support fails the load,
 * naming it.
 */
@QuarkusTest
class TritonRepositoryTest {
  private static final Expected IRIS = Expected.of("iris-onnx");
  private static final String IRIS_ONNX =
      """
      platform: "onnxruntime_onnx"
      max_batch_size: 8
      input [ { name: "input-0" data_type: TYPE_FP32 dims: [ 4 ] } ]
      output [ { name: "probabilities" data_type: TYPE_FP32 dims: [ 3 ] } ]
      instance_group [ { count: 1 kind: KIND_CPU } ]
      dynamic_batching { max_queue_delay_microseconds: 200000 preferred_batch_size: [ 4 ] }
      """;

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void onnxModelIsServedWithItsConfigurationAndBatchedDynamically() throws Exception {
    tritonModel("triton-iris", IRIS_ONNX, "iris-onnx/model.onnx", "model.onnx", "1", "2");
    assertEquals(200, Rest.post("/v2/repository/models/triton-iris/load", "").status());
    assertEquals("[\"2\"]", Rest.get("/v2/models/triton-iris").json().get("versions").toString(), "latest 1 by default");

    int requests = 16;
    for (Reply reply : Rest.postAtOnce("/v2/models/triton-iris/infer", IRIS.request(), requests)) {
      for (JsonNode expected : IRIS.outputs()) {
        Expected.assertTensor(expected, output(reply.json(), expected.get("name").asText()));
      }
    }
    Reply tooMany = Rest.post("/v2/models/triton-iris/infer", rows(9));
    assertEquals(400, tooMany.status(), tooMany.text());
    assertTrue(tooMany.error().contains("at most 8 rows"), tooMany.error());
    assertEquals(200, Rest.post("/v2/models/triton-iris/infer", rows(8)).status(), "max_batch_size rows pass");

    JsonNode stats = Rest.get("/v2/models/triton-iris/stats").json().get("model_stats").get(0);
    assertEquals("2", stats.get("version").asText());
    assertTrue(stats.get("execution_count").asLong() < requests, "dynamic batching gathered requests: " + stats);

    JsonNode config = Rest.get("/v2/models/triton-iris/config").json();
    assertEquals("triton-iris", config.get("name").asText());
    assertEquals("onnxruntime_onnx", config.get("platform").asText());
    assertEquals(8, config.get("max_batch_size").asInt());
    assertEquals("[\"4\"]", config.get("input").get(0).get("dims").toString());
    assertEquals("TYPE_FP32", config.get("input").get(0).get("data_type").asText());
    assertEquals("200000", config.get("dynamic_batching").get("max_queue_delay_microseconds").asText());
    assertEquals(1, config.get("instance_group").get(0).get("count").asInt());

    var grpcConfig = grpc.modelConfig(ModelConfigRequest.newBuilder().setName("triton-iris").build()).getConfig();
    assertEquals(8, grpcConfig.getMaxBatchSize());
    assertEquals("probabilities", grpcConfig.getOutput(0).getName());
  }

  @Test
  void reshapeShowsCallersTheDeclaredShapes() throws Exception {
    String reshaped =
        IRIS_ONNX
            .replace("dims: [ 4 ] }", "dims: [ 2, 2 ] reshape: { shape: [ 4 ] } }")
            .replace("dims: [ 3 ] }", "dims: [ 3, 1 ] reshape: { shape: [ 3 ] } }");
    tritonModel("triton-reshape-ok", reshaped, "iris-onnx/model.onnx", "model.onnx", "1");
    assertEquals(200, Rest.post("/v2/repository/models/triton-reshape-ok/load", "").status());
    JsonNode metadata = Rest.get("/v2/models/triton-reshape-ok").json();
    assertEquals("[-1,2,2]", metadata.get("inputs").get(0).get("shape").toString());

    int rows = IRIS.input("input-0").get("shape").get(0).asInt();
    String request = IRIS.request().toString().replace("[" + rows + ",4]", "[" + rows + ",2,2]");
    Reply reply = Rest.post("/v2/models/triton-reshape-ok/infer", request);
    assertEquals(200, reply.status(), reply.text());
    JsonNode probabilities = output(reply.json(), "probabilities");
    assertEquals("[" + rows + ",3,1]", probabilities.get("shape").toString());
    Expected.assertValues(IRIS.output("probabilities").get("data"), probabilities.get("data"), "probabilities");
    assertEquals(400, Rest.post("/v2/models/triton-reshape-ok/infer", IRIS.request()).status(), "the model's own shape is not the declared one");
  }

  @Test
  void versionPolicyChoosesTheVersionsServed() throws Exception {
    tritonModel("triton-all", "version_policy: { all: {} }\n" + IRIS_ONNX, "iris-onnx/model.onnx", "model.onnx", "1", "2", "3");
    assertEquals(200, Rest.post("/v2/repository/models/triton-all/load", "").status());
    assertEquals("[\"1\",\"2\",\"3\"]", Rest.get("/v2/models/triton-all").json().get("versions").toString());

    tritonModel("triton-specific", "version_policy: { specific: { versions: [ 1, 3 ] } }\n" + IRIS_ONNX, "iris-onnx/model.onnx", "model.onnx", "1", "2", "3");
    assertEquals(200, Rest.post("/v2/repository/models/triton-specific/load", "").status());
    assertEquals("[\"1\",\"3\"]", Rest.get("/v2/models/triton-specific").json().get("versions").toString());
    assertEquals(200, Rest.post("/v2/models/triton-specific/versions/1/infer", IRIS.request()).status());
    assertEquals(404, Rest.post("/v2/models/triton-specific/versions/2/infer", IRIS.request()).status());
  }

  @Test
  void xgboostThroughTritonsFilBackendConfiguration() throws Exception {
    Expected expected = Expected.of("iris-xgboost");
    String config =
        """
        backend: "fil"
        max_batch_size: 32
        input [ { name: "input-0" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "output-0" data_type: TYPE_FP32 dims: [ 3 ] } ]
        parameters [ { key: "model_type" value: { string_value: "xgboost_json" } } ]
        """;
    tritonModel("triton-fil", config, "iris-xgboost/model.json", "xgboost.json", "1");
    assertEquals(200, Rest.post("/v2/repository/models/triton-fil/load", "").status());
    Reply reply = Rest.post("/v2/models/triton-fil/infer", expected.request());
    assertEquals(200, reply.status(), reply.text());
    Expected.assertTensor(expected.outputs().getFirst(), output(reply.json(), "output-0"));
    assertEquals("fil", Rest.get("/v2/models/triton-fil/config").json().get("backend").asText());
  }

  @Test
  void whatIsNotSupportedOrDoesNotMatchFailsTheLoadNamingIt() throws Exception {
    assertLoadFails("triton-warmup", IRIS_ONNX + "model_warmup [ { name: \"w\" batch_size: 1 } ]\n", "model_warmup");
    assertLoadFails("triton-unknown", IRIS_ONNX + "max_batch_sise: 4\n", "max_batch_sise");
    assertLoadFails("triton-reshape", IRIS_ONNX.replace("dims: [ 4 ] }", "dims: [ 4 ] reshape: { shape: [ 5 ] } }"), "must keep every dimension fixed and the element count");
    assertLoadFails("triton-fil-gpu", "backend: \"fil\"\ninstance_group [ { kind: KIND_GPU } ]\n", "KIND_GPU is served for ONNX and TorchScript models only");
    assertLoadFails("triton-ensemble", "platform: \"ensemble\"\n", "an ensemble needs ensemble_scheduling");
    assertLoadFails("triton-wrong-input", IRIS_ONNX.replace("name: \"input-0\"", "name: \"x\""), "input x does not match the model");
    assertLoadFails("triton-wrong-type", IRIS_ONNX.replace("TYPE_FP32 dims: [ 4 ]", "TYPE_FP64 dims: [ 4 ]"), "declared TYPE_FP64, the model's is TYPE_FP32");
    assertLoadFails("triton-wrong-dims", IRIS_ONNX.replace("dims: [ 4 ]", "dims: [ 5 ]"), "declared shape [-1, 5]");
    assertEquals(200, Rest.get("/v2/health/live").status(), "the server stays up");
  }

  @Test
  void ensembleRunsItsStepsAcrossRuntimesAndNamesAFailingStep() throws Exception {
    Expected xgboost = Expected.of("iris-xgboost");
    String steps =
        """
        step [
          { model_name: "iris-onnx" model_version: -1
            input_map { key: "input-0" value: "FEATURES" }
            output_map { key: "probabilities" value: "ONNX_PROBABILITIES" } },
          { model_name: "iris-xgboost" model_version: -1
            input_map { key: "input-0" value: "%s" }
            output_map { key: "output-0" value: "XGBOOST_PROBABILITIES" } }
        ]
        """;
    String ensemble =
        """
        platform: "ensemble"
        max_batch_size: 8
        input [ { name: "FEATURES" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "ONNX_PROBABILITIES" data_type: TYPE_FP32 dims: [ 3 ] },
                 { name: "XGBOOST_PROBABILITIES" data_type: TYPE_FP32 dims: [ 3 ] } ]
        ensemble_scheduling {
        """;
    Path folder = TestRepository.root().resolve("triton-ensemble-ok");
    Files.createDirectories(folder.resolve("1"));
    Files.writeString(folder.resolve("config.pbtxt"), ensemble + steps.formatted("FEATURES") + "}\n");
    assertEquals(200, Rest.post("/v2/repository/models/triton-ensemble-ok/load", "").status());

    String request = IRIS.request().toString().replace("input-0", "FEATURES");
    Reply reply = Rest.post("/v2/models/triton-ensemble-ok/infer", request);
    assertEquals(200, reply.status(), reply.text());
    JsonNode onnx = IRIS.output("probabilities").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) onnx).put("name", "ONNX_PROBABILITIES");
    Expected.assertTensor(onnx, output(reply.json(), "ONNX_PROBABILITIES"));
    JsonNode xgb = xgboost.output("output-0").deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) xgb).put("name", "XGBOOST_PROBABILITIES");
    Expected.assertTensor(xgb, output(reply.json(), "XGBOOST_PROBABILITIES"));
    assertEquals("ensemble", Rest.get("/v2/models/triton-ensemble-ok/config").json().get("platform").asText());

    Path broken = TestRepository.root().resolve("triton-ensemble-broken");
    Files.createDirectories(broken.resolve("1"));
    Files.writeString(broken.resolve("config.pbtxt"), ensemble + steps.formatted("NOWHERE") + "}\n");
    assertEquals(200, Rest.post("/v2/repository/models/triton-ensemble-broken/load", "").status());
    Reply failed = Rest.post("/v2/models/triton-ensemble-broken/infer", request);
    assertEquals(500, failed.status(), failed.text());
    assertTrue(failed.error().contains("Ensemble step 2 (model iris-xgboost)"), failed.error());
    assertTrue(failed.error().contains("NOWHERE"), failed.error());

    Reply wrongShape = Rest.post("/v2/models/triton-ensemble-ok/infer", request.replace("[6,4]", "[4,6]"));
    assertEquals(400, wrongShape.status(), wrongShape.text());
  }

  @Test
  void anEnsembleThatLeadsBackToItselfIsRefused() throws Exception {
    String passThrough =
        """
        platform: "ensemble"
        input [ { name: "FEATURES" data_type: TYPE_FP32 dims: [ -1, 4 ] } ]
        output [ { name: "OUT" data_type: TYPE_FP32 dims: [ -1, 4 ] } ]
        ensemble_scheduling { step [ { model_name: "%s" model_version: -1
          input_map { key: "FEATURES" value: "FEATURES" } output_map { key: "OUT" value: "OUT" } } ] }
        """;
    Reply self = loadEnsemble("triton-loop-self", passThrough.formatted("triton-loop-self"));
    assertNotEquals(200, self.status());
    assertTrue(self.error().contains("leads back to ensemble triton-loop-self"), self.error());

    assertEquals(200, loadEnsemble("triton-loop-a", passThrough.formatted("triton-loop-b")).status(), "b is not loaded yet: no loop");
    Reply closing = loadEnsemble("triton-loop-b", passThrough.formatted("triton-loop-a"));
    assertNotEquals(200, closing.status());
    assertTrue(closing.error().contains("triton-loop-b -> triton-loop-a -> triton-loop-b"), closing.error());
    assertEquals(200, Rest.get("/v2/health/live").status(), "the server stays up");
  }

  private static Reply loadEnsemble(String name, String config) throws Exception {
    Path folder = TestRepository.root().resolve(name);
    Files.createDirectories(folder.resolve("1"));
    Files.writeString(folder.resolve("config.pbtxt"), config);
    return Rest.post("/v2/repository/models/" + name + "/load", "");
  }

  @Test
  void aModelWithoutConfigurationShowsWhatQuiverInferred() {
    JsonNode config = Rest.get("/v2/models/iris-onnx/config").json();
    assertEquals("iris-onnx", config.get("name").asText());
    assertEquals("onnxruntime_onnx", config.get("platform").asText());
    assertEquals(0, config.get("max_batch_size").asInt(), "no batching: dims include the batch dimension");
    assertEquals("[\"-1\",\"4\"]", config.get("input").get(0).get("dims").toString());
    assertTrue(config.get("instance_group").get(0).get("count").asInt() > 0);
    assertEquals(404, Rest.get("/v2/models/no-such-model/config").status());
    assertTrue(Rest.get("/v2").json().get("extensions").toString().contains("\"model_configuration\""));
  }

  private static void assertLoadFails(String name, String config, String named) throws Exception {
    tritonModel(name, config, "iris-onnx/model.onnx", "model.onnx", "1");
    Reply reply = Rest.post("/v2/repository/models/" + name + "/load", "");
    assertNotEquals(200, reply.status());
    assertTrue(reply.error().contains(named), "the error names " + named + ": " + reply.error());
    JsonNode row = null;
    for (JsonNode entry : Rest.post("/v2/repository/index", "{}").json()) {
      row = entry.get("name").asText().equals(name) ? entry : row;
    }
    assertTrue(row != null && row.get("reason").asText().contains(named), "the index says why: " + row);
  }

  /** A model folder laid out as Triton's documentation lays it out: config.pbtxt and numeric version folders. */
  private static void tritonModel(String name, String config, String fixture, String file, String... versions) throws Exception {
    Path folder = TestRepository.root().resolve(name);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("config.pbtxt"), config);
    for (String version : versions) {
      Files.createDirectories(folder.resolve(version));
      Files.copy(Path.of("src/test/resources/repository").resolve(fixture), folder.resolve(version).resolve(file));
    }
  }

  /** A request of the first recorded iris row repeated. */
  private static String rows(int rows) {
    JsonNode data = IRIS.input("input-0").get("data");
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < rows * 4; i++) {
      values.append(i == 0 ? "" : ",").append(data.get(i % 4).asDouble());
    }
    return "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[%d,4],\"datatype\":\"FP32\",\"data\":[%s]}]}".formatted(rows, values);
  }

  private static JsonNode output(JsonNode response, String name) {
    for (JsonNode output : response.get("outputs")) {
      if (output.get("name").asText().equals(name)) {
        return output;
      }
    }
    throw new AssertionError("no output " + name + " in " + response);
  }
}
