package io.quiver.core;

/**
 * Told of every request the service answers and every runtime call a model makes: metrics and
 * traces hang on this, outside the core. Implementations are CDI beans, called on the request's
 * path: they must be quick and must not throw.
 */
public interface InferenceObserver {

  /** How a request ended, as operators count it. */
  enum Outcome {
    SUCCESS,
    /** The caller's mistake: unknown model, malformed or invalid request. */
    CLIENT_ERROR,
    /** The model or the server failed on a valid request. */
    SERVER_ERROR,
    /** Not taken now: model loading or failed, queue full, shutting down. */
    REJECTED
  }

  /**
   * One request, answered or refused. Phases it did not reach are 0.
   *
   * @param model the model, or null when the name is unknown (so unknown names make no series)
   * @param version the version label, or null
   */
  record Answered(
      Protocol protocol,
      String model,
      String version,
      Outcome outcome,
      long totalNanos,
      long inputNanos,
      long queueNanos,
      long computeNanos,
      long outputNanos) {}

  void answered(Answered request);

  /** One runtime call of {@code batchSize} requests. */
  void executed(String model, String version, int batchSize, long computeNanos);
}
