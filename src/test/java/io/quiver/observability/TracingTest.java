package io.quiver.observability;

import static io.quiver.support.KafkaRecords.header;
import static io.quiver.support.KafkaRecords.keyOf;
import static io.quiver.support.KafkaRecords.record;
import static io.quiver.support.KafkaRecords.v2Row;
import static io.quiver.support.KafkaTestResource.DEAD_LETTERS;
import static io.quiver.support.KafkaTestResource.RESPONSES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.protocol.grpc.api.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.quiver.protocol.grpc.api.InferTensorContents;
import io.quiver.protocol.grpc.api.ModelInferRequest;
import io.quiver.support.Expected;
import io.quiver.support.HttpCapture.Posted;
import io.quiver.support.KafkaTestResource;
import io.quiver.support.OtlpReceiver.Span;
import io.quiver.support.Rest;
import io.quiver.support.Rest.Reply;
import io.quiver.support.TracingProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * With an OTLP endpoint set, every inference is exported as a span continuing the caller's W3C
 * trace, with a child span per phase, whichever protocol it came through; what it causes (payload
 * log records, Kafka answers) carries that span as its traceparent.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
class TracingTest {
  private static final Expected IRIS = Expected.of("iris-onnx");
  private static final Set<String> PHASES = Set.of("decode", "queue", "execute", "encode");
  private static final int SERVER = 2;
  private static final int CONSUMER = 5;

  @GrpcClient("inference")
  GRPCInferenceServiceBlockingStub grpc;

  @Test
  void aRestInferenceContinuesTheCallersTraceIntoItsSpansAndPayloadLog() throws Exception {
    String traceId = randomHex(16);
    String callerSpan = randomHex(8);
    String id = "traced-" + traceId.substring(0, 8);
    Reply reply =
        Rest.post(
            "/v2/models/iris-onnx/infer",
            v2Row(IRIS, 1, id).getBytes(StandardCharsets.UTF_8),
            "traceparent",
            "00-" + traceId + "-" + callerSpan + "-01",
            "ce-id",
            id);
    assertEquals(200, reply.status(), reply.text());

    Span inference = inferenceSpan(traceId);
    assertEquals(callerSpan, inference.parentSpanId());
    assertEquals("inference iris-onnx", inference.name());
    assertEquals(SERVER, inference.kind());
    assertEquals("iris-onnx", inference.attributes().get("quiver.model"));
    assertEquals("v2", inference.attributes().get("quiver.protocol"));
    assertEquals("success", inference.attributes().get("quiver.outcome"));
    assertEquals("1", inference.attributes().get("quiver.batch_size"));
    List<Span> phases = awaitSpans(traceId, span -> inference.spanId().equals(span.parentSpanId()), PHASES.size());
    assertEquals(PHASES, phases.stream().map(Span::name).collect(Collectors.toSet()));

    String expected = "00-" + traceId + "-" + inference.spanId() + "-01";
    List<Posted> logged = awaitLogged(id, 2);
    for (Posted record : logged) {
      assertEquals(expected, record.headers().get("traceparent"), "payload log record " + record.headers());
      assertEquals(expected, record.headers().get("ce-traceparent"));
    }
  }

  @Test
  void anOpenAiCompletionIsTracedAndLogged() throws Exception {
    java.nio.file.Path folder = io.quiver.support.TestRepository.root().resolve("traced-chat");
    io.quiver.support.TestRepository.copyTree(java.nio.file.Path.of("src/test/resources/huggingface/tiny-chat"), folder);
    assertEquals(200, Rest.post("/v2/repository/models/traced-chat/load", "").status());
    String traceId = randomHex(16);
    String callerSpan = randomHex(8);
    String id = "traced-chat-" + traceId.substring(0, 8);
    Reply reply =
        Rest.post(
            "/openai/v1/completions",
            "{\"model\": \"traced-chat\", \"prompt\": \"Hello\", \"max_tokens\": 4}".getBytes(StandardCharsets.UTF_8),
            "traceparent",
            "00-" + traceId + "-" + callerSpan + "-01",
            "ce-id",
            id);
    assertEquals(200, reply.status(), reply.text());
    Span inference = inferenceSpan(traceId);
    assertEquals(callerSpan, inference.parentSpanId());
    assertEquals("openai", inference.attributes().get("quiver.protocol"));
    assertEquals("success", inference.attributes().get("quiver.outcome"));
    List<Posted> logged = awaitLogged(id, 2);
    assertEquals(2, logged.size(), "the request and its answer are logged");
  }

  @Test
  void aKafkaRequestsAnswerCarriesItsInferenceSpan() throws Exception {
    String traceId = randomHex(16);
    String callerSpan = randomHex(8);
    String key = "traced-kafka-" + traceId.substring(0, 8);
    String traceparent = "00-" + traceId + "-" + callerSpan + "-01";
    String unknownModel = "traced-dead-" + traceId.substring(0, 8);
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestResource.kafka().producer()) {
      producer.send(record(key, v2Row(IRIS, 3, key), "model", "iris-onnx", "traceparent", traceparent)).get(30, TimeUnit.SECONDS);
      producer.send(record(unknownModel, v2Row(IRIS, 3, key), "model", "no-such-model", "traceparent", traceparent))
          .get(30, TimeUnit.SECONDS);
    }
    ConsumerRecord<byte[], byte[]> answer =
        KafkaTestResource.kafka().read(RESPONSES, 1, r -> keyOf(r).equals(key), Duration.ofSeconds(60)).getFirst();
    ConsumerRecord<byte[], byte[]> deadLetter =
        KafkaTestResource.kafka().read(DEAD_LETTERS, 1, r -> keyOf(r).equals(unknownModel), Duration.ofSeconds(60)).getFirst();

    List<Span> spans = awaitSpans(traceId, span -> span.name().startsWith("inference"), 2);
    Span inference = spans.stream().filter(s -> s.name().equals("inference iris-onnx")).findFirst().orElseThrow();
    assertEquals(callerSpan, inference.parentSpanId());
    assertEquals(CONSUMER, inference.kind());
    assertEquals("kafka", inference.attributes().get("quiver.protocol"));
    assertEquals("00-" + traceId + "-" + inference.spanId() + "-01", header(answer, "traceparent"));

    Span refused = spans.stream().filter(s -> s != inference).findFirst().orElseThrow();
    assertEquals("client_error", refused.attributes().get("quiver.outcome"));
    assertEquals("00-" + traceId + "-" + refused.spanId() + "-01", header(deadLetter, "traceparent"));
  }

  @Test
  void aGrpcInferenceContinuesTheCallersTrace() throws Exception {
    String traceId = randomHex(16);
    String callerSpan = randomHex(8);
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-" + traceId + "-" + callerSpan + "-01");
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    IRIS.input("input-0").get("data").forEach(v -> contents.addFp32Contents((float) v.asDouble()));
    grpc.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .modelInfer(
            ModelInferRequest.newBuilder()
                .setModelName("iris-onnx")
                .addInputs(
                    ModelInferRequest.InferInputTensor.newBuilder().setName("input-0").setDatatype("FP32")
                        .addShape(6).addShape(4).setContents(contents))
                .build());

    Span inference = inferenceSpan(traceId);
    assertEquals(callerSpan, inference.parentSpanId());
    assertEquals("grpc", inference.attributes().get("quiver.protocol"));
  }

  @Test
  void anUntracedRequestStartsATraceOfItsOwnAndAFailureIsMarked() throws Exception {
    String id = "untraced-" + randomHex(4);
    String bad = "{\"id\":\"" + id + "\",\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
    assertEquals(400, Rest.post("/v2/models/iris-onnx/infer", bad.getBytes(StandardCharsets.UTF_8), "ce-id", id).status());

    String traceparent = awaitLogged(id, 2).getFirst().headers().get("traceparent");
    String traceId = traceparent.split("-")[1];
    Span inference = inferenceSpan(traceId);
    assertEquals("", inference.parentSpanId(), "a root span");
    assertEquals("client_error", inference.attributes().get("quiver.outcome"));
    assertEquals(inference.spanId(), traceparent.split("-")[2], "the log record carries the inference span");
  }

  private static Span inferenceSpan(String traceId) throws InterruptedException {
    return awaitSpans(traceId, span -> span.name().startsWith("inference"), 1).getFirst();
  }

  private static List<Span> awaitSpans(String traceId, java.util.function.Predicate<Span> wanted, int count)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<Span> found =
          TracingProfile.receiver().spans().stream().filter(s -> s.traceId().equals(traceId)).filter(wanted).toList();
      if (found.size() >= count) {
        return found;
      }
      assertTrue(System.nanoTime() < deadline, "spans of trace " + traceId + " exported: " + found);
      Thread.sleep(50);
    }
  }

  private static List<Posted> awaitLogged(String id, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<Posted> found =
          KafkaTestResource.sink().posted().stream().filter(p -> id.equals(p.headers().get("ce-id"))).toList();
      if (found.size() >= count) {
        return found;
      }
      assertTrue(System.nanoTime() < deadline, "payload log records of " + id);
      Thread.sleep(50);
    }
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zeros, which W3C treats as invalid
    return HexFormat.of().formatHex(random);
  }
}
