package io.quiver.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quiver.core.generation.GenerationService;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelState;
import io.quiver.core.registry.ModelVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gauges of every model version the server knows, refreshed every few seconds: {@code
 * quiver_model_state} (1 for the version's current state, 0 for the others), {@code
 * quiver_requests_in_flight} and {@code quiver_requests_queued}; for models that generate text, {@code
 * quiver_generation_running_sequences}, {@code quiver_generation_waiting_sequences} and {@code
 * quiver_kv_cache_usage_ratio} (cache positions reserved by running sequences, of the most allowed).
 */
@ApplicationScoped
public class ModelGauges {
  private final ModelRegistry registry;
  private final MultiGauge state;
  private final MultiGauge inFlight;
  private final MultiGauge queued;
  private final GenerationService generation;
  private final MultiGauge runningSequences;
  private final MultiGauge waitingSequences;
  private final MultiGauge cacheUsage;
  private ScheduledExecutorService refresher;

  ModelGauges(ModelRegistry registry, GenerationService generation, MeterRegistry meters) {
    this.registry = registry;
    this.generation = generation;
    this.runningSequences =
        MultiGauge.builder("quiver_generation_running_sequences").description("Sequences in a model's running batch").register(meters);
    this.waitingSequences =
        MultiGauge.builder("quiver_generation_waiting_sequences").description("Sequences waiting for room in a model's running batch").register(meters);
    this.cacheUsage =
        MultiGauge.builder("quiver_kv_cache_usage_ratio").description("Key/value cache positions reserved, of the most allowed").register(meters);
    this.state =
        MultiGauge.builder("quiver_model_state").description("1 for each model version's current state").register(meters);
    this.inFlight =
        MultiGauge.builder("quiver_requests_in_flight").description("Requests a model version has accepted and not answered").register(meters);
    this.queued =
        MultiGauge.builder("quiver_requests_queued").description("Requests waiting for a model version's threads").register(meters);
  }

  void start(@Observes StartupEvent event) {
    refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("quiver-model-gauges").factory());
    refresher.scheduleWithFixedDelay(this::refresh, 0, 5, TimeUnit.SECONDS);
  }

  void stop(@Observes ShutdownEvent event) {
    if (refresher != null) {
      refresher.shutdownNow();
    }
  }

  /** Reads every version's state and load now. */
  void refresh() {
    List<MultiGauge.Row<?>> states = new ArrayList<>();
    List<MultiGauge.Row<?>> running = new ArrayList<>();
    List<MultiGauge.Row<?>> waiting = new ArrayList<>();
    for (ModelVersion version : registry.versions()) {
      Tags tags = Tags.of("model", version.modelName(), "version", version.version() == null ? "" : version.version());
      ModelState current = version.state();
      for (ModelState candidate : ModelState.values()) {
        states.add(MultiGauge.Row.of(tags.and("state", candidate.name().toLowerCase(Locale.ROOT)), candidate == current ? 1 : 0));
      }
      running.add(MultiGauge.Row.of(tags, version, ModelVersion::requestsInFlight));
      waiting.add(MultiGauge.Row.of(tags, version, ModelVersion::requestsQueued));
    }
    state.register(states, true);
    inFlight.register(running, true);
    queued.register(waiting, true);
    List<MultiGauge.Row<?>> sequences = new ArrayList<>();
    List<MultiGauge.Row<?>> pending = new ArrayList<>();
    List<MultiGauge.Row<?>> cache = new ArrayList<>();
    generation
        .loads()
        .forEach(
            (model, load) -> {
              Tags tags = Tags.of("model", model);
              sequences.add(MultiGauge.Row.of(tags, load.running()));
              pending.add(MultiGauge.Row.of(tags, load.waiting()));
              cache.add(MultiGauge.Row.of(tags, load.kvCapacity() == 0 ? 0 : (double) load.kvTokens() / load.kvCapacity()));
            });
    runningSequences.register(sequences, true);
    waitingSequences.register(pending, true);
    cacheUsage.register(cache, true);
  }
}
