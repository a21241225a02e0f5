package io.quiver.core.generation;

import io.quiver.core.InferenceException;
import java.util.List;

/**
 * Where a generation's text goes as it is made. Called from the generating thread, one call at a
 * time, in order: any number of {@link #text}, then exactly one of {@link #finished} or {@link
 * #failed}, also after {@link Generation#cancel} (when the sequence has left the batch).
 * Implementations hand the work off quickly.
 */
public interface TokenSink {

  /**
   * More text. It may cover several tokens, or none yet (a character still incomplete, or text
   * that may turn out to start a stop string is held back until it is known).
   *
   * @param logprobs the tokens this text completes, when log-probabilities were asked for; else empty
   */
  void text(String delta, List<TokenLogprob> logprobs);

  /** The end, with the token counts for usage. */
  void finished(FinishReason reason, int promptTokens, int completionTokens);

  void failed(InferenceException error);
}
