package io.quiver.runtime.huggingface;

import ai.onnxruntime.OrtException;
import io.quiver.core.generation.TextEmbedder;
import io.quiver.runtime.onnx.OnnxSessions;
import java.util.List;

/** An encoder that makes sentence embeddings, which the OpenAI embeddings route can reach too. */
final class EmbeddingModel extends EncoderModel implements TextEmbedder {
  private final int dimensions;

  EmbeddingModel(OnnxSessions.Session session, TextTokenizer tokenizer, EncoderHead.Embedding head) throws OrtException {
    super(session, tokenizer, head);
    this.dimensions = head.dimensions();
  }

  @Override
  public int tokenCount(List<String> texts) {
    int total = 0;
    for (int length : tokenizer().encode(texts).lengths()) {
      total += length;
    }
    return total;
  }

  @Override
  public int dimensions() {
    return dimensions;
  }
}
