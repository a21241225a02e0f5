package io.quiver.runtime.huggingface;

import io.quiver.core.InferenceException;
import io.quiver.core.generation.ChatMessage;
import io.quiver.core.generation.Generation;
import io.quiver.core.generation.GenerationRequest;
import io.quiver.core.generation.TextGenerationModel;
import io.quiver.core.generation.TokenSink;
import java.util.List;
import java.util.Set;

/**
 * A causal language model exported to ONNX with past key/values, generating through its own
 * {@link GenerationEngine}.
 */
final class DecoderModel extends TextGenerationModel {
  static final String PLATFORM = "huggingface_onnx";

  private final String name;
  private final TextTokenizer tokenizer;
  private final GenerationEngine engine;
  private final ChatTemplate chatTemplate;
  private final Set<Long> endOfSequence;
  private final int vocabulary;
  private final int context;

  DecoderModel(
      String name,
      TextTokenizer tokenizer,
      GenerationEngine engine,
      ChatTemplate chatTemplate,
      Set<Long> endOfSequence,
      int vocabulary,
      int context) {
    super(PLATFORM);
    this.name = name;
    this.tokenizer = tokenizer;
    this.engine = engine;
    this.chatTemplate = chatTemplate;
    this.endOfSequence = endOfSequence;
    this.vocabulary = vocabulary;
    this.context = context;
  }

  @Override
  public String chatPrompt(List<ChatMessage> messages) {
    return chatTemplate.render(messages, name);
  }

  @Override
  public Generation generate(GenerationRequest request, TokenSink sink) {
    long[] prompt = tokenizer.ids(request.prompt());
    if (prompt.length == 0) {
      throw new InferenceException.InvalidInput("The prompt is empty.", "prompt");
    }
    requireRoom(prompt.length, context, name);
    Sequence sequence = new Sequence(prompt, request.sampling(), sink, tokenizer, vocabulary, endOfSequence, context);
    engine.submit(sequence);
    return sequence;
  }

  @Override
  public Load load() {
    return engine.load();
  }

  @Override
  public void close() {
    try {
      engine.close();
    } finally {
      tokenizer.close();
    }
  }
}
