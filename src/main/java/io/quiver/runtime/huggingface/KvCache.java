package io.quiver.runtime.huggingface;

import java.nio.FloatBuffer;

/**
 * One sequence's attention keys and values, per layer laid out {@code [heads][capacity][head
 * size]}, sized once for the longest the sequence may grow (its prompt plus its token limit).
 */
final class KvCache {
  private final int heads;
  private final int headSize;
  private final int capacity;
  private final float[][] keys;
  private final float[][] values;
  private int length;

  KvCache(int layers, int heads, int headSize, int capacity) {
    this.heads = heads;
    this.headSize = headSize;
    this.capacity = capacity;
    this.keys = new float[layers][heads * capacity * headSize];
    this.values = new float[layers][heads * capacity * headSize];
  }

  /** Positions held. */
  int length() {
    return length;
  }

  /**
   * Writes this cache as row {@code row} of a batched {@code [batch, heads, past, head size]}
   * input, left-padded with zeros to {@code past} positions.
   */
  void copyInto(FloatBuffer batched, int layer, boolean key, int row, int past) {
    float[] source = key ? keys[layer] : values[layer];
    int padding = past - length;
    for (int h = 0; h < heads; h++) {
      int at = ((row * heads + h) * past) * headSize;
      for (int i = 0; i < padding * headSize; i++) {
        batched.put(at + i, 0f);
      }
      batched.put(at + padding * headSize, source, h * capacity * headSize, length * headSize);
    }
  }

  /**
   * Copies the last {@code count} positions of row {@code row} of a batched {@code [batch, heads,
   * total, head size]} output after the positions held (the step's new tokens).
   */
  void append(FloatBuffer batched, int layer, boolean key, int row, int total, int count) {
    float[] target = key ? keys[layer] : values[layer];
    for (int h = 0; h < heads; h++) {
      int from = ((row * heads + h) * total + total - count) * headSize;
      batched.get(from, target, (h * capacity + length) * headSize, count * headSize);
    }
  }

  /** Counts the positions just appended to every layer. */
  void advance(int count) {
    length += count;
  }
}
