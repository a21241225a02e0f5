package io.quiver.runtime.huggingface;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.generation.ChatMessage;
import io.quiver.core.generation.GeneratedTexts;
import io.quiver.core.generation.Generation;
import io.quiver.core.generation.GenerationRequest;
import io.quiver.core.generation.TextGenerator;
import io.quiver.core.generation.TokenSink;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import java.util.List;
import java.util.Set;

/**
 * A causal language model exported to ONNX with past key/values, generating through its own
 * {@link GenerationEngine}. Besides the OpenAI routes (through {@link TextGenerator}), KServe's v1
 * and v2 reach it ({@link GeneratedTexts}).
 */
final class DecoderModel implements LoadedModel, TextGenerator {
  static final String PLATFORM = "huggingface_onnx";

  private final String name;
  private final TextTokenizer tokenizer;
  private final GenerationEngine engine;
  private final ChatTemplate chatTemplate;
  private final Set<Long> endOfSequence;
  private final int vocabulary;
  private final int context;
  private final ModelMetadata metadata = GeneratedTexts.metadata(PLATFORM);

  DecoderModel(
      String name,
      TextTokenizer tokenizer,
      GenerationEngine engine,
      ChatTemplate chatTemplate,
      Set<Long> endOfSequence,
      int vocabulary,
      int context) {
    this.name = name;
    this.tokenizer = tokenizer;
    this.engine = engine;
    this.chatTemplate = chatTemplate;
    this.endOfSequence = endOfSequence;
    this.vocabulary = vocabulary;
    this.context = context;
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
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
    if (prompt.length >= context) {
      throw new InferenceException.InvalidInput(
          "The prompt is %d tokens; model %s's context holds %d, and at least one must be left to generate."
              .formatted(prompt.length, name, context),
          "messages");
    }
    Sequence sequence = new Sequence(prompt, request.sampling(), sink, tokenizer, vocabulary, endOfSequence, context);
    engine.submit(sequence);
    return sequence;
  }

  @Override
  public Load load() {
    return engine.load();
  }

  /** Generation waits for the engine's thread: never run it on an event loop. */
  @Override
  public boolean waitsForOtherModels() {
    return true;
  }

  @Override
  public List<InferenceResult> infer(List<InferenceRequest> batch) {
    return GeneratedTexts.infer(this, batch);
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
