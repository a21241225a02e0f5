package io.quiver.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real Kafka broker for the server under test, with the event path on and payload logging of
 * everything to Kafka and to an HTTP sink.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
  public static final String REQUESTS = "inference-requests";
  public static final String RESPONSES = "inference-responses";
  public static final String DEAD_LETTERS = "inference-requests-dlq";
  public static final String LOG = "inference-log";
  private static EmbeddedKafka kafka;
  private static HttpCapture sink;

  public static EmbeddedKafka kafka() {
    return kafka;
  }

  /** Everything the payload logger POSTed to its HTTP sink. */
  public static HttpCapture sink() {
    return sink;
  }

  @Override
  public Map<String, String> start() {
    kafka = EmbeddedKafka.start();
    kafka.createTopics(4, REQUESTS, RESPONSES);
    kafka.createTopics(1, DEAD_LETTERS, LOG);
    sink = HttpCapture.start();
    return Map.of(
        "kafka.bootstrap.servers", kafka.bootstrapServers(),
        "quiver.kafka.enabled", "true",
        "quiver.logger.mode", "all",
        "quiver.logger.url", sink.url());
  }

  @Override
  public void stop() {
    sink.close();
    kafka.close();
  }
}
