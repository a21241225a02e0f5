package io.quiver.core.generation;

/**
 * Told how each generation went, for metrics. Implementations are CDI beans called on the
 * generating thread: they must be quick and must not throw.
 */
public interface GenerationObserver {

  /** The first text of a generation arrived this long after the request. */
  void firstToken(String model, long nanos);

  /** A token came this long after the one before it. */
  void nextToken(String model, long nanos);

  /** A generation ended. */
  void finished(String model, FinishReason reason, int promptTokens, int completionTokens);
}
