package io.quiver.it;

import static io.quiver.support.KafkaRecords.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.support.EmbeddedKafka;
import io.quiver.support.Expected;
import io.quiver.support.KafkaRecords;
import io.quiver.support.ServerProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event path across processes: packaged servers in one consumer group share the request topic's
 * partitions, and a server that stops (or crashes) in the middle of a stream loses no request.
 */
class KafkaReplicasIT {
  private static final String REQUESTS = "inference-requests";
  private static final String RESPONSES = "inference-responses";
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    kafka.createTopics(4, REQUESTS, RESPONSES);
    kafka.createTopics(1, "inference-requests-dlq");
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  private static ServerProcess server(String group) {
    return ServerProcess.start(
        Map.of(
            "QUIVER_MODEL_REPOSITORY", "examples/models",
            "QUIVER_KAFKA_ENABLED", "true",
            "QUIVER_KAFKA_GROUP", group,
            "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()),
        // A crashed replica's partitions move after this long, not Kafka's default 45 s.
        "-Dmp.messaging.incoming.inference-requests.session.timeout.ms=6000",
        "-Dmp.messaging.incoming.inference-requests.heartbeat.interval.ms=1000",
        "-Dmp.messaging.incoming.inference-requests.max.poll.records=20");
  }

  @Test
  void twoReplicasSplitThePartitionsAndACrashLosesNothing() throws Exception {
    String group = "replicas-" + UUID.randomUUID();
    try (ServerProcess first = server(group);
        ServerProcess second = server(group);
        Answers answers = new Answers(group)) {
      first.awaitReady(Duration.ofSeconds(60));
      second.awaitReady(Duration.ofSeconds(60));
      awaitAssignment(group, 2);

      produce(group, 400);
      answers.awaitAtLeast(80);
      first.process().destroyForcibly(); // a crash: no graceful leave, no final commit
      try (ServerProcess replacement = server(group)) {
        replacement.awaitReady(Duration.ofSeconds(60));
        answers.awaitAll(400, Duration.ofSeconds(120));
      }
      assertTrue(answers.duplicatesCarryTheirId(), "a redelivered request is answered with the same id");
    }
  }

  @Test
  void aServerStoppedAndRestartedMidStreamLosesNothing() throws Exception {
    String group = "restart-" + UUID.randomUUID();
    try (Answers answers = new Answers(group)) {
      try (ServerProcess server = server(group)) {
        server.awaitReady(Duration.ofSeconds(60));
        awaitAssignment(group, 1);
        produce(group, 300);
        answers.awaitAtLeast(50);
        server.terminate();
        assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), "the server stops on SIGTERM");
      }
      try (ServerProcess restarted = server(group)) {
        restarted.awaitReady(Duration.ofSeconds(60));
        answers.awaitAll(300, Duration.ofSeconds(120));
      }
    }
  }

  /** Requests "<group>-<i>", keyed over 40 keys (so over all partitions). */
  private static void produce(String group, int count) {
    Expected iris = Expected.of("iris-onnx");
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int i = 0; i < count; i++) {
        producer.send(
            KafkaRecords.record(
                "key-" + (i % 40), KafkaRecords.v2Row(iris, i % 6, group + "-" + i), "model", "iris-onnx"));
      }
    }
  }

  private static void awaitAssignment(String group, int members) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Admin admin = kafka.admin()) {
      while (System.nanoTime() < deadline) {
        ConsumerGroupDescription description;
        try {
          description = admin.describeConsumerGroups(Set.of(group)).all().get().get(group);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
            throw e;
          }
          Thread.sleep(100); // ready before the consumer has joined: the group does not exist yet
          continue;
        }
        if (description.members().size() == members) {
          Map<String, Integer> partitions = new HashMap<>();
          description.members().forEach(m -> partitions.put(m.consumerId(), m.assignment().topicPartitions().size()));
          int total = partitions.values().stream().mapToInt(Integer::intValue).sum();
          if (total == 4 && partitions.values().stream().allMatch(p -> p == 4 / members)) {
            return;
          }
        }
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the group never settled on " + members + " members sharing 4 partitions");
  }

  /** Collects this run's answers from the response topic, in the background. */
  private static final class Answers implements AutoCloseable {
    private final String prefix;
    private final Map<String, Integer> answered = new ConcurrentHashMap<>();
    private final Map<String, String> bodyIds = new ConcurrentHashMap<>();
    private final AtomicBoolean duplicateMismatch = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread reader;

    Answers(String prefix) {
      this.prefix = prefix + "-";
      this.reader = Thread.ofPlatform().daemon().start(this::read);
    }

    private void read() {
      try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(RESPONSES)) {
        while (running.get()) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            String id = header(record, "ce_id");
            if (id != null && id.startsWith(prefix)) {
              String bodyId = bodyId(record.value());
              if (answered.merge(id, 1, Integer::sum) > 1 && !id.equals(bodyId)) {
                duplicateMismatch.set(true);
              }
              bodyIds.put(id, bodyId);
            }
          }
        }
      }
    }

    private static String bodyId(byte[] value) {
      try {
        return Expected.JSON.readTree(new String(value, StandardCharsets.UTF_8)).get("id").asText();
      } catch (Exception e) {
        return null;
      }
    }

    void awaitAtLeast(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (answered.size() < count && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(answered.size() >= count, "only " + answered.size() + " answers arrived");
    }

    void awaitAll(int count, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (answered.size() < count && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      for (int i = 0; i < count; i++) {
        assertTrue(answered.containsKey(prefix + i), "request " + prefix + i + " was never answered");
      }
      assertEquals(count, answered.size());
      bodyIds.forEach((id, bodyId) -> assertEquals(id, bodyId, "the v2 body echoes the request id"));
    }

    boolean duplicatesCarryTheirId() {
      return !duplicateMismatch.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      reader.join();
    }
  }
}
