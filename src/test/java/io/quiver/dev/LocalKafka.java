package io.quiver.dev;

import io.quiver.support.EmbeddedKafka;
import java.util.concurrent.CountDownLatch;

/**
 * A real Kafka broker for trying the event path locally, without Docker: a single KRaft node with
 * Quiver's topics. Run {@code ./mvnw -B -q test-compile exec:exec@local-kafka}; stop with Ctrl-C.
 */
public final class LocalKafka {
  private LocalKafka() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    kafka.createTopics(4, "inference-requests", "inference-responses");
    kafka.createTopics(1, "inference-requests-dlq", "inference-log");
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
    System.out.println("Kafka is running. In another shell:");
    System.out.println("  export KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
    System.out.println(
        "Topics: inference-requests, inference-responses (4 partitions each), inference-requests-dlq, inference-log.");
    new CountDownLatch(1).await();
  }
}
