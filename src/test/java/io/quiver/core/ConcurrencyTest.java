package io.quiver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferRequest.InferInputTensor;
import io.quiver.support.Expected;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Fifty requests at once, over every protocol and both runtimes, each answered correctly. */
@QuarkusTest
class ConcurrencyTest {
  private static final int REQUESTS = 50;

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void fiftyConcurrentRequestsAllCorrect() throws Exception {
    Expected onnx = Expected.of("iris-onnx");
    Expected xgboost = Expected.of("iris-xgboost");
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<Void>> calls = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      int row = i % 6;
      calls.add(
          switch (i % 4) {
            case 0 -> () -> checkV2(start, "iris-onnx", onnx, row, "probabilities");
            case 1 -> () -> checkV2(start, "iris-xgboost", xgboost, row, "output-0");
            case 2 -> () -> checkV1(start, xgboost, row);
            default -> () -> checkGrpc(start, onnx, row);
          });
    }
    try (ExecutorService clients = Executors.newFixedThreadPool(REQUESTS)) {
      List<Future<Void>> results = new ArrayList<>();
      for (Callable<Void> call : calls) {
        results.add(clients.submit(call));
      }
      start.countDown();
      for (Future<Void> result : results) {
        result.get();
      }
    }
  }

  /** One row of the fixture, so each request carries different data and must get its own answer. */
  private static ObjectNode rowRequest(Expected expected, int row, String id) {
    JsonNode data = expected.input("input-0").get("data");
    ObjectNode request = Expected.JSON.createObjectNode().put("id", id);
    ObjectNode input = request.putArray("inputs").addObject();
    input.put("name", "input-0").put("datatype", "FP32").putArray("shape").add(1).add(4);
    for (int c = 0; c < 4; c++) {
      input.withArray("data").add(data.get(row * 4 + c));
    }
    return request;
  }

  private static JsonNode expectedRow(Expected expected, String output, int row) {
    JsonNode data = expected.output(output).get("data");
    int width = data.size() / 6;
    return Expected.JSON.valueToTree(
        java.util.stream.IntStream.range(0, width).mapToObj(c -> data.get(row * width + c)).toList());
  }

  private static Void checkV2(CountDownLatch start, String model, Expected expected, int row, String output)
      throws InterruptedException {
    start.await();
    String id = model + "-" + row + "-" + Thread.currentThread().threadId();
    Reply reply = Rest.post("/v2/models/" + model + "/infer", rowRequest(expected, row, id));
    assertEquals(200, reply.status(), reply.text());
    assertEquals(id, reply.json().get("id").asText());
    JsonNode outputs = reply.json().get("outputs");
    for (JsonNode tensor : outputs) {
      if (tensor.get("name").asText().equals(output)) {
        Expected.assertValues(expectedRow(expected, output, row), tensor.get("data"), model + " row " + row);
      }
    }
    return null;
  }

  private static Void checkV1(CountDownLatch start, Expected expected, int row) throws InterruptedException {
    start.await();
    ObjectNode body = Expected.JSON.createObjectNode();
    body.putArray("instances").add(expected.instances("input-0").get(row));
    Reply reply = Rest.post("/v1/models/iris-xgboost:predict", body);
    assertEquals(200, reply.status(), reply.text());
    Expected.assertValues(expectedRow(expected, "output-0", row), reply.json().get("predictions"), "v1 row " + row);
    return null;
  }

  private Void checkGrpc(CountDownLatch start, Expected expected, int row) throws InterruptedException {
    start.await();
    JsonNode data = expected.input("input-0").get("data");
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (int c = 0; c < 4; c++) {
      contents.addFp32Contents((float) data.get(row * 4 + c).asDouble());
    }
    var response = grpc.modelInfer(
        ModelInferRequest.newBuilder()
            .setModelName("iris-onnx")
            .addInputs(InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32").addShape(1).addShape(4)
                .setContents(contents))
            .build());
    assertEquals(expected.output("label").get("data").get(row).asLong(), response.getOutputs(0).getContents().getInt64Contents(0));
    return null;
  }
}
