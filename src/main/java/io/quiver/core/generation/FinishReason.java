package io.quiver.core.generation;

/** Why a generation ended, in OpenAI's words. */
public enum FinishReason {
  /** An end-of-sequence token or a stop string. */
  STOP("stop"),
  /** {@code max_tokens}, or the model's context, reached. */
  LENGTH("length");

  private final String openAiName;

  FinishReason(String openAiName) {
    this.openAiName = openAiName;
  }

  public String openAiName() {
    return openAiName;
  }
}
