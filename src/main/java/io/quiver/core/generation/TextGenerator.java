package io.quiver.core.generation;

import java.util.List;

/**
 * A loaded model that generates text (a causal language model): the OpenAI completion routes
 * reach it through {@link GenerationService}. Implemented by a runtime's {@code LoadedModel}
 * besides its tensor interface.
 */
public interface TextGenerator {

  /**
   * The prompt a conversation becomes under the model's chat template, ending where the assistant's
   * answer starts.
   *
   * @throws io.quiver.core.InferenceException.InvalidInput when the model has no chat template
   */
  String chatPrompt(List<ChatMessage> messages);

  /**
   * Starts generating; tokens go to {@code sink} from the model's own thread.
   *
   * @throws io.quiver.core.InferenceException.InvalidInput when the prompt does not fit the context
   * @throws io.quiver.core.InferenceException.Unavailable when too many requests already wait
   */
  Generation generate(GenerationRequest request, TokenSink sink);

  /** What the generator holds now, for metrics. */
  Load load();

  /**
   * @param running sequences in the running batch
   * @param waiting sequences admitted but waiting for room
   * @param kvTokens key/value cache positions reserved by running sequences
   * @param kvCapacity the most positions the cache may hold
   */
  record Load(int running, int waiting, long kvTokens, long kvCapacity) {}
}
