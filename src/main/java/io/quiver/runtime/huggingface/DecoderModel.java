package io.quiver.runtime.huggingface;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.generation.ChatMessage;
import io.quiver.core.generation.FinishReason;
import io.quiver.core.generation.Generation;
import io.quiver.core.generation.GenerationRequest;
import io.quiver.core.generation.Sampling;
import io.quiver.core.generation.TextGenerator;
import io.quiver.core.generation.TokenLogprob;
import io.quiver.core.generation.TokenSink;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A causal language model exported to ONNX with past key/values, generating through its own
 * {@link GenerationEngine}. Besides the OpenAI routes (through {@link TextGenerator}), KServe's v1
 * and v2 reach it with texts in {@code input-0} and get greedy continuations in {@code output-0}
 * ({@code max_tokens} as a request parameter).
 */
final class DecoderModel implements LoadedModel, TextGenerator {
  static final String PLATFORM = "huggingface_onnx";
  private static final String INPUT = "input-0";
  private static final String OUTPUT = "output-0";
  private static final int DEFAULT_MAX_TOKENS = 16;

  private final String name;
  private final TextTokenizer tokenizer;
  private final GenerationEngine engine;
  private final ChatTemplate chatTemplate;
  private final Set<Long> endOfSequence;
  private final int vocabulary;
  private final int context;
  private final ModelMetadata metadata =
      new ModelMetadata(PLATFORM, List.of(TensorSpec.of(INPUT, DataType.BYTES, -1)), List.of(TensorSpec.of(OUTPUT, DataType.BYTES, -1)));

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
    // every text of every request joins the running batch first; then the answers are awaited
    InferenceResult[] results = new InferenceResult[batch.size()];
    List<List<Collected>> started = new ArrayList<>(batch.size());
    for (int r = 0; r < batch.size(); r++) {
      try {
        started.add(start(batch.get(r)));
      } catch (InferenceException e) {
        started.add(List.of());
        results[r] = new InferenceResult.Failed(e);
      }
    }
    for (int r = 0; r < batch.size(); r++) {
      if (results[r] == null) {
        results[r] = collect(started.get(r));
      }
    }
    return Arrays.asList(results);
  }

  private List<Collected> start(InferenceRequest request) {
    Sampling sampling = Sampling.greedy(maxTokens(request));
    Tensor input = request.input(INPUT);
    List<Collected> texts = new ArrayList<>();
    try {
      for (int i = 0; i < input.elementCount(); i++) {
        Collected text = new Collected();
        text.generation = generate(new GenerationRequest(input.stringAt(i), sampling), text);
        texts.add(text);
      }
      return texts;
    } catch (InferenceException e) {
      texts.forEach(text -> text.generation.cancel());
      throw e;
    }
  }

  private static InferenceResult collect(List<Collected> texts) {
    TensorBuilder output = new TensorBuilder(DataType.BYTES, texts.size());
    try {
      for (Collected text : texts) {
        output.addBytes(text.result.get().getBytes(StandardCharsets.UTF_8));
      }
    } catch (ExecutionException e) {
      return new InferenceResult.Failed(
          e.getCause() instanceof InferenceException known
              ? known
              : new InferenceException.ModelFailure(String.valueOf(e.getCause()), e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new InferenceResult.Failed(new InferenceException.Unavailable("Interrupted while generating."));
    }
    return new InferenceResult.Outputs(List.of(output.build(OUTPUT, new long[] {texts.size()})));
  }

  private static int maxTokens(InferenceRequest request) {
    Object value = request.parameters().get("max_tokens");
    if (value == null) {
      return DEFAULT_MAX_TOKENS;
    }
    if (value instanceof Number number && number.doubleValue() == number.intValue()) {
      return number.intValue();
    }
    throw new InferenceException.InvalidInput("Parameter max_tokens must be an integer, got " + value + ".", "max_tokens");
  }

  /** Gathers a whole generation's text. */
  private static final class Collected implements TokenSink {
    private final StringBuilder builder = new StringBuilder();
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private Generation generation;

    @Override
    public void text(String delta, List<TokenLogprob> logprobs) {
      builder.append(delta);
    }

    @Override
    public void finished(FinishReason reason, int promptTokens, int completionTokens) {
      result.complete(builder.toString());
    }

    @Override
    public void failed(InferenceException error) {
      result.completeExceptionally(error);
    }
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
