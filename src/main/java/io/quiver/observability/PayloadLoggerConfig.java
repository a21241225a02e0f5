package io.quiver.observability;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Request/response payload logging, KServe's logger with Kafka topics as the sink ({@code
 * quiver.logger.*}, environment {@code QUIVER_LOGGER_*}).
 */
@ConfigMapping(prefix = "quiver.logger")
public interface PayloadLoggerConfig {

  /** What to log: all, request or response; unset logs nothing. A model's settings may override it. */
  Optional<PayloadLogMode> mode();

  /** The Kafka topic records go to, on the broker at {@code KAFKA_BOOTSTRAP_SERVERS}. */
  @WithDefault("inference-log")
  String topic();

  /** An HTTP endpoint that also receives every record as a binary-mode CloudEvent (KServe's logger sink). */
  Optional<URI> url();

  /** Records waiting to be sent; when it is full new records are dropped and counted. */
  @WithDefault("10000")
  int bufferSize();

  /** How long an inference may wait for room in a full buffer before its record is dropped. */
  @WithDefault("PT0.002S")
  Duration maxBlock();
}
