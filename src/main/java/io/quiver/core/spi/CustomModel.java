package io.quiver.core.spi;

import io.quiver.core.InferenceRequest;
import io.quiver.core.tensor.Tensor;
import java.util.List;

/**
 * A model written in Java, in one class: the contract KServe's Python {@code Model} offers, for the
 * JVM. Make the class a {@code @Dependent} CDI bean and point a model folder at it with
 * {@code {"implementation": "<fully qualified class name>"}} in its {@code model-settings.json};
 * Quiver creates one instance per model version and serves it over every protocol.
 *
 * <p>Requests reach {@link #predict} already validated against {@link #metadata()}.
 */
public interface CustomModel {

  /** Loads whatever the model needs from its folder. Called once, before any request. */
  default void load(ModelSource source) throws Exception {}

  /** The inputs the model takes and the outputs it gives. */
  ModelMetadata metadata();

  /** Turns a request into what {@link #predict} expects. */
  default InferenceRequest preprocess(InferenceRequest request) throws Exception {
    return request;
  }

  /** Computes the outputs for one request. */
  List<Tensor> predict(InferenceRequest request) throws Exception;

  /** Turns {@link #predict}'s outputs into the response's outputs. */
  default List<Tensor> postprocess(InferenceRequest request, List<Tensor> outputs) throws Exception {
    return outputs;
  }

  /** Frees what {@link #load} took. */
  default void unload() {}
}
