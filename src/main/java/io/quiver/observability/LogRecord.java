package io.quiver.observability;

import java.util.Map;

/**
 * One payload log entry as a CloudEvent: its attributes (without the transport's {@code ce_} or
 * {@code ce-} prefix), the payload's content type, and the payload.
 */
record LogRecord(String id, Map<String, String> attributes, String contentType, byte[] payload) {}
