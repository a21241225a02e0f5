package io.quiver.runtime.huggingface;

import io.quiver.core.generation.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/** Log-probabilities of a chosen token and its likeliest alternatives, from the model's logits. */
final class Logprobs {
  private Logprobs() {}

  static TokenLogprob of(float[] logits, int chosen, int alternatives, TextTokenizer tokenizer) {
    double max = Double.NEGATIVE_INFINITY;
    for (float logit : logits) {
      max = Math.max(max, logit);
    }
    double sum = 0;
    for (float logit : logits) {
      sum += Math.exp(logit - max);
    }
    double logNormaliser = max + Math.log(sum);
    List<TokenLogprob.Alternative> top = new ArrayList<>(alternatives);
    boolean[] taken = new boolean[logits.length];
    for (int k = 0; k < alternatives; k++) {
      int best = -1;
      for (int i = 0; i < logits.length; i++) {
        if (!taken[i] && (best < 0 || logits[i] > logits[best])) {
          best = i;
        }
      }
      taken[best] = true;
      top.add(new TokenLogprob.Alternative(token(tokenizer, best), logits[best] - logNormaliser));
    }
    return new TokenLogprob(token(tokenizer, chosen), logits[chosen] - logNormaliser, top);
  }

  private static String token(TextTokenizer tokenizer, int id) {
    return tokenizer.decode(new long[] {id}, false);
  }
}
