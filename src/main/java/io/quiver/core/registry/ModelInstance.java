package io.quiver.core.registry;

import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.scheduler.ModelScheduler;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.ModelSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One loaded copy of a model version: what it was loaded with, its scheduler, and a count of the
 * requests using it. Everything a request reads comes from here and never changes, so a reload
 * (which puts a new instance in the version's place) cannot separate two reads. The instance is
 * closed, its native memory freed, only after it was retired and the last request using it let go.
 */
public final class ModelInstance {
  private static final Logger LOG = Logger.getLogger(ModelInstance.class);

  private final String modelName;
  private final String version;
  private final String description;
  private final ModelStatistics statistics;
  private final LoadedModel model;
  private final ModelMetadata metadata;
  private final ModelSettings settings;
  private final ModelConfig config;
  private final int maxRowsPerRequest;
  private final ModelScheduler scheduler;
  /** The version's own reference while it serves this instance, plus one per request using it. */
  private final AtomicInteger references = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  ModelInstance(
      ModelVersion slot,
      LoadedModel model,
      ModelSettings settings,
      ModelConfig config,
      int maxRowsPerRequest,
      ModelScheduler scheduler) {
    this.modelName = slot.modelName();
    this.version = slot.version();
    this.description = slot.describe();
    this.statistics = slot.statistics();
    this.model = model;
    this.metadata = model.metadata();
    this.settings = settings;
    this.config = config;
    this.maxRowsPerRequest = maxRowsPerRequest;
    this.scheduler = scheduler;
  }

  public String modelName() {
    return modelName;
  }

  /** The version label, or null for an unversioned model. */
  public String version() {
    return version;
  }

  /** Describes the version for messages: {@code iris} or {@code iris version 2}. */
  public String describe() {
    return description;
  }

  /** The statistics of the version this instance serves. */
  public ModelStatistics statistics() {
    return statistics;
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  public ModelSettings settings() {
    return settings;
  }

  /** The configuration in Triton's terms: the model's config.pbtxt as served, or what Quiver inferred. */
  public ModelConfig config() {
    return config;
  }

  /** The most rows one request may have (a Triton configuration's max_batch_size), or 0 for no limit. */
  public int maxRowsPerRequest() {
    return maxRowsPerRequest;
  }

  /**
   * The loaded model as {@code type}, when it offers that capability besides tensors (text
   * generation, embeddings).
   */
  public <T> Optional<T> capability(Class<T> type) {
    return type.isInstance(model) ? Optional.of(type.cast(model)) : Optional.empty();
  }

  public ModelScheduler scheduler() {
    return scheduler;
  }

  /** Takes a reference for a request; false once the instance has been retired and drained. */
  boolean tryAcquire() {
    for (int count = references.get(); count > 0; count = references.get()) {
      if (references.compareAndSet(count, count + 1)) {
        return true;
      }
    }
    return false;
  }

  /** Lets go of a request's reference; the last one after retirement closes the instance. */
  public void release() {
    if (references.decrementAndGet() == 0) {
      // whoever let go last may be an event loop or one of the model's own threads
      Thread.ofPlatform().daemon().name("quiver-close-" + description).start(this::close);
    }
  }

  /** Stops serving: the instance closes as soon as no request uses it. */
  void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
    }
  }

  /** Waits up to {@code timeout} for the instance to be closed; false when requests still hold it. */
  boolean awaitClosed(Duration timeout) {
    try {
      closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Requests holding the instance now. */
  int requestsInFlight() {
    return Math.max(0, references.get() - (retired.get() ? 0 : 1));
  }

  private void close() {
    scheduler.shutdown();
    try {
      model.close();
    } catch (RuntimeException e) {
      LOG.warnf("Closing model %s failed: %s", description, e.getMessage());
    } finally {
      closed.complete(null);
    }
  }
}
