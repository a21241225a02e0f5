package io.quiver.observability;

import static io.quiver.support.KafkaRecords.header;
import static io.quiver.support.KafkaRecords.record;
import static io.quiver.support.KafkaRecords.v2Row;
import static io.quiver.support.KafkaTestResource.LOG;
import static io.quiver.support.KafkaTestResource.RESPONSES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.protocol.grpc.api.ModelInferResponse;
import io.quiver.support.Expected;
import io.quiver.support.HttpCapture;
import io.quiver.support.KafkaProfile;
import io.quiver.support.KafkaTestResource;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Payload logging in "all" mode: every inference, whichever protocol, and failed ones too, gives a
 * request record and a response record with one id, on the Kafka topic and at the HTTP sink.
 */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class PayloadLogTest {
  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void everyProtocolLogsARequestAndAResponseWithOneId() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Expected onnx = Expected.of("iris-onnx");
    byte[] v2Body = v2Row(onnx, 2, "v2-request").getBytes(StandardCharsets.UTF_8);
    Reply v2 = Rest.post("/v2/models/iris-onnx/infer", v2Body, "ce-id", "log-" + run + "-v2");
    byte[] v1Body = "{\"instances\":[[6.8,2.8,4.8,1.4]]}".getBytes(StandardCharsets.UTF_8);
    Reply v1 = Rest.post("/v1/models/iris-xgboost:predict", v1Body, "x-request-id", "log-" + run + "-v1");
    byte[] badBody = "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}"
        .getBytes(StandardCharsets.UTF_8);
    Reply bad = Rest.post("/v2/models/iris-onnx/infer", badBody, "ce-id", "log-" + run + "-bad");
    assertEquals(400, bad.status());
    ModelInferRequest grpcRequest =
        ModelInferRequest.newBuilder().setModelName("iris-onnx").setId("log-" + run + "-grpc")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32")
                .addShape(1).addShape(4)
                .setContents(InferTensorContents.newBuilder().addFp32Contents(5.1f).addFp32Contents(3.5f)
                    .addFp32Contents(1.4f).addFp32Contents(0.2f)))
            .build();
    ModelInferResponse grpcResponse = grpc.modelInfer(grpcRequest);
    String kafkaBody = v2Row(onnx, 3, "kafka-request");
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestResource.kafka().producer()) {
      producer.send(record("log-" + run, kafkaBody, "ce_specversion", "1.0", "ce_id", "log-" + run + "-kafka",
          "ce_source", "test", "ce_type", "io.kserve.inference.request", "ce_model", "iris-onnx"));
    }
    ConsumerRecord<byte[], byte[]> kafkaAnswer = KafkaTestResource.kafka()
        .read(RESPONSES, 1, r -> ("log-" + run + "-kafka").equals(header(r, "ce_id")), Duration.ofSeconds(60)).getFirst();

    List<ConsumerRecord<byte[], byte[]>> logged = KafkaTestResource.kafka().read(
        LOG, 10, r -> String.valueOf(header(r, "ce_id")).startsWith("log-" + run), Duration.ofSeconds(60));
    Map<String, ConsumerRecord<byte[], byte[]>> byIdAndType = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : logged) {
      byIdAndType.put(header(record, "ce_id") + " " + header(record, "ce_type"), record);
    }
    assertEquals(10, byIdAndType.size(), "a request and a response record for each of five calls");

    assertPair(byIdAndType, "log-" + run + "-v2", "v2", "iris-onnx", v2Body, v2.body(), "200");
    assertPair(byIdAndType, "log-" + run + "-v1", "v1", "iris-xgboost", v1Body, v1.body(), "200");
    assertPair(byIdAndType, "log-" + run + "-bad", "v2", "iris-onnx", badBody, bad.body(), "400");
    assertPair(byIdAndType, "log-" + run + "-grpc", "grpc", "iris-onnx", grpcRequest.toByteArray(),
        grpcResponse.toByteArray(), "200");
    assertPair(byIdAndType, "log-" + run + "-kafka", "kafka", "iris-onnx", kafkaBody.getBytes(StandardCharsets.UTF_8),
        kafkaAnswer.value(), "200");

    // The same events reach the HTTP sink as binary-mode CloudEvents (ce-* headers).
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<HttpCapture.Posted> posted;
    do {
      Thread.sleep(50);
      posted = KafkaTestResource.sink().posted().stream()
          .filter(p -> String.valueOf(p.headers().get("ce-id")).startsWith("log-" + run)).toList();
    } while (posted.size() < 10 && System.nanoTime() < deadline);
    assertEquals(10, posted.size());
    HttpCapture.Posted v2Request = posted.stream()
        .filter(p -> p.headers().get("ce-id").equals("log-" + run + "-v2")
            && p.headers().get("ce-type").equals(PayloadLogger.REQUEST_TYPE))
        .findFirst().orElseThrow();
    assertArrayEquals(v2Body, v2Request.body());
    assertEquals("iris-onnx", v2Request.headers().get("ce-inferenceservicename"));
    assertEquals("v2", v2Request.headers().get("ce-endpoint"));
  }

  /** No OTLP endpoint here: nothing is exported, yet what an inference causes continues the caller's trace. */
  @Test
  void withoutAnExporterTheCallersTraceIsPassedOn() throws Exception {
    String run = UUID.randomUUID().toString().replace("-", "");
    String callerSpan = run.substring(0, 16);
    String traceparent = "00-" + run + "-" + callerSpan + "-01";
    byte[] body = v2Row(Expected.of("iris-onnx"), 0, "passed-on").getBytes(StandardCharsets.UTF_8);
    assertEquals(200, Rest.post("/v2/models/iris-onnx/infer", body, "ce-id", "trace-" + run, "traceparent", traceparent).status());
    List<ConsumerRecord<byte[], byte[]>> logged =
        KafkaTestResource.kafka().read(LOG, 2, r -> ("trace-" + run).equals(header(r, "ce_id")), Duration.ofSeconds(60));
    String passedOn = header(logged.get(0), "traceparent");
    assertEquals(passedOn, header(logged.get(1), "traceparent"), "request and response records: one span");
    assertEquals(passedOn, header(logged.get(0), "ce_traceparent"));
    assertTrue(passedOn.matches("00-" + run + "-[0-9a-f]{16}-01"), passedOn);
    assertNotEquals(callerSpan, passedOn.split("-")[2], "a span id of the inference's own");

    String key = "trace-kafka-" + run;
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestResource.kafka().producer()) {
      producer.send(record(key, v2Row(Expected.of("iris-onnx"), 1, key), "ce_specversion", "1.0", "ce_id", key,
          "ce_source", "test", "ce_type", "io.kserve.inference.request", "ce_model", "iris-onnx",
          "ce_traceparent", traceparent));
    }
    ConsumerRecord<byte[], byte[]> answer =
        KafkaTestResource.kafka().read(RESPONSES, 1, r -> key.equals(header(r, "ce_id")), Duration.ofSeconds(60)).getFirst();
    assertTrue(header(answer, "ce_traceparent").matches("00-" + run + "-[0-9a-f]{16}-01"), header(answer, "ce_traceparent"));
    assertEquals(header(answer, "ce_traceparent"), header(answer, "traceparent"));
    assertNotEquals(callerSpan, header(answer, "traceparent").split("-")[2]);
  }

  private static void assertPair(
      Map<String, ConsumerRecord<byte[], byte[]>> logged, String id, String endpoint, String model,
      byte[] requestPayload, byte[] responsePayload, String status) {
    ConsumerRecord<byte[], byte[]> request = logged.get(id + " " + PayloadLogger.REQUEST_TYPE);
    ConsumerRecord<byte[], byte[]> response = logged.get(id + " " + PayloadLogger.RESPONSE_TYPE);
    assertTrue(request != null && response != null, "both records for " + id);
    for (ConsumerRecord<byte[], byte[]> record : List.of(request, response)) {
      assertEquals(endpoint, header(record, "ce_endpoint"), id);
      assertEquals(model, header(record, "ce_inferenceservicename"), id);
      assertEquals(model, header(record, "ce_model"), id);
      assertEquals("1.0", header(record, "ce_specversion"), id);
      assertTrue(header(record, "ce_time") != null, id);
      assertTrue(header(record, "content-type") != null, id);
    }
    assertArrayEquals(requestPayload, request.value(), "request payload of " + id + " as received");
    assertArrayEquals(responsePayload, response.value(), "response payload of " + id + " as sent");
    assertEquals(status, header(response, "ce_status"), id);
  }
}
