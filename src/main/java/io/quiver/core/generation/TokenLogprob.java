package io.quiver.core.generation;

import java.util.List;

/**
 * A generated token with its log-probability under the model, and the likeliest alternatives
 * when they were asked for.
 */
public record TokenLogprob(String token, double logprob, List<Alternative> top) {

  public TokenLogprob {
    top = List.copyOf(top);
  }

  /** A token the model could have picked at this position. */
  public record Alternative(String token, double logprob) {}
}
