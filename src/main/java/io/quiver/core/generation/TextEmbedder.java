package io.quiver.core.generation;

import java.util.List;

/**
 * A loaded model that turns texts into embedding vectors through its tensor interface (input
 * {@code input-0} of BYTES, output {@code output-0} of FP32 {@code [n, dimensions]}), and can say
 * how many tokens the texts are, for usage reports.
 */
public interface TextEmbedder {

  /** The input the texts go in. */
  String INPUT = "input-0";

  /** The output the vectors come out of. */
  String OUTPUT = "output-0";

  /** How many tokens the model reads for these texts, special tokens included. */
  int tokenCount(List<String> texts);

  /** The length of the vectors. */
  int dimensions();
}
