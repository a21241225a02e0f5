package io.quiver.protocol.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceResponse;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The records the event path writes: answers as CloudEvents framed as their requests were (what
 * KServe's model server answers a CloudEvent with), and dead letters carrying the original record
 * and SmallRye's dead-letter headers. Both carry the {@code traceparent} of the inference that made
 * them, so a consumer continues the caller's trace.
 */
final class KafkaAnswers {
  static final String RESPONSE_TYPE = "io.kserve.inference.response";

  private final ObjectMapper json;
  private final String deadLetterTopic;

  KafkaAnswers(ObjectMapper json, String deadLetterTopic) {
    this.json = json;
    this.deadLetterTopic = deadLetterTopic;
  }

  Message<byte[]> response(
      KafkaRecord<byte[], byte[]> request,
      InferenceEvent event,
      String id,
      String traceparent,
      InferenceResponse response,
      byte[] body) {
    String eventId = event.id() != null ? event.id() : id;
    String source = "io.kserve.inference." + response.modelName();
    RecordHeaders headers = new RecordHeaders();
    byte[] value;
    if (event.mode() == InferenceEvent.Mode.STRUCTURED) {
      value = envelope(eventId, source, traceparent, response, body);
      add(headers, "content-type", InferenceEvent.STRUCTURED_CONTENT_TYPE);
    } else {
      value = body;
      add(headers, "ce_specversion", "1.0");
      add(headers, "ce_id", eventId);
      add(headers, "ce_source", source);
      add(headers, "ce_type", RESPONSE_TYPE);
      add(headers, "ce_time", Instant.now().toString());
      add(headers, "ce_model", response.modelName());
      if (response.modelVersion() != null) {
        add(headers, "ce_modelversion", response.modelVersion());
      }
      if (traceparent != null) {
        add(headers, "ce_traceparent", traceparent);
      }
      add(headers, "content-type", "application/json");
    }
    if (traceparent != null) {
      add(headers, "traceparent", traceparent);
    }
    return Message.of(value)
        .addMetadata(
            OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(request.getKey())
                .withHeaders(headers)
                .build());
  }

  private byte[] envelope(String id, String source, String traceparent, InferenceResponse response, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 256);
    try (JsonGenerator envelope = json.getFactory().createGenerator(out)) {
      envelope.writeStartObject();
      envelope.writeStringField("specversion", "1.0");
      envelope.writeStringField("id", id);
      envelope.writeStringField("source", source);
      envelope.writeStringField("type", RESPONSE_TYPE);
      envelope.writeStringField("time", Instant.now().toString());
      envelope.writeStringField("datacontenttype", "application/json");
      envelope.writeStringField("model", response.modelName());
      if (response.modelVersion() != null) {
        envelope.writeStringField("modelversion", response.modelVersion());
      }
      if (traceparent != null) {
        envelope.writeStringField("traceparent", traceparent);
      }
      envelope.writeFieldName("data");
      envelope.writeRawValue(new String(data, StandardCharsets.UTF_8));
      envelope.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The original record, to the dead-letter topic, with why it could not be answered. */
  Message<byte[]> deadLetter(
      KafkaRecord<byte[], byte[]> request,
      IncomingKafkaRecordMetadata<byte[], byte[]> origin,
      String traceparent,
      Throwable error,
      String reason) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : request.getHeaders()) {
      headers.add(header);
    }
    if (traceparent != null) {
      headers.remove("traceparent");
      add(headers, "traceparent", traceparent);
    }
    add(headers, KafkaDeadLetterQueue.DEAD_LETTER_REASON, reason);
    add(headers, KafkaDeadLetterQueue.DEAD_LETTER_EXCEPTION_CLASS_NAME, error.getClass().getName());
    add(headers, KafkaDeadLetterQueue.DEAD_LETTER_TOPIC, origin.getTopic());
    add(headers, KafkaDeadLetterQueue.DEAD_LETTER_PARTITION, Integer.toString(origin.getPartition()));
    add(headers, KafkaDeadLetterQueue.DEAD_LETTER_OFFSET, Long.toString(origin.getOffset()));
    return Message.of(request.getPayload())
        .addMetadata(
            OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withTopic(deadLetterTopic)
                .withKey(request.getKey())
                .withHeaders(headers)
                .build());
  }

  /** The error as a REST client would have seen it, for the payload log. */
  byte[] errorBody(String reason) {
    try {
      return json.writeValueAsBytes(Map.of("error", reason));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The HTTP status the error would have had, for the payload log's ce_status. */
  static int status(Throwable error) {
    return error instanceof IOException ? 400 : InferenceException.httpStatus(error);
  }

  private static void add(RecordHeaders headers, String name, String value) {
    headers.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
  }
}
