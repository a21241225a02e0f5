package io.quiver.core;

/**
 * One request's trace, begun by the front end that received it (from the caller's W3C {@code
 * traceparent}, when it sent one) and told of each phase by the service. What it records, and
 * whether anything is exported, is the tracer's business; the front end passes {@link
 * #traceparent()} on to whatever the request causes (Kafka answers, dead letters, payload log
 * records).
 */
public interface Trace {

  /** The protocol the request came through. */
  Protocol protocol();

  /**
   * The W3C {@code traceparent} of this request's span, for what it causes: the caller's trace id
   * with a span id of its own; null when the request is not traced.
   */
  String traceparent();

  /** The caller's W3C {@code tracestate}, or null. */
  String tracestate();

  /** Decoding and validating the request; times are {@link System#nanoTime()} readings. */
  void decoded(long start, long end);

  /** Waiting for the model's threads. */
  void queued(long start, long end);

  /** The runtime call that answered it, with how many requests that call took. */
  void executed(long start, long end, int batchSize);

  /** Choosing the outputs and encoding the answer. */
  void encoded(long start, long end);

  /**
   * The request is answered, or refused; the trace is complete.
   *
   * @param model the model, or null when the name is unknown
   * @param failure why it failed, or null
   */
  void end(String model, String version, InferenceObserver.Outcome outcome, Throwable failure);

  /** A trace that records nothing, for requests nobody traces. */
  static Trace untraced(Protocol protocol) {
    return new Trace() {
      public Protocol protocol() {
        return protocol;
      }

      public String traceparent() {
        return null;
      }

      public String tracestate() {
        return null;
      }

      public void decoded(long start, long end) {}

      public void queued(long start, long end) {}

      public void executed(long start, long end, int batchSize) {}

      public void encoded(long start, long end) {}

      public void end(String model, String version, InferenceObserver.Outcome outcome, Throwable failure) {}
    };
  }
}
