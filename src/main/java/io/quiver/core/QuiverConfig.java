package io.quiver.core;

import io.quiver.core.scheduler.BatchPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** Server-wide settings under {@code quiver.*} (environment: {@code QUIVER_*}). */
@ConfigMapping(prefix = "quiver")
public interface QuiverConfig {

  /**
   * The model repository: a folder of model folders, or a storage URI (http(s)://, gs://, hf://,
   * pvc://, file://) of one, downloaded at start. Container images set /mnt/models.
   */
  @WithDefault("examples/models")
  String modelRepository();

  /**
   * When set, the repository folder is itself one model's folder, served under this name: the
   * layout KServe's storage initializer leaves in /mnt/models for an InferenceService.
   */
  Optional<String> modelName();

  /**
   * Requests one model version runs at once; more wait in its queue. Default: the number of CPU
   * cores. A model's {@code model-settings.json} may set its own ({@code max_concurrency}).
   */
  OptionalInt maxConcurrency();

  /** Requests that may wait for one model version before new ones are refused with 503. */
  @WithDefault("1024")
  int maxQueueSize();

  /**
   * A model whose calls have been taking less than this many microseconds runs small requests on
   * the I/O thread that received them, instead of paying for a hand-off to another thread; 0 turns
   * this off.
   */
  @WithDefault("100")
  int inlineBelowMicros();

  /** How long an unload, a reload or shutdown waits for a model's in-flight requests. */
  @WithDefault("30s")
  Duration drainTimeout();

  /**
   * How long one model version may take to load; past it the load is abandoned and the version
   * fails, whatever the loader is doing.
   */
  @WithDefault("10m")
  Duration loadTimeout();

  /**
   * The most requests one runtime call takes, for models whose settings do not say ({@code
   * max_batch_size}); 1 runs every request alone.
   */
  @WithDefault("1")
  int maxBatchSize();

  /**
   * How long, in seconds, a request may wait for others to batch with, for models whose settings
   * do not say ({@code max_batch_time}).
   */
  @WithDefault("0.0005")
  double maxBatchTime();

  /** The batching models get when their settings do not say. */
  default BatchPolicy batching() {
    return new BatchPolicy(maxBatchSize(), Duration.ofNanos(Math.round(maxBatchTime() * 1e9)));
  }
}
