package io.quiver.core.registry;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One version of one model as the registry serves it: its state, its loaded model, and the
 * bookkeeping that lets an unload wait for the requests still running on it.
 */
public final class ModelVersion {
  private static final Logger LOG = Logger.getLogger(ModelVersion.class);

  private final String modelName;
  private final String version;
  private volatile ModelState state;
  private volatile String reason;
  private volatile LoadedModel model;
  private volatile ModelSettings settings = ModelSettings.NONE;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private Semaphore running;
  private final AtomicInteger waiting = new AtomicInteger();
  private int maxQueueSize;
  /** A moving average of how long the model takes per batch, -1 until it has run. */
  private volatile long averageNanos = -1;

  private ModelVersion(String modelName, String version, ModelState state, String reason) {
    this.modelName = modelName;
    this.version = version;
    this.state = state;
    this.reason = reason;
  }

  static ModelVersion loading(String modelName, String version) {
    return new ModelVersion(modelName, version, ModelState.LOADING, "");
  }

  void ready(LoadedModel loaded, ModelSettings modelSettings, int maxConcurrency, int maxQueueSize) {
    this.model = loaded;
    this.settings = modelSettings;
    this.running = new Semaphore(maxConcurrency);
    this.maxQueueSize = maxQueueSize;
    this.state = ModelState.READY;
  }

  void failed(String why) {
    this.reason = why;
    this.state = ModelState.FAILED;
  }

  public String modelName() {
    return modelName;
  }

  /** The version label, or null for an unversioned model. */
  public String version() {
    return version;
  }

  public ModelState state() {
    return state;
  }

  /** Why the version is not ready; empty when it is. */
  public String reason() {
    return reason;
  }

  public boolean isReady() {
    return state == ModelState.READY;
  }

  /** The settings the version was loaded with. */
  public ModelSettings settings() {
    return settings;
  }

  /** The model's metadata; only for a ready version. */
  public ModelMetadata metadata() {
    return model.metadata();
  }

  /** Describes this version for messages: {@code iris} or {@code iris version 2}. */
  public String describe() {
    return version == null ? modelName : modelName + " version " + version;
  }

  /**
   * Runs a batch on the model, waiting while the model is at its concurrency limit.
   *
   * @throws InferenceException.ModelNotReady when the version is not ready (or starts unloading)
   * @throws InferenceException.Unavailable when too many requests already wait
   */
  public List<InferenceResult> infer(List<InferenceRequest> batch) {
    return run(batch, true);
  }

  /**
   * Runs a batch only if the model can take it at once; null when it is at its concurrency limit.
   * Never waits, so it may be called from an I/O thread.
   */
  public List<InferenceResult> inferIfFree(List<InferenceRequest> batch) {
    return run(batch, false);
  }

  /** Whether the model has been answering within {@code nanos} per call. */
  public boolean answersWithin(long nanos) {
    long average = averageNanos;
    return average >= 0 && average <= nanos;
  }

  private List<InferenceResult> run(List<InferenceRequest> batch, boolean wait) {
    inFlight.incrementAndGet();
    try {
      if (state != ModelState.READY) {
        throw notReady();
      }
      if (!running.tryAcquire()) {
        if (!wait) {
          return null;
        }
        awaitPermit();
      }
      try {
        long started = System.nanoTime();
        List<InferenceResult> results = model.infer(batch);
        record(System.nanoTime() - started);
        return results;
      } finally {
        running.release();
      }
    } finally {
      if (inFlight.decrementAndGet() == 0 && state == ModelState.UNLOADING) {
        drained.complete(null);
      }
    }
  }

  private void awaitPermit() {
    if (waiting.incrementAndGet() > maxQueueSize) {
      waiting.decrementAndGet();
      throw new InferenceException.Unavailable(
          "Model %s has %d requests waiting, its queue limit; retry later."
              .formatted(describe(), maxQueueSize));
    }
    try {
      running.acquireUninterruptibly();
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** Updates the moving average; concurrent updates may lose one sample, which is harmless. */
  private void record(long nanos) {
    long average = averageNanos;
    averageNanos = average < 0 ? nanos : average + (nanos - average) / 8;
  }

  public InferenceException.ModelNotReady notReady() {
    String why = reason.isEmpty() ? state.name() : state + ": " + reason;
    return new InferenceException.ModelNotReady(
        "Model with name %s is not ready (%s).".formatted(describe(), why));
  }

  /**
   * Stops taking requests, waits up to {@code timeout} for those in flight, then frees the model's
   * memory. A version that holds no model (failed, never loaded) just becomes unavailable.
   */
  void unload(Duration timeout, String why) {
    if (state == ModelState.READY) {
      state = ModelState.UNLOADING;
      if (inFlight.get() == 0) {
        drained.complete(null);
      }
      awaitDrained(timeout);
      LoadedModel loaded = model;
      model = null;
      loaded.close();
    }
    reason = why;
    state = ModelState.UNAVAILABLE;
  }

  private void awaitDrained(Duration timeout) {
    try {
      drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warnf(
          "%s: %d requests still running after %s; closing it anyway",
          describe(), inFlight.get(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }
}
