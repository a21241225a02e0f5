package io.quiver.bench;

import io.quiver.support.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Inference requests through Kafka: produced to the request topic, timed until their answer is
 * read back from the response topic (the same clock on both ends: this process).
 */
final class KafkaLoad implements AutoCloseable {
  private static final String BODY =
      "{\"id\":\"%s\",\"inputs\":[{\"name\":\"input-0\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[6.8,2.8,4.8,1.4]}]}";

  private final KafkaProducer<byte[], byte[]> producer;
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread reader;
  private volatile Latencies latencies = new Latencies();
  private final String run = Long.toString(System.nanoTime());
  private long sequence;

  KafkaLoad(EmbeddedKafka kafka) {
    this.producer = kafka.producer();
    KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("inference-responses");
    this.reader = Thread.ofPlatform().daemon().start(() -> read(consumer));
  }

  private void read(KafkaConsumer<byte[], byte[]> consumer) {
    try (consumer) {
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
          Header id = record.headers().lastHeader("ce_id");
          Long sent = id == null ? null : sentAt.remove(new String(id.value(), StandardCharsets.UTF_8));
          if (sent != null) {
            long latency = System.nanoTime() - sent;
            synchronized (this) {
              latencies.add(latency);
            }
            answered.incrementAndGet();
          }
        }
      }
    }
  }

  private void send() {
    String id = run + "-" + sequence++;
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            "inference-requests",
            null,
            ("key-" + sequence % 40).getBytes(StandardCharsets.UTF_8),
            BODY.formatted(id).getBytes(StandardCharsets.UTF_8),
            java.util.List.of(new RecordHeader("model", "iris-onnx".getBytes(StandardCharsets.UTF_8))));
    sentAt.put(id, System.nanoTime());
    producer.send(record);
  }

  /** One request at a time: send, wait for its answer, repeat. */
  Result oneAtATime(int requests) throws InterruptedException {
    reset();
    long started = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      long before = answered.get();
      send();
      producer.flush();
      while (answered.get() == before) {
        Thread.onSpinWait();
      }
    }
    return result("Kafka, one request at a time", 1, requests, started);
  }

  /** All requests produced as fast as the producer takes them; timed until the last answer. */
  Result flood(int requests) throws InterruptedException {
    reset();
    long started = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      send();
    }
    producer.flush();
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (answered.get() < requests && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    if (answered.get() < requests) {
      throw new IllegalStateException("only " + answered.get() + " of " + requests + " answered");
    }
    return result("Kafka, " + requests + " requests at once", requests, requests, started);
  }

  private synchronized void reset() {
    latencies = new Latencies();
    answered.set(0);
  }

  private synchronized Result result(String name, int concurrency, int requests, long started) {
    double seconds = (System.nanoTime() - started) / 1e9;
    return Result.of(name, concurrency, Latencies.merge(java.util.List.of(latencies)), seconds);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    reader.join();
    producer.close();
  }
}
