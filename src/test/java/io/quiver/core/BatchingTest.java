package io.quiver.core;

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
import io.quiver.support.TrackingRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Adaptive batching as a model's settings ask for it ({@code max_batch_size}, {@code
 * max_batch_time}): concurrent requests run as fewer runtime calls, and each still gets exactly the
 * answer the training library computed for its own rows.
 */
@QuarkusTest
class BatchingTest {
  private static final Expected IRIS = Expected.of("iris-onnx");

  @Test
  void concurrentRequestsRunAsBatchesAndEachGetsItsOwnRows() throws Exception {
    serveCopy("iris-onnx", "batched-onnx", "{\"max_batch_size\": 8, \"max_batch_time\": 0.2}");
    JsonNode input = IRIS.input("input-0");
    int rows = input.get("shape").get(0).asInt();
    int requests = 32;

    List<Future<Reply>> replies = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < requests; i++) {
        int row = i % rows;
        replies.add(clients.submit(() -> Rest.post("/v2/models/batched-onnx/infer", oneRow(input, row))));
      }
      for (int i = 0; i < requests; i++) {
        Reply reply = replies.get(i).get(60, TimeUnit.SECONDS);
        assertEquals(200, reply.status(), reply.text());
        assertRow(i % rows, reply.json());
      }
    }

    JsonNode stats = Rest.get("/v2/models/batched-onnx/stats").json().get("model_stats").get(0);
    assertEquals(requests, stats.get("inference_count").asLong());
    long executions = stats.get("execution_count").asLong();
    assertTrue(executions < requests, "32 concurrent requests ran as " + executions + " calls");
    long batched = 0;
    for (JsonNode batch : stats.get("batch_stats")) {
      long size = batch.get("batch_size").asLong();
      assertTrue(size >= 1 && size <= 8, "batch size within max_batch_size: " + size);
      batched += size * batch.get("compute_infer").get("count").asLong();
    }
    assertEquals(requests, batched, "every request ran in exactly one call: " + stats.get("batch_stats"));
  }

  @Test
  void requestsWaitingForABatchAreAnsweredThroughAnUnload() throws Exception {
    Path folder = TestRepository.root().resolve("batched-tracking");
    Files.createDirectories(folder);
    Files.writeString(
        folder.resolve("model-settings.json"),
        "{\"format\": \"tracking\", \"max_concurrency\": 1, \"max_batch_size\": 4, \"max_batch_time\": 5}");
    assertEquals(200, Rest.post("/v2/repository/models/batched-tracking/load", "").status());
    int entered = TrackingRuntime.ENTERED.get();
    TrackingRuntime.gate = new CountDownLatch(1);
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Reply>> replies = new ArrayList<>();
      replies.add(clients.submit(() -> Rest.post("/v2/models/batched-tracking/infer", trackingRequest(100))));
      waitUntil(() -> TrackingRuntime.ENTERED.get() > entered);
      for (int i = 1; i <= 3; i++) {
        long value = 100 + i;
        replies.add(clients.submit(() -> Rest.post("/v2/models/batched-tracking/infer", trackingRequest(value))));
      }
      waitUntil(() -> Rest.get("/v2/models/batched-tracking/stats").status() == 200 && queued("batched-tracking") == 3);

      Future<Reply> unload = clients.submit(() -> Rest.post("/v2/repository/models/batched-tracking/unload", ""));
      waitUntil(() -> Rest.get("/v2/models/batched-tracking/ready").status() != 200);
      TrackingRuntime.gate.countDown();

      for (int i = 0; i < replies.size(); i++) {
        Reply reply = replies.get(i).get(60, TimeUnit.SECONDS);
        assertEquals(200, reply.status(), reply.text());
        assertEquals(100 + i, reply.json().get("outputs").get(0).get("data").get(0).asLong());
      }
      assertEquals(200, unload.get(60, TimeUnit.SECONDS).status());
    } finally {
      TrackingRuntime.gate = null;
    }
    waitUntil(() -> TrackingRuntime.closes("batched-tracking") == 1);
  }

  @Test
  void beyondItsQueueAModelRefusesWith503AndAnswersWhatItTook() throws Exception {
    Path folder = TestRepository.root().resolve("short-queue");
    Files.createDirectories(folder);
    Files.writeString(
        folder.resolve("model-settings.json"),
        "{\"format\": \"tracking\", \"max_concurrency\": 1, \"max_queue_size\": 2, \"max_batch_size\": 2}");
    assertEquals(200, Rest.post("/v2/repository/models/short-queue/load", "").status());
    int entered = TrackingRuntime.ENTERED.get();
    TrackingRuntime.gate = new CountDownLatch(1);
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Reply>> taken = new ArrayList<>();
      taken.add(clients.submit(() -> Rest.post("/v2/models/short-queue/infer", trackingRequest(1))));
      waitUntil(() -> TrackingRuntime.ENTERED.get() > entered);
      taken.add(clients.submit(() -> Rest.post("/v2/models/short-queue/infer", trackingRequest(2))));
      taken.add(clients.submit(() -> Rest.post("/v2/models/short-queue/infer", trackingRequest(3))));
      waitUntil(() -> queued("short-queue") == 2);

      Reply refused = Rest.post("/v2/models/short-queue/infer", trackingRequest(4));
      assertEquals(503, refused.status(), refused.text());
      assertTrue(refused.error().contains("has 2 requests waiting, its queue limit; retry later"), refused.text());

      TrackingRuntime.gate.countDown();
      for (int i = 0; i < taken.size(); i++) {
        Reply reply = taken.get(i).get(60, TimeUnit.SECONDS);
        assertEquals(200, reply.status(), reply.text());
        assertEquals(i + 1, reply.json().get("outputs").get(0).get("data").get(0).asLong());
      }
    } finally {
      TrackingRuntime.gate = null;
    }
  }

  private static long queued(String model) {
    for (String line : Rest.get("/metrics").text().split("\n")) {
      if (line.startsWith("quiver_requests_queued{") && line.contains("model=\"" + model + "\"")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  private static void serveCopy(String fixture, String name, String settings) throws Exception {
    Path folder = TestRepository.root().resolve(name);
    TestRepository.copyTree(TestRepository.root().resolve(fixture), folder);
    Files.writeString(folder.resolve("model-settings.json"), settings);
    assertEquals(200, Rest.post("/v2/repository/models/" + name + "/load", "").status());
  }

  private static ObjectNode oneRow(JsonNode input, int row) {
    int width = input.get("shape").get(1).asInt();
    ObjectNode request = Expected.JSON.createObjectNode();
    ObjectNode tensor = request.putArray("inputs").addObject();
    tensor.put("name", input.get("name").asText());
    tensor.put("datatype", "FP32");
    tensor.putArray("shape").add(1).add(width);
    ArrayNode data = tensor.putArray("data");
    for (int c = 0; c < width; c++) {
      data.add(input.get("data").get(row * width + c));
    }
    return request;
  }

  private static void assertRow(int row, JsonNode response) {
    for (JsonNode expected : IRIS.outputs()) {
      JsonNode actual = find(response.get("outputs"), expected.get("name").asText());
      int rows = expected.get("shape").get(0).asInt();
      int width = expected.get("data").size() / rows;
      ArrayNode want = Expected.JSON.createArrayNode();
      for (int c = 0; c < width; c++) {
        want.add(expected.get("data").get(row * width + c));
      }
      Expected.assertValues(want, actual.get("data"), expected.get("name").asText() + " of row " + row);
      assertEquals(1, actual.get("shape").get(0).asInt(), "one row back for one row sent");
    }
  }

  private static JsonNode find(JsonNode outputs, String name) {
    for (JsonNode output : outputs) {
      if (output.get("name").asText().equals(name)) {
        return output;
      }
    }
    throw new AssertionError("no output " + name + " in " + outputs);
  }

  private static String trackingRequest(long value) {
    return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[" + value + "]}]}";
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not met within 30 s");
      Thread.sleep(20);
    }
  }
}
