package io.quiver.observability;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Payload log records as binary-mode CloudEvents on a Kafka topic: attributes as {@code ce_*}
 * headers, the payload as the value, the event id as the key (so a request and its response land
 * in one partition, in order).
 */
final class KafkaLogSink implements LogSink {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  /**
   * @param security the Kafka client's security settings ({@code security.protocol}, {@code
   *     sasl.*}, {@code ssl.*}), as the event path's clients get them
   */
  KafkaLogSink(String bootstrapServers, String topic, Map<String, String> security) {
    Map<String, Object> settings = new java.util.HashMap<>(security);
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // A broker that is down must not hold the sender thread for long: the buffer in front of it
    // fills and drops instead.
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    settings.put(ProducerConfig.CLIENT_ID_CONFIG, "quiver-payload-logger");
    this.producer = new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  @Override
  public void send(LogRecord record, Runnable failed) {
    RecordHeaders headers = new RecordHeaders();
    record.attributes().forEach((name, value) -> headers.add("ce_" + name, utf8(value)));
    headers.add("content-type", utf8(record.contentType()));
    if (record.traceparent() != null) {
      headers.add("traceparent", utf8(record.traceparent()));
    }
    try {
      producer.send(
          new ProducerRecord<>(topic, null, utf8(record.id()), record.payload(), headers),
          (metadata, error) -> {
            if (error != null) {
              failed.run();
            }
          });
    } catch (RuntimeException e) {
      failed.run();
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
