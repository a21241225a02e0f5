package io.quiver.core.generation;

import io.quiver.core.InferenceException.InvalidInput;
import java.util.List;

/**
 * How one request picks its tokens and when it stops, in OpenAI's terms.
 *
 * @param maxTokens the most tokens to generate
 * @param temperature 0 picks the most likely token every time (greedy); higher flattens the distribution
 * @param topP keep the smallest set of likeliest tokens whose probabilities add up to this (1: all)
 * @param topK keep only this many likeliest tokens (0: all)
 * @param seed the random seed, or null for a fresh one
 * @param stop strings that end the text when generated (not included in it)
 * @param presencePenalty subtracted once from every token already generated
 * @param frequencyPenalty subtracted from every token once per time it was generated
 * @param logprobs how many alternatives to report per token with their log-probabilities, or -1
 *     for no log-probabilities at all (0 reports the chosen token's only)
 * @param ignoreEos keep generating past end-of-sequence tokens, up to {@code maxTokens} (vLLM's
 *     {@code ignore_eos}, for benchmarks)
 */
public record Sampling(
    int maxTokens,
    double temperature,
    double topP,
    int topK,
    Long seed,
    List<String> stop,
    double presencePenalty,
    double frequencyPenalty,
    int logprobs,
    boolean ignoreEos) {

  /** The most alternatives a request may ask log-probabilities for (OpenAI's limit). */
  public static final int MAX_LOGPROBS = 20;

  public Sampling {
    stop = List.copyOf(stop);
    require(maxTokens >= 1, "max_tokens", "must be at least 1, got " + maxTokens);
    require(temperature >= 0 && temperature <= 2, "temperature", "must be between 0 and 2, got " + temperature);
    require(topP > 0 && topP <= 1, "top_p", "must be greater than 0 and at most 1, got " + topP);
    require(topK >= 0, "top_k", "must not be negative, got " + topK);
    require(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty", "must be between -2 and 2, got " + presencePenalty);
    require(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty", "must be between -2 and 2, got " + frequencyPenalty);
    require(logprobs >= -1 && logprobs <= MAX_LOGPROBS, "logprobs", "must be between 0 and " + MAX_LOGPROBS + ", got " + logprobs);
    require(stop.size() <= 4 && stop.stream().noneMatch(String::isEmpty), "stop", "takes at most 4 non-empty strings");
  }

  /** Greedy decoding of at most {@code maxTokens} tokens, nothing else asked. */
  public static Sampling greedy(int maxTokens) {
    return new Sampling(maxTokens, 0, 1, 0, null, List.of(), 0, 0, -1, false);
  }

  public boolean greedy() {
    return temperature == 0;
  }

  /** The same settings with another seed. */
  public Sampling withSeed(Long newSeed) {
    return new Sampling(maxTokens, temperature, topP, topK, newSeed, stop, presencePenalty, frequencyPenalty, logprobs, ignoreEos);
  }

  private static void require(boolean valid, String parameter, String problem) {
    if (!valid) {
      throw new InvalidInput("'%s' %s.".formatted(parameter, problem), parameter);
    }
  }
}
