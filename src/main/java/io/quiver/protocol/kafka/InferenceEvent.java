package io.quiver.protocol.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException.InvalidInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * An inference request as it arrived on Kafka: a CloudEvent in binary mode ({@code ce_*} headers),
 * in structured mode ({@code application/cloudevents+json}), or a plain record naming its model in a
 * {@code model} header. The event's data is a KServe v1 or Open Inference Protocol v2 JSON body.
 *
 * @param mode how the request was framed; the response is framed the same way
 * @param id the CloudEvent id, or null for a plain record
 * @param model the model to run ({@code model} extension attribute)
 * @param modelVersion the version asked for, or null
 * @param data the inference request body
 * @param traceparent the caller's W3C traceparent, or null
 * @param tracestate the caller's W3C tracestate, or null
 */
record InferenceEvent(
    Mode mode, String id, String model, String modelVersion, byte[] data, String traceparent, String tracestate) {
  static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json";

  enum Mode {
    BINARY,
    STRUCTURED,
    PLAIN
  }

  /**
   * Reads an event from a record's headers and value.
   *
   * @throws InvalidInput when the event is malformed or names no model
   */
  static InferenceEvent read(Headers headers, byte[] value, ObjectMapper json) {
    String contentType = header(headers, "content-type");
    if (contentType != null && contentType.startsWith(STRUCTURED_CONTENT_TYPE)) {
      return structured(headers, value, json);
    }
    if (header(headers, "ce_specversion") != null) {
      return named(
          Mode.BINARY,
          header(headers, "ce_id"),
          header(headers, "ce_model"),
          header(headers, "ce_modelversion"),
          value,
          "header ce_model",
          traceparent(headers),
          tracestate(headers));
    }
    return named(
        Mode.PLAIN,
        null,
        header(headers, "model"),
        header(headers, "modelversion"),
        value,
        "header model",
        traceparent(headers),
        tracestate(headers));
  }

  /**
   * The caller's W3C traceparent in a record's headers: a plain {@code traceparent} header (what
   * OpenTelemetry's Kafka instrumentation writes), else CloudEvents' {@code ce_traceparent}.
   */
  static String traceparent(Headers headers) {
    String plain = header(headers, "traceparent");
    return plain != null ? plain : header(headers, "ce_traceparent");
  }

  static String tracestate(Headers headers) {
    String plain = header(headers, "tracestate");
    return plain != null ? plain : header(headers, "ce_tracestate");
  }

  private static InferenceEvent structured(Headers headers, byte[] value, ObjectMapper json) {
    JsonNode envelope;
    try {
      envelope = json.readTree(value);
    } catch (IOException e) {
      throw new InvalidInput("The structured CloudEvent is not valid JSON: " + e.getMessage());
    }
    if (envelope == null || !envelope.isObject()) {
      throw new InvalidInput("The structured CloudEvent must be a JSON object.");
    }
    byte[] data;
    if (envelope.hasNonNull("data_base64")) {
      data = Base64.getDecoder().decode(envelope.get("data_base64").asText());
    } else if (envelope.has("data")) {
      JsonNode node = envelope.get("data");
      data = node.isTextual() ? node.asText().getBytes(StandardCharsets.UTF_8) : node.toString().getBytes(StandardCharsets.UTF_8);
    } else {
      throw new InvalidInput("The structured CloudEvent has no data.");
    }
    return named(
        Mode.STRUCTURED,
        text(envelope, "id"),
        text(envelope, "model"),
        text(envelope, "modelversion"),
        data,
        "attribute model",
        firstNonNull(traceparent(headers), text(envelope, "traceparent")),
        firstNonNull(tracestate(headers), text(envelope, "tracestate")));
  }

  private static String firstNonNull(String first, String second) {
    return first != null ? first : second;
  }

  private static InferenceEvent named(
      Mode mode,
      String id,
      String model,
      String version,
      byte[] data,
      String where,
      String traceparent,
      String tracestate) {
    if (model == null || model.isBlank()) {
      throw new InvalidInput(
          "The event names no model: set the CloudEvents extension attribute 'model' (%s)."
              .formatted(where));
    }
    if (data == null) {
      throw new InvalidInput("The event has no data.");
    }
    return new InferenceEvent(mode, id, model, version, data, traceparent, tracestate);
  }

  static String header(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
