package io.quiver.protocol.kafka;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The Kafka event path ({@code quiver.kafka.*}, environment {@code QUIVER_KAFKA_*}); the broker is
 * {@code KAFKA_BOOTSTRAP_SERVERS}. The channels in application.properties read these too.
 */
@ConfigMapping(prefix = "quiver.kafka")
public interface KafkaEventConfig {

  /** Whether Quiver consumes inference requests from Kafka. Off: no broker is needed at all. */
  @WithDefault("false")
  boolean enabled();

  /** Where inference requests are read from. */
  @WithDefault("inference-requests")
  String requestTopic();

  /** Where responses are written, keyed as their requests. */
  @WithDefault("inference-responses")
  String responseTopic();

  /** Where requests that cannot be answered go, with the reason. */
  @WithDefault("inference-requests-dlq")
  String dlqTopic();

  /** The consumer group; replicas in one group share the request topic's partitions. */
  @WithDefault("quiver")
  String group();
}
