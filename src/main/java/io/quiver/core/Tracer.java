package io.quiver.core;

/** Begins the trace of each request a front end receives. Implemented outside the core. */
public interface Tracer {

  /**
   * @param traceparent the caller's W3C {@code traceparent}, or null when it sent none
   * @param tracestate the caller's W3C {@code tracestate}, or null
   */
  Trace start(Protocol protocol, String traceparent, String tracestate);
}
