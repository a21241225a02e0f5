package io.quiver.core.generation;

import io.quiver.core.InferenceException;
import io.quiver.core.registry.ModelInstance;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelState;
import io.quiver.core.registry.ModelVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The path language-model requests take, whatever protocol they came through: the model's
 * instance is held from the request's start to its last token, so an unload or a reload waits for
 * running generations, and every generation is timed once here for the observers.
 */
@ApplicationScoped
public class GenerationService {
  private final ModelRegistry registry;
  private final List<GenerationObserver> observers;

  GenerationService(ModelRegistry registry, Instance<GenerationObserver> observers) {
    this.registry = registry;
    this.observers = observers.stream().toList();
  }

  /** The names of the ready models that generate text or embed it. */
  public List<String> languageModels() {
    List<String> models = new ArrayList<>();
    for (String name : registry.modelNames()) {
      ModelInstance instance = readyInstance(name);
      if (instance != null
          && (instance.capability(TextGenerator.class).isPresent() || instance.capability(TextEmbedder.class).isPresent())) {
        models.add(name);
      }
    }
    return models;
  }

  /** What each ready generating model holds now. */
  public Map<String, TextGenerator.Load> loads() {
    Map<String, TextGenerator.Load> loads = new LinkedHashMap<>();
    for (String name : registry.modelNames()) {
      ModelInstance instance = readyInstance(name);
      if (instance != null) {
        instance.capability(TextGenerator.class).ifPresent(generator -> loads.put(name, generator.load()));
      }
    }
    return loads;
  }

  private ModelInstance readyInstance(String name) {
    try {
      ModelVersion version = registry.resolve(name, null);
      ModelVersion.Status status = version.status();
      return status.state() == ModelState.READY ? status.instance() : null;
    } catch (InferenceException e) {
      return null; // unloaded in the meantime
    }
  }

  /** The prompt a conversation becomes under the model's chat template. */
  public String chatPrompt(String model, List<ChatMessage> messages) {
    ModelInstance instance = registry.acquire(model, null);
    try {
      return generator(instance).chatPrompt(messages);
    } finally {
      instance.release();
    }
  }

  /**
   * Starts a generation on the model's default version.
   *
   * @throws InferenceException when the model is unknown, not ready, does not generate, or refuses
   *     the request
   */
  public Generation generate(String model, GenerationRequest request, TokenSink sink) {
    ModelInstance instance = registry.acquire(model, null);
    try {
      TextGenerator generator = generator(instance);
      ObservedSink observed = new ObservedSink(instance, sink);
      Generation generation = generator.generate(request, observed);
      return () -> {
        if (observed.cancelled.compareAndSet(false, true)) {
          generation.cancel();
        }
      };
    } catch (RuntimeException e) {
      instance.release();
      throw e;
    }
  }

  /** What an embedding model makes of these texts, before it runs. */
  public record EmbeddingInput(int tokens, int dimensions) {}

  /**
   * How many tokens an embedding model reads for these texts, and how long its vectors are.
   *
   * @throws InferenceException when the model is unknown, not ready, or makes no embeddings
   */
  public EmbeddingInput embeddingInput(String model, List<String> texts) {
    ModelInstance instance = registry.acquire(model, null);
    try {
      TextEmbedder embedder =
          instance
              .capability(TextEmbedder.class)
              .orElseThrow(() -> new InferenceException.InvalidInput("Model %s does not make embeddings.".formatted(model), "model"));
      return new EmbeddingInput(embedder.tokenCount(texts), embedder.dimensions());
    } finally {
      instance.release();
    }
  }

  private static TextGenerator generator(ModelInstance instance) {
    return instance
        .capability(TextGenerator.class)
        .orElseThrow(
            () ->
                new InferenceException.InvalidInput(
                    "Model %s does not generate text.".formatted(instance.modelName()), "model"));
  }

  /** Passes a generation's events on, times them, and lets the instance go at the end. */
  private final class ObservedSink implements TokenSink {
    private final ModelInstance instance;
    private final TokenSink sink;
    private final long started = System.nanoTime();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private long lastText;

    ObservedSink(ModelInstance instance, TokenSink sink) {
      this.instance = instance;
      this.sink = sink;
    }

    @Override
    public void text(String delta, List<TokenLogprob> logprobs) {
      long now = System.nanoTime();
      for (GenerationObserver observer : observers) {
        if (lastText == 0) {
          observer.firstToken(instance.modelName(), now - started);
        } else {
          observer.nextToken(instance.modelName(), now - lastText);
        }
      }
      lastText = now;
      if (!cancelled.get()) {
        sink.text(delta, logprobs);
      }
    }

    @Override
    public void finished(FinishReason reason, int promptTokens, int completionTokens) {
      try {
        for (GenerationObserver observer : observers) {
          observer.finished(instance.modelName(), reason, promptTokens, completionTokens);
        }
        if (!cancelled.get()) {
          sink.finished(reason, promptTokens, completionTokens);
        }
      } finally {
        instance.release();
      }
    }

    @Override
    public void failed(InferenceException error) {
      try {
        if (!cancelled.get()) {
          sink.failed(error);
        }
      } finally {
        instance.release();
      }
    }
  }
}
