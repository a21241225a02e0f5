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

  /** Frees the model's memory, native memory included. No call to infer follows. */
  @Override
  void close();
}
