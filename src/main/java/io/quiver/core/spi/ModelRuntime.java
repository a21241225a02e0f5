package io.quiver.core.spi;

/**
 * A model format Quiver can serve. Implementations are CDI beans; the registry finds them all and
 * asks each in turn, so adding a runtime touches neither the core nor any protocol.
 */
public interface ModelRuntime {

  /** The name a model's settings use to ask for this runtime explicitly, e.g. {@code "onnx"}. */
  String format();

  /**
   * Whether this runtime recognises the model folder by its files (name and content). Asked only
   * when the model's settings name no format.
   */
  boolean recognises(ModelSource source);

  /**
   * Which runtime wins when several recognise a folder: the highest. A runtime for folders that
   * hold another format's model file with a description around it (MLflow) ranks above 0.
   */
  default int precedence() {
    return 0;
  }

  /**
   * Loads the model. Called on a worker thread; may take long.
   *
   * @throws Exception with a message saying what is wrong with the model files
   */
  LoadedModel load(ModelSource source) throws Exception;
}
