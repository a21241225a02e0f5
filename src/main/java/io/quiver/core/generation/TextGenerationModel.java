package io.quiver.core.generation;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A loaded model that generates text, with the tensor interface KServe's v1 and v2 reach it by:
 * texts in {@code input-0}, greedy continuations in {@code output-0}, {@code max_tokens} as a
 * request parameter (16 by default). Generation waits for the model's own threads, so a call is
 * never run on an event loop.
 */
public abstract class TextGenerationModel implements LoadedModel, TextGenerator {
  private static final String INPUT = "input-0";
  private static final String OUTPUT = "output-0";
  private static final int DEFAULT_MAX_TOKENS = 16;

  private final ModelMetadata metadata;

  protected TextGenerationModel(String platform) {
    this.metadata =
        new ModelMetadata(platform, List.of(TensorSpec.of(INPUT, DataType.BYTES, -1)), List.of(TensorSpec.of(OUTPUT, DataType.BYTES, -1)));
  }

  @Override
  public final ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public final boolean waitsForOtherModels() {
    return true;
  }

  /**
   * Refuses a prompt that leaves no room in the context to generate.
   *
   * @throws InferenceException.InvalidInput naming the sizes
   */
  protected static void requireRoom(int promptTokens, int context, String model) {
    if (promptTokens >= context) {
      throw new InferenceException.InvalidInput(
          "The prompt is %d tokens; model %s's context holds %d, and at least one must be left to generate."
              .formatted(promptTokens, model, context),
          "messages");
    }
  }

  /** Answers a batch: every text of every request starts generating first, then all are awaited. */
  @Override
  public final List<InferenceResult> infer(List<InferenceRequest> batch) {
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
}
