package io.quiver.runtime.llamacpp;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.Pair;
import io.quiver.core.InferenceException;
import io.quiver.core.generation.ChatMessage;
import io.quiver.core.generation.FinishReason;
import io.quiver.core.generation.Generation;
import io.quiver.core.generation.GenerationRequest;
import io.quiver.core.generation.Sampling;
import io.quiver.core.generation.TextGenerationModel;
import io.quiver.core.generation.TokenSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A GGUF model in llama.cpp, which batches continuously by itself: its server loop runs every busy
 * slot's next token in one decode. Each generation is read token by token on a thread of its own.
 */
final class LlamaCppModel extends TextGenerationModel {
  static final String PLATFORM = "llamacpp_gguf";

  private final String name;
  private final LlamaModel model;
  private final int slots;
  private final int maxWaiting;
  private final int context;
  private final AtomicInteger active = new AtomicInteger();
  /**
   * Platform threads, not virtual ones: a reader waits inside a native call for each token, which
   * would pin a virtual thread's carrier for the whole generation.
   */
  private final ExecutorService readers = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("quiver-llama-", 0).factory());

  LlamaCppModel(String name, LlamaModel model, int slots, int maxWaiting, int context) {
    super(PLATFORM);
    this.name = name;
    this.model = model;
    this.slots = slots;
    this.maxWaiting = maxWaiting;
    this.context = context;
  }

  /** The conversation through the GGUF file's chat template, by llama.cpp's template engine. */
  @Override
  public String chatPrompt(List<ChatMessage> messages) {
    String system = null;
    List<Pair<String, String>> turns = new ArrayList<>();
    for (ChatMessage message : messages) {
      if (message.role().equals("system") && system == null && turns.isEmpty()) {
        system = message.content();
      } else {
        turns.add(new Pair<>(message.role(), message.content()));
      }
    }
    return model.applyTemplate(new InferenceParameters("").setMessages(system, turns));
  }

  @Override
  public Generation generate(GenerationRequest request, TokenSink sink) {
    Sampling sampling = request.sampling();
    if (sampling.logprobs() >= 0) {
      throw new InferenceException.InvalidInput("Model %s (GGUF, llama.cpp) does not report log-probabilities.".formatted(name), "logprobs");
    }
    int promptTokens = model.encode(request.prompt()).length;
    requireRoom(promptTokens, context, name);
    if (active.incrementAndGet() > slots + maxWaiting) {
      active.decrementAndGet();
      throw new InferenceException.Unavailable(
          "Model %s is busy: all %d slots run and %d requests wait; retry later.".formatted(name, slots, maxWaiting));
    }
    int limit = Math.min(sampling.maxTokens(), context - promptTokens);
    Reading reading = new Reading(parameters(request.prompt(), sampling, limit), sink, promptTokens, limit);
    try {
      readers.execute(reading);
    } catch (RuntimeException e) {
      active.decrementAndGet();
      throw new InferenceException.Unavailable("Model %s is being unloaded.".formatted(name));
    }
    return reading;
  }

  private static InferenceParameters parameters(String prompt, Sampling sampling, int limit) {
    InferenceParameters parameters =
        new InferenceParameters(prompt)
            .setNPredict(limit)
            .setTemperature((float) sampling.temperature())
            .setTopP((float) sampling.topP())
            .setTopK(sampling.topK())
            .setMinP(0) // llama.cpp's default of 0.05 is not OpenAI's
            .setPresencePenalty((float) sampling.presencePenalty())
            .setFrequencyPenalty((float) sampling.frequencyPenalty())
            .setIgnoreEos(sampling.ignoreEos());
    if (sampling.seed() != null) {
      parameters.setSeed((int) (long) sampling.seed());
    }
    if (!sampling.stop().isEmpty()) {
      parameters.setStopStrings(sampling.stop().toArray(String[]::new));
    }
    return parameters;
  }

  /** One generation, read from llama.cpp token by token. */
  private final class Reading implements Runnable, Generation {
    private final InferenceParameters parameters;
    private final TokenSink sink;
    private final int promptTokens;
    private final int limit;
    private volatile boolean cancelled;
    private volatile LlamaIterator iterator;

    Reading(InferenceParameters parameters, TokenSink sink, int promptTokens, int limit) {
      this.parameters = parameters;
      this.sink = sink;
      this.promptTokens = promptTokens;
      this.limit = limit;
    }

    @Override
    public void cancel() {
      cancelled = true;
      LlamaIterator started = iterator;
      if (started != null) {
        started.cancel();
      }
    }

    @Override
    public void run() {
      int tokens = 0;
      try {
        iterator = model.generate(parameters).iterator();
        if (cancelled) {
          iterator.cancel();
        }
        while (!cancelled && iterator.hasNext()) {
          LlamaOutput output = iterator.next();
          if (!output.text.isEmpty()) {
            tokens++;
            sink.text(output.text, List.of());
          }
        }
        sink.finished(tokens >= limit ? FinishReason.LENGTH : FinishReason.STOP, promptTokens, tokens);
      } catch (RuntimeException e) {
        sink.failed(new InferenceException.ModelFailure("llama.cpp failed while generating: " + e.getMessage(), e));
      } finally {
        active.decrementAndGet();
      }
    }
  }

  @Override
  public Load load() {
    int now = active.get();
    return new Load(Math.min(now, slots), Math.max(0, now - slots), 0, 0);
  }

  @Override
  public void close() {
    readers.shutdownNow();
    model.close();
  }
}
