package io.quiver.runtime.huggingface;

import io.quiver.core.generation.Sampling;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Picks one sequence's next token from the model's logits, as its sampling settings say:
 * repetition penalties first, then greedy (the first of the highest logits, as PyTorch's argmax
 * picks), or temperature, top-k and top-p, then a draw from the sequence's own seeded generator.
 */
final class Sampler {
  private final Sampling sampling;
  private final Random random;
  /** How often each token has been generated, for the penalties. */
  private final int[] counts;
  private final float[] logits;

  Sampler(Sampling sampling, int vocabulary) {
    this.sampling = sampling;
    this.random = sampling.seed() == null ? new Random() : new Random(sampling.seed());
    this.counts = new int[vocabulary];
    this.logits = new float[vocabulary];
  }

  /** The chosen token. {@code row} holds the logits from {@code from}, one per vocabulary entry. */
  int next(FloatBuffer row, int from) {
    row.get(from, logits, 0, logits.length);
    penalise();
    int token = sampling.greedy() ? argmax(logits) : draw();
    counts[token]++;
    return token;
  }

  /** The logits the last choice was made from, penalties applied, before temperature. */
  float[] lastLogits() {
    return logits;
  }

  private void penalise() {
    if (sampling.presencePenalty() == 0 && sampling.frequencyPenalty() == 0) {
      return;
    }
    for (int token = 0; token < counts.length; token++) {
      if (counts[token] > 0) {
        logits[token] -= (float) (sampling.presencePenalty() + sampling.frequencyPenalty() * counts[token]);
      }
    }
  }

  private int draw() {
    int vocabulary = logits.length;
    int[] candidates = candidates();
    int kept = sampling.topK() > 0 ? Math.min(sampling.topK(), candidates.length) : candidates.length;
    float max = logits[candidates[0]];
    for (int i = 1; i < kept; i++) {
      max = Math.max(max, logits[candidates[i]]);
    }
    double[] weights = new double[kept];
    double sum = 0;
    for (int i = 0; i < kept; i++) {
      weights[i] = Math.exp((logits[candidates[i]] - max) / sampling.temperature());
      sum += weights[i];
    }
    // top-p: the smallest head of the sorted tokens whose mass reaches p (at least one token)
    int nucleus = kept;
    double mass = sum;
    if (sampling.topP() < 1) {
      mass = 0;
      nucleus = 0;
      while (nucleus < kept && (nucleus == 0 || mass / sum < sampling.topP())) {
        mass += weights[nucleus++];
      }
    }
    double target = random.nextDouble() * mass;
    for (int i = 0; i < nucleus; i++) {
      target -= weights[i];
      if (target <= 0) {
        return candidates[i];
      }
    }
    return candidates[Math.min(nucleus, vocabulary) - 1];
  }

  /**
   * Every token id, likeliest first when top-k or top-p need the order (sorted as primitive keys:
   * the logit's order-preserving bits above the id), else in id order.
   */
  private int[] candidates() {
    int vocabulary = logits.length;
    int[] ids = new int[vocabulary];
    if (sampling.topK() == 0 && sampling.topP() >= 1) {
      for (int i = 0; i < vocabulary; i++) {
        ids[i] = i;
      }
      return ids;
    }
    long[] keys = new long[vocabulary];
    for (int i = 0; i < vocabulary; i++) {
      int bits = Float.floatToIntBits(-logits[i]);
      bits ^= (bits >> 31) & 0x7fffffff;
      keys[i] = ((long) bits << 32) | i;
    }
    Arrays.sort(keys);
    for (int i = 0; i < vocabulary; i++) {
      ids[i] = (int) keys[i];
    }
    return ids;
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}
