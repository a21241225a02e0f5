package io.quiver.core.spi;

import io.quiver.core.InferenceRequest;
import java.util.List;

/**
 * A model held in memory, ready to answer. It is handed batches of requests that the core has
 * already validated against {@link #metadata()}: names, datatypes and shapes are right.
 */
public interface LoadedModel extends AutoCloseable {

  ModelMetadata metadata();

  /**
   * Answers each request of the batch, in order. A failure of one request is reported as its
   * {@link InferenceResult.Failed} without failing the others. Called concurrently from several
   * threads unless the model's settings limit concurrency to one.
   */
  List<InferenceResult> infer(List<InferenceRequest> batch);

  /**
   * Whether a call waits for other models (a pipeline of them): such a call is never run on the
   * caller's thread, however fast it has been, since that thread may be an event loop.
   */
  default boolean waitsForOtherModels() {
    return false;
  }

  /** Frees the model's memory, native memory included. No call to infer follows. */
  @Override
  void close();
}
