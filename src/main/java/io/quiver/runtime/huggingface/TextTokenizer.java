package io.quiver.runtime.huggingface;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's {@code tokenizer.json} through the Hugging Face tokenizers library itself, so token ids
 * are exactly those the model was trained on. Thread-safe.
 */
final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;

  private TextTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /**
   * Reads {@code tokenizer.json}.
   *
   * @param maxLength the longest token sequence an encoding is cut to, or 0 not to cut (prompts
   *     longer than the model's context are refused instead)
   */
  static TextTokenizer read(Path file, int maxLength) throws IOException {
    var builder = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(true).optPadding(false);
    builder = maxLength > 0 ? builder.optTruncation(true).optMaxLength(maxLength) : builder.optTruncation(false);
    return new TextTokenizer(builder.build());
  }

  /** Texts as a batch, padded with 0 to the longest, with attention mask and token types. */
  Batch encode(List<String> texts) {
    Encoding[] encodings = tokenizer.batchEncode(texts);
    int longest = 1;
    for (Encoding encoding : encodings) {
      longest = Math.max(longest, encoding.getIds().length);
    }
    long[] ids = new long[texts.size() * longest];
    long[] mask = new long[ids.length];
    long[] types = new long[ids.length];
    int[] lengths = new int[texts.size()];
    for (int row = 0; row < encodings.length; row++) {
      long[] rowIds = encodings[row].getIds();
      lengths[row] = rowIds.length;
      System.arraycopy(rowIds, 0, ids, row * longest, rowIds.length);
      System.arraycopy(encodings[row].getAttentionMask(), 0, mask, row * longest, rowIds.length);
      System.arraycopy(encodings[row].getTypeIds(), 0, types, row * longest, rowIds.length);
    }
    return new Batch(texts.size(), longest, ids, mask, types, lengths);
  }

  /**
   * Token ids of texts, one row each, padded to the longest.
   *
   * @param lengths each text's own token count
   */
  record Batch(int rows, int columns, long[] ids, long[] attentionMask, long[] typeIds, int[] lengths) {}

  /** The ids of one text, special tokens added as the tokenizer's post-processor says. */
  long[] ids(String text) {
    return tokenizer.encode(text).getIds();
  }

  /** The id of a token written as itself (a special token such as {@code [MASK]}), or -1. */
  long tokenId(String token) {
    long[] ids = tokenizer.encode(token, false, false).getIds();
    return ids.length == 1 ? ids[0] : -1;
  }

  String decode(long[] ids, boolean skipSpecialTokens) {
    return tokenizer.decode(ids, skipSpecialTokens);
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
