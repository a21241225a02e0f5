package io.quiver.observability;

import java.util.Map;

/**
 * One payload log entry as a CloudEvent: its attributes (without the transport's {@code ce_} or
 * {@code ce-} prefix), the payload's content type, and the payload. A traced request's W3C
 * {@code traceparent} is one of the attributes (CloudEvents' distributed tracing extension), and
 * the sinks also send it as a plain {@code traceparent} header.
 */
record LogRecord(String id, Map<String, String> attributes, String contentType, byte[] payload) {
  /** The W3C traceparent of the inference, or null. */
  String traceparent() {
    return attributes.get("traceparent");
  }
}
