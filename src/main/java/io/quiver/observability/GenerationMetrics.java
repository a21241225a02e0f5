package io.quiver.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quiver.core.generation.FinishReason;
import io.quiver.core.generation.GenerationObserver;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Generation metrics, labelled {@code model}: {@code quiver_time_to_first_token_seconds}, {@code
 * quiver_inter_token_latency_seconds}, {@code quiver_prompt_tokens_total} and {@code
 * quiver_generation_tokens_total} (their rate is tokens per second), and {@code
 * quiver_generations_total} by {@code finish_reason}. The running and waiting sequences and the
 * key/value cache in use are gauges ({@link ModelGauges}).
 */
@ApplicationScoped
public class GenerationMetrics implements GenerationObserver {
  private static final Duration[] BUCKETS =
      InferenceMetrics.seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);

  private final MeterRegistry meters;
  private final ConcurrentMap<String, ModelMeters> models = new ConcurrentHashMap<>();

  GenerationMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  private final class ModelMeters {
    final Timer firstToken;
    final Timer nextToken;
    final Counter promptTokens;
    final Counter generatedTokens;
    final Counter[] finished = new Counter[FinishReason.values().length];

    ModelMeters(String model) {
      firstToken = timer("quiver_time_to_first_token", "From a generation request to its first text", model);
      nextToken = timer("quiver_inter_token_latency", "Between one streamed text and the next", model);
      promptTokens = Counter.builder("quiver_prompt_tokens").description("Prompt tokens read").tag("model", model).register(meters);
      generatedTokens = Counter.builder("quiver_generation_tokens").description("Tokens generated").tag("model", model).register(meters);
      for (FinishReason reason : FinishReason.values()) {
        finished[reason.ordinal()] =
            Counter.builder("quiver_generations")
                .description("Generations ended, by finish reason")
                .tags("model", model, "finish_reason", reason.name().toLowerCase(Locale.ROOT))
                .register(meters);
      }
    }

    private Timer timer(String name, String description, String model) {
      return Timer.builder(name).description(description).tag("model", model).serviceLevelObjectives(BUCKETS).register(meters);
    }
  }

  private ModelMeters of(String model) {
    return models.computeIfAbsent(model, ModelMeters::new);
  }

  @Override
  public void firstToken(String model, long nanos) {
    of(model).firstToken.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void nextToken(String model, long nanos) {
    of(model).nextToken.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void finished(String model, FinishReason reason, int promptTokens, int completionTokens) {
    ModelMeters meters = of(model);
    meters.promptTokens.increment(promptTokens);
    meters.generatedTokens.increment(completionTokens);
    meters.finished[reason.ordinal()].increment();
  }
}
