package io.quiver.runtime.ensemble;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceService;
import io.quiver.core.registry.ModelRegistry;
import io.quiver.core.registry.ModelVersion;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.registry.triton.ModelEnsembling.Step;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Serves Triton ensembles ({@code platform: "ensemble"} in config.pbtxt): a pipeline of steps,
 * each a request to another model the server serves, whatever its runtime.
 */
@ApplicationScoped
public class EnsembleRuntime implements ModelRuntime {
  /** Looked up when an ensemble loads: both depend on the registry, which loads through this runtime. */
  private final Instance<InferenceService> inference;

  private final Instance<ModelRegistry> registry;

  EnsembleRuntime(Instance<InferenceService> inference, Instance<ModelRegistry> registry) {
    this.inference = inference;
    this.registry = registry;
  }

  @Override
  public String format() {
    return "ensemble";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return false;
  }

  @Override
  public LoadedModel load(ModelSource source) {
    ModelConfig config = source.tritonConfig();
    if (config == null || !config.hasEnsembleScheduling()) {
      throw new IllegalArgumentException("an ensemble is described by a config.pbtxt with ensemble_scheduling");
    }
    requireNoCycle(source.name(), source.name(), config, new ArrayDeque<>());
    return new EnsembleModel(config, inference.get());
  }

  /**
   * Refuses an ensemble whose steps lead back to it, directly or through ensembles already loaded:
   * each call would wait on a call of itself, without end.
   */
  private void requireNoCycle(String ensemble, String current, ModelConfig config, Deque<String> path) {
    path.addLast(current);
    for (Step step : config.getEnsembleScheduling().getStepList()) {
      String called = step.getModelName();
      if (called.equals(ensemble)) {
        throw new IllegalArgumentException(
            "ensemble step model %s leads back to ensemble %s (%s -> %s): a pipeline cannot call itself"
                .formatted(called, ensemble, String.join(" -> ", path), called));
      }
      ModelConfig inner = loadedEnsemble(called);
      if (inner != null && !path.contains(called)) {
        requireNoCycle(ensemble, called, inner, path);
      }
    }
    path.removeLast();
  }

  /** The configuration of a loaded ensemble of that name, or null. */
  private ModelConfig loadedEnsemble(String name) {
    try {
      ModelVersion.Status status = registry.get().resolve(name, null).status();
      ModelConfig config = status.instance() == null ? null : status.instance().config();
      return config != null && config.hasEnsembleScheduling() ? config : null;
    } catch (InferenceException e) {
      return null;
    }
  }
}
