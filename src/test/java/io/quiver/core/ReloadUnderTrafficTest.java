package io.quiver.core;

import static io.quiver.support.KafkaRecords.keyOf;
import static io.quiver.support.KafkaRecords.record;
import static io.quiver.support.KafkaRecords.v2Row;
import static io.quiver.support.KafkaTestResource.RESPONSES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferRequest.InferInputTensor;
import io.quiver.support.Expected;
import io.quiver.support.KafkaProfile;
import io.quiver.support.KafkaTestResource;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TestRepository;
import io.quiver.support.TrackingRuntime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Reloads and load/unload cycles under traffic on every protocol: a reload never fails a request,
 * and nothing ever answers a server error; replaced instances are closed once their requests
 * have drained.
 */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class ReloadUnderTrafficTest {
  private static final Duration TRAFFIC = Duration.ofSeconds(6);
  private static final Expected ONNX = Expected.of("iris-onnx");
  private static final Expected XGBOOST = Expected.of("iris-xgboost");
  private static final String CYCLED_REQUEST =
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[4,5]}]}";

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  private final Map<String, AtomicInteger> answered = new ConcurrentHashMap<>();
  private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

  @Test
  void reloadsNeverFailARequestAndUnloadsNeverAnswerAServerError() throws Exception {
    TestRepository.copyTree(TestRepository.root().resolve("iris-onnx"), TestRepository.root().resolve("reload-onnx"));
    TestRepository.copyTree(TestRepository.root().resolve("iris-xgboost"), TestRepository.root().resolve("reload-xgboost"));
    assertEquals(200, Rest.post("/v2/repository/models/reload-onnx/load", "").status());
    assertEquals(200, Rest.post("/v2/repository/models/reload-xgboost/load", "").status());
    TrackingRuntime.serve("cycled");
    int loadsBefore = TrackingRuntime.loads("cycled");
    String run = UUID.randomUUID().toString().substring(0, 8);

    long deadline = System.nanoTime() + TRAFFIC.toNanos();
    AtomicInteger reloads = new AtomicInteger();
    AtomicInteger kafkaSent = new AtomicInteger();
    try (ExecutorService threads = Executors.newFixedThreadPool(12);
        KafkaProducer<byte[], byte[]> producer = KafkaTestResource.kafka().producer()) {
      List<Future<?>> running = new ArrayList<>();
      running.add(threads.submit(() -> repeat(deadline, () -> mustAnswer("v2", v2Infer()))));
      running.add(threads.submit(() -> repeat(deadline, () -> mustAnswer("v1", v1Predict()))));
      running.add(threads.submit(() -> repeat(deadline, () -> mustAnswer("mlflow", mlflowInvocation()))));
      running.add(threads.submit(() -> repeat(deadline, () -> mustAnswer("grpc", grpcInfer()))));
      running.add(threads.submit(() -> repeat(deadline, () -> mustAnswer("metadata", Rest.get("/v2/models/reload-onnx")))));
      running.add(threads.submit(() -> repeat(deadline, this::cycledRequests)));
      running.add(threads.submit(() -> repeat(deadline, () -> reload("reload-onnx", reloads))));
      running.add(threads.submit(() -> repeat(deadline, () -> reload("reload-xgboost", reloads))));
      running.add(threads.submit(() -> repeat(deadline, this::loadAndUnloadCycled)));
      running.add(
          threads.submit(
              () ->
                  repeat(
                      deadline,
                      () -> {
                        int i = kafkaSent.getAndIncrement();
                        String model = i % 2 == 0 ? "reload-onnx" : "reload-xgboost";
                        producer.send(
                            record("reload-" + run + "-" + i, v2Row(i % 2 == 0 ? ONNX : XGBOOST, i % 6, "k-" + run + "-" + i),
                                "model", model));
                        sleep(20);
                      })));
      for (Future<?> task : running) {
        task.get();
      }
    }
    assertEquals(List.of(), failures, "failed requests");
    assertTrue(reloads.get() >= 10, "reloads done: " + reloads.get());
    for (String protocol : List.of("v2", "v1", "mlflow", "grpc", "metadata")) {
      assertTrue(answered.getOrDefault(protocol, new AtomicInteger()).get() >= 5, protocol + " answered " + answered);
    }

    var answers =
        KafkaTestResource.kafka().read(RESPONSES, kafkaSent.get(), r -> keyOf(r).startsWith("reload-" + run), Duration.ofSeconds(60));
    // each request gets an answer or a dead letter, never both: all answered means none dead-lettered
    assertEquals(kafkaSent.get(), answers.size(), "every Kafka request answered");

    // Every instance a reload or an unload replaced has been closed; only the serving one is open.
    Rest.post("/v2/repository/models/cycled/load", "");
    int loads = TrackingRuntime.loads("cycled") - loadsBefore + 1;
    assertTrue(loads > 3, "load/unload cycles: " + loads);
    assertEquals(TrackingRuntime.loads("cycled") - 1, TrackingRuntime.closes("cycled"), "all but the serving instance closed");
  }

  private interface Step {
    void run() throws Exception;
  }

  private void repeat(long deadline, Step step) {
    while (System.nanoTime() < deadline) {
      try {
        step.run();
      } catch (Exception e) {
        failures.add(e.toString());
      }
    }
  }

  private void mustAnswer(String protocol, Reply reply) {
    if (reply.status() == 200) {
      answered.computeIfAbsent(protocol, k -> new AtomicInteger()).incrementAndGet();
    } else {
      failures.add(protocol + " " + reply.status() + " " + reply.text());
    }
  }

  private Reply v2Infer() {
    return Rest.post("/v2/models/reload-onnx/infer", ONNX.request());
  }

  private Reply v1Predict() {
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", XGBOOST.instances("input-0"));
    return Rest.post("/v1/models/reload-xgboost:predict", body);
  }

  private Reply mlflowInvocation() {
    ObjectNode body = Expected.JSON.createObjectNode();
    body.set("instances", XGBOOST.instances("input-0"));
    return Rest.post("/models/reload-xgboost/invocations", body);
  }

  private Reply grpcInfer() {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    ONNX.input("input-0").get("data").forEach(v -> contents.addFp32Contents((float) v.asDouble()));
    var response =
        grpc.modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("reload-onnx")
                .addInputs(
                    InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32").addShape(6).addShape(4).setContents(contents))
                .build());
    return new Reply(200, null, response.getModelName().getBytes(StandardCharsets.UTF_8));
  }

  /** A model being loaded and unloaded answers 200, or 404 while unloaded: never a server error. */
  private void cycledRequests() {
    Reply reply = Rest.post("/v2/models/cycled/infer", CYCLED_REQUEST);
    if (reply.status() != 200 && reply.status() != 404 && reply.status() != 503) {
      failures.add("cycled " + reply.status() + " " + reply.text());
    }
    if (reply.status() == 503 && !reply.error().contains("LOADING")) {
      failures.add("cycled 503 other than loading: " + reply.text());
    }
    try {
      grpc.modelInfer(
          ModelInferRequest.newBuilder()
              .setModelName("cycled")
              .addInputs(
                  InferInputTensor.newBuilder()
                      .setName("x")
                      .setDatatype("INT64")
                      .addShape(1)
                      .setContents(InferTensorContents.newBuilder().addInt64Contents(3)))
              .build());
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code != Status.Code.NOT_FOUND && code != Status.Code.UNAVAILABLE) {
        failures.add("cycled gRPC " + e.getStatus());
      }
    }
  }

  private void reload(String model, AtomicInteger reloads) {
    Reply reply = Rest.post("/v2/repository/models/" + model + "/load", "");
    if (reply.status() != 200) {
      failures.add("reload " + model + " " + reply.status() + " " + reply.text());
    }
    reloads.incrementAndGet();
  }

  private void loadAndUnloadCycled() {
    Reply unload = Rest.post("/v2/repository/models/cycled/unload", "");
    Reply load = Rest.post("/v2/repository/models/cycled/load", "");
    if (unload.status() != 200 || load.status() != 200) {
      failures.add("cycle " + unload.status() + " " + load.status());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
