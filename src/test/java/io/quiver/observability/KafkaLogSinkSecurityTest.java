package io.quiver.observability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** The payload log's producer takes the Kafka client's security settings, as the event path does. */
class KafkaLogSinkSecurityTest {

  @Test
  void saslSettingsReachTheProducer() {
    // SASL without a JAAS entry is refused by the Kafka client itself, at construction: proof that
    // the settings were passed to it
    KafkaException refused =
        assertThrows(
            KafkaException.class,
            () -> new KafkaLogSink("localhost:1", "log", Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN")));
    Throwable cause = refused;
    boolean jaas = false;
    while (cause != null) {
      jaas |= String.valueOf(cause.getMessage()).contains("JAAS");
      cause = cause.getCause();
    }
    assertTrue(jaas, refused.toString());
  }
}
