package io.quiver.runtime.ensemble;

import io.quiver.core.InferenceService;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * Serves Triton ensembles ({@code platform: "ensemble"} in config.pbtxt): a pipeline of steps,
 * each a request to another model the server serves, whatever its runtime.
 */
@ApplicationScoped
public class EnsembleRuntime implements ModelRuntime {
  /** Looked up when an ensemble loads: the service depends on the registry, which loads through this runtime. */
  private final Instance<InferenceService> inference;

  EnsembleRuntime(Instance<InferenceService> inference) {
    this.inference = inference;
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
    return new EnsembleModel(config, inference.get());
  }
}
