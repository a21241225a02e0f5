package io.quiver.protocol.kafka;

import static io.quiver.support.KafkaRecords.header;
import static io.quiver.support.KafkaRecords.keyOf;
import static io.quiver.support.KafkaRecords.record;
import static io.quiver.support.KafkaRecords.rowOf;
import static io.quiver.support.KafkaRecords.v2Row;
import static io.quiver.support.KafkaTestResource.DEAD_LETTERS;
import static io.quiver.support.KafkaTestResource.REQUESTS;
import static io.quiver.support.KafkaTestResource.RESPONSES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.support.Expected;
import io.quiver.support.KafkaProfile;
import io.quiver.support.KafkaTestResource;
import io.quiver.support.Rest;
import io.quiver.support.TrackingRuntime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** The Kafka event path against a real broker: answers, keys, ids, order, and dead letters. */
@QuarkusTest
@TestProfile(KafkaProfile.class)
class KafkaEventTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @Test
  void answersEveryRequestInEveryFramingWithItsKeyAndIdInPerKeyOrder() throws Exception {
    Expected onnx = Expected.of("iris-onnx");
    Expected xgboost = Expected.of("iris-xgboost");
    int count = 30;
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestResource.kafka().producer()) {
      for (int i = 0; i < count; i++) {
        int row = i % 6;
        String key = "order-%s-%d".formatted(run, i % 5);
        switch (i % 3) {
          case 0 -> producer.send(record(key, v2Row(onnx, row, "req-" + run + "-" + i),
              "ce_specversion", "1.0", "ce_id", "bin-" + run + "-" + i, "ce_source", "test",
              "ce_type", "io.kserve.inference.request", "ce_model", "iris-onnx", "content-type", "application/json"));
          case 1 -> producer.send(record(key, structured("str-" + run + "-" + i, xgboost, row),
              "content-type", "application/cloudevents+json"));
          default -> producer.send(record(key, v2Row(xgboost, row, "plain-" + run + "-" + i), "model", "iris-xgboost"));
        }
      }
    }
    List<ConsumerRecord<byte[], byte[]>> responses =
        KafkaTestResource.kafka().read(RESPONSES, count, r -> keyOf(r).startsWith("order-" + run), WAIT);

    Map<String, List<Integer>> sequenceByKey = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> response : responses) {
      String key = keyOf(response);
      int i;
      if ("application/cloudevents+json".equals(header(response, "content-type"))) {
        JsonNode envelope = Expected.JSON.readTree(response.value());
        i = sequence(envelope.get("id").asText());
        assertEquals("str-" + run + "-" + i, envelope.get("id").asText());
        assertEquals("io.kserve.inference.response", envelope.get("type").asText());
        assertEquals("io.kserve.inference.iris-xgboost", envelope.get("source").asText());
        assertEquals("iris-xgboost", envelope.get("model").asText());
        Expected.assertValues(rowOf(xgboost, "output-0", i % 6), envelope.at("/data/predictions/0"), "structured " + i);
      } else {
        String ceId = header(response, "ce_id");
        i = sequence(ceId);
        JsonNode body = Expected.JSON.readTree(response.value());
        assertEquals("1.0", header(response, "ce_specversion"));
        assertEquals("io.kserve.inference.response", header(response, "ce_type"));
        assertEquals("application/json", header(response, "content-type"));
        if (i % 3 == 0) {
          assertEquals("bin-" + run + "-" + i, ceId, "the response carries the request's ce_id");
          assertEquals("req-" + run + "-" + i, body.get("id").asText(), "the v2 id is echoed");
          assertEquals("io.kserve.inference.iris-onnx", header(response, "ce_source"));
          assertEquals("iris-onnx", header(response, "ce_model"));
          Expected.assertValues(rowOf(onnx, "probabilities", i % 6), body.at("/outputs/1/data"), "binary " + i);
        } else {
          assertEquals("plain-" + run + "-" + i, ceId);
          assertEquals("plain-" + run + "-" + i, body.get("id").asText());
          Expected.assertValues(rowOf(xgboost, "output-0", i % 6), body.at("/outputs/0/data"), "plain " + i);
        }
      }
      assertEquals("order-%s-%d".formatted(run, i % 5), key, "the response has its request's key");
      sequenceByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
    }
    sequenceByKey.forEach(
        (key, sequence) ->
            assertEquals(sequence.stream().sorted().toList(), sequence, "order of key " + key));
  }

  @Test
  void recordsAndConsumerLagAreMeasured() throws Exception {
    Map<String, Double> before = kafkaMetrics();
    String good = v2Row(Expected.of("iris-onnx"), 0, "metered-" + run);
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestResource.kafka().producer()) {
      for (int i = 0; i < 3; i++) {
        producer.send(record("metered-" + run + "-" + i, good, "model", "iris-onnx"));
      }
      producer.send(record("metered-" + run + "-dead", good, "model", "nosuch"));
    }
    KafkaTestResource.kafka().read(RESPONSES, 3, r -> keyOf(r).startsWith("metered-" + run), WAIT);
    KafkaTestResource.kafka().read(DEAD_LETTERS, 1, r -> keyOf(r).equals("metered-" + run + "-dead"), WAIT);

    Map<String, Double> after = kafkaMetrics();
    String records = "quiver_kafka_records_total{outcome=\"%s\"}";
    assertTrue(grew(before, after, records.formatted("consumed")) >= 4, after.toString());
    assertTrue(grew(before, after, records.formatted("answered")) >= 3, after.toString());
    assertTrue(grew(before, after, records.formatted("dead_lettered")) >= 1, after.toString());
    assertTrue(
        after.keySet().stream().anyMatch(name -> name.startsWith("kafka_consumer_fetch_manager_records_lag")),
        "the consumer's lag is exported: " + after.keySet());
  }

  private static double grew(Map<String, Double> before, Map<String, Double> after, String series) {
    return after.getOrDefault(series, 0.0) - before.getOrDefault(series, 0.0);
  }

  private static Map<String, Double> kafkaMetrics() {
    Map<String, Double> samples = new java.util.TreeMap<>();
    for (String line : Rest.get("/metrics").text().split("\n")) {
      if (line.startsWith("quiver_kafka") || line.startsWith("kafka_consumer_fetch_manager_records_lag")) {
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return samples;
  }

  @Test
  void requestsThatCannotBeAnsweredGoToTheDeadLetterTopicAndTheStreamGoesOn() throws Exception {
    TrackingRuntime.serve("kafka-failing");
    Expected onnx = Expected.of("iris-onnx");
    String good = v2Row(onnx, 0, "good-" + run);
    Map<String, String> reasons = new java.util.LinkedHashMap<>();
    reasons.put("malformed", "Unrecognized request format: Unexpected end-of-input");
    reasons.put("no-model", "The event names no model");
    reasons.put("unknown-model", "Model with name nosuch does not exist.");
    reasons.put("wrong-shape", "must have shape [-1,4], got [1,3]");
    reasons.put("wrong-datatype", "must be FP32, got FP64");
    reasons.put("not-ready", "Model with name corrupt-onnx is not ready");
    reasons.put("model-failure", "tracking model refuses negative input -1");
    try (KafkaProducer<byte[], byte[]> producer = KafkaTestResource.kafka().producer()) {
      producer.send(record("dlq-" + run + "-malformed", "{\"inputs\": [", "model", "iris-onnx", "trace", "t-1"));
      producer.send(record("dlq-" + run + "-no-model", good));
      producer.send(record("dlq-" + run + "-unknown-model", good, "ce_specversion", "1.0", "ce_id", "x", "ce_model", "nosuch"));
      producer.send(record("dlq-" + run + "-wrong-shape",
          "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}", "model", "iris-onnx"));
      producer.send(record("dlq-" + run + "-wrong-datatype",
          "{\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP64\",\"data\":[1,2,3,4]}]}", "model", "iris-onnx"));
      producer.send(record("dlq-" + run + "-not-ready", good, "model", "corrupt-onnx"));
      producer.send(record("dlq-" + run + "-model-failure",
          "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[-1]}]}", "model", "kafka-failing"));
      producer.send(record("dlq-" + run + "-good", good, "model", "iris-onnx"));
    }
    List<ConsumerRecord<byte[], byte[]>> letters =
        KafkaTestResource.kafka().read(DEAD_LETTERS, reasons.size(), r -> keyOf(r).startsWith("dlq-" + run), WAIT);
    for (ConsumerRecord<byte[], byte[]> letter : letters) {
      String kind = keyOf(letter).substring(("dlq-" + run + "-").length());
      String reason = header(letter, "dead-letter-reason");
      assertNotNull(reason, kind);
      assertTrue(reason.contains(reasons.get(kind)), kind + ": " + reason);
      assertEquals(REQUESTS, header(letter, "dead-letter-topic"));
      assertNotNull(header(letter, "dead-letter-partition"));
      assertNotNull(header(letter, "dead-letter-offset"));
      assertNotNull(header(letter, "dead-letter-exception-class-name"));
    }
    ConsumerRecord<byte[], byte[]> malformed =
        letters.stream().filter(r -> keyOf(r).endsWith("-malformed")).findFirst().orElseThrow();
    assertArrayEquals("{\"inputs\": [".getBytes(StandardCharsets.UTF_8), malformed.value(), "the original value");
    assertEquals("t-1", header(malformed, "trace"), "the original headers");
    assertEquals("iris-onnx", header(malformed, "model"));

    ConsumerRecord<byte[], byte[]> answered =
        KafkaTestResource.kafka().read(RESPONSES, 1, r -> keyOf(r).equals("dlq-" + run + "-good"), WAIT).getFirst();
    assertEquals("good-" + run, Expected.JSON.readTree(answered.value()).get("id").asText());
  }

  private static String structured(String id, Expected expected, int row) {
    ObjectNode envelope = Expected.JSON.createObjectNode();
    envelope.put("specversion", "1.0").put("id", id).put("source", "test")
        .put("type", "io.kserve.inference.request").put("datacontenttype", "application/json")
        .put("model", "iris-xgboost");
    ArrayNode instances = envelope.putObject("data").putArray("instances");
    instances.add(expected.instances("input-0").get(row));
    return envelope.toString();
  }

  private static int sequence(String id) {
    return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
  }
}
