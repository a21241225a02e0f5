package io.quiver.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferRequest.InferInputTensor;
import io.quiver.protocol.grpc.api.ModelStatistics;
import io.quiver.protocol.grpc.api.ModelStatisticsRequest;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Triton's statistics extension (REST and gRPC) and the Prometheus metrics at {@code /metrics}
 * count exactly the requests sent, by model, protocol and outcome.
 */
@QuarkusTest
class StatisticsAndMetricsTest {
  private static final Expected IRIS = Expected.of("iris-xgboost");
  private static final String WRONG_SHAPE =
      "{\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}";

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void tritonStatisticsCountRequestsCallsAndFailures() throws Exception {
    serveCopy("counted-xgboost");
    for (int i = 0; i < 5; i++) {
      assertEquals(200, Rest.post("/v2/models/counted-xgboost/infer", IRIS.request()).status());
    }
    for (int i = 0; i < 3; i++) {
      grpc.modelInfer(grpcRequest("counted-xgboost"));
    }
    assertEquals(400, Rest.post("/v2/models/counted-xgboost/infer", WRONG_SHAPE).status());

    Reply reply = Rest.get("/v2/models/counted-xgboost/stats");
    assertEquals(200, reply.status(), reply.text());
    JsonNode stats = reply.json().get("model_stats").get(0);
    assertEquals("counted-xgboost", stats.get("name").asText());
    assertEquals(8, stats.get("inference_count").asLong());
    assertEquals(8, stats.get("execution_count").asLong());
    assertTrue(stats.get("last_inference").asLong() > System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(5));
    JsonNode phases = stats.get("inference_stats");
    assertEquals(8, phases.get("success").get("count").asLong());
    assertEquals(1, phases.get("fail").get("count").asLong());
    for (String phase : new String[] {"queue", "compute_input", "compute_infer", "compute_output"}) {
      assertEquals(8, phases.get(phase).get("count").asLong(), phase);
    }
    assertTrue(phases.get("compute_infer").get("ns").asLong() > 0);
    assertTrue(
        phases.get("success").get("ns").asLong() >= phases.get("compute_infer").get("ns").asLong(),
        "a request's whole time includes its runtime call: " + phases);
    JsonNode batches = stats.get("batch_stats");
    assertEquals(1, batches.size(), batches.toString());
    assertEquals(1, batches.get(0).get("batch_size").asLong());
    assertEquals(8, batches.get(0).get("compute_infer").get("count").asLong());

    ModelStatistics overGrpc =
        grpc.modelStatistics(ModelStatisticsRequest.newBuilder().setName("counted-xgboost").build()).getModelStats(0);
    assertEquals(8, overGrpc.getInferenceCount());
    assertEquals(8, overGrpc.getExecutionCount());
    assertEquals(1, overGrpc.getInferenceStats().getFail().getCount());
    assertEquals(8, overGrpc.getBatchStats(0).getComputeInfer().getCount());

    JsonNode all = Rest.get("/v2/models/stats").json().get("model_stats");
    assertTrue(all.size() > 1, "every model version is listed");
    assertTrue(all.findValuesAsText("name").contains("counted-xgboost"));
    assertEquals(404, Rest.get("/v2/models/no-such-model/stats").status());
    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class,
            () -> grpc.modelStatistics(ModelStatisticsRequest.newBuilder().setName("no-such-model").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
  }

  @Test
  void prometheusCountsRequestsByModelProtocolAndOutcome() throws Exception {
    serveCopy("metered-xgboost");
    for (int i = 0; i < 4; i++) {
      assertEquals(200, Rest.post("/v2/models/metered-xgboost/infer", IRIS.request()).status());
    }
    ObjectNode instances = Expected.JSON.createObjectNode();
    instances.set("instances", IRIS.instances("input-0"));
    for (int i = 0; i < 2; i++) {
      assertEquals(200, Rest.post("/v1/models/metered-xgboost:predict", instances).status());
    }
    grpc.modelInfer(grpcRequest("metered-xgboost"));
    assertEquals(400, Rest.post("/v2/models/metered-xgboost/infer", WRONG_SHAPE).status());
    assertEquals(404, Rest.post("/v2/models/never-heard-of-it/infer", IRIS.request()).status());

    Map<String, Double> metrics = scrape();
    String model = "model=\"metered-xgboost\"";
    assertEquals(4.0, metrics.get(series("quiver_requests_total", model, "outcome=\"success\"", "protocol=\"v2\"")));
    assertEquals(2.0, metrics.get(series("quiver_requests_total", model, "outcome=\"success\"", "protocol=\"v1\"")));
    assertEquals(1.0, metrics.get(series("quiver_requests_total", model, "outcome=\"success\"", "protocol=\"grpc\"")));
    assertEquals(1.0, metrics.get(series("quiver_requests_total", model, "outcome=\"client_error\"", "protocol=\"v2\"")));
    assertTrue(
        metrics.get(series("quiver_requests_total", "model=\"\"", "outcome=\"client_error\"", "protocol=\"v2\"")) >= 1.0,
        "unknown model names are counted under an empty model label");
    assertEquals(7.0, metrics.get("request_predict_seconds_count{model_name=\"metered-xgboost\"}"));
    assertEquals(8.0, metrics.get("request_preprocess_seconds_count{model_name=\"metered-xgboost\"}"));
    assertEquals(7.0, metrics.get(series("quiver_compute_duration_seconds_count", model)));
    assertEquals(7.0, metrics.get(series("quiver_batch_size_count", model)));
    assertEquals(7.0, metrics.get(series("quiver_batch_size_sum", model)), "one request per call without batching");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (scrape().get(series("quiver_model_state", model, "state=\"ready\"")) == null) {
      assertTrue(System.nanoTime() < deadline, "quiver_model_state lists the new model within its refresh");
      Thread.sleep(100);
    }
    metrics = scrape();
    assertEquals(1.0, metrics.get(series("quiver_model_state", model, "state=\"ready\"")));
    assertEquals(0.0, metrics.get(series("quiver_model_state", model, "state=\"loading\"")));
    assertEquals(1.0, metrics.get(series("quiver_model_state", "model=\"corrupt-onnx\"", "state=\"failed\"")));
    assertEquals(0.0, metrics.get(series("quiver_requests_in_flight", model)));
    assertEquals(0.0, metrics.get(series("quiver_requests_queued", model)));
  }

  /** The series whose name is given and whose labels include all of {@code labels}; unversioned models have version="". */
  private static String series(String name, String... labels) {
    TreeMap<String, String> sorted = new TreeMap<>();
    sorted.put("version", "version=\"\"");
    for (String label : labels) {
      sorted.put(label.substring(0, label.indexOf('=')), label);
    }
    return name + "{" + String.join(",", sorted.values()) + "}";
  }

  /** Every sample at /metrics, by its name and labels as Prometheus' text format writes them. */
  private static Map<String, Double> scrape() {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : Rest.get("/metrics").text().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }

  private static ModelInferRequest grpcRequest(String model) {
    JsonNode input = IRIS.input("input-0");
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    input.get("data").forEach(v -> contents.addFp32Contents((float) v.asDouble()));
    InferInputTensor.Builder tensor = InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32");
    input.get("shape").forEach(d -> tensor.addShape(d.asLong()));
    return ModelInferRequest.newBuilder().setModelName(model).addInputs(tensor.setContents(contents)).build();
  }

  private static void serveCopy(String name) throws Exception {
    TestRepository.copyTree(TestRepository.root().resolve("iris-xgboost"), TestRepository.root().resolve(name));
    assertEquals(200, Rest.post("/v2/repository/models/" + name + "/load", "").status());
  }
}
