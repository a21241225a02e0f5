package io.quiver.core.registry;

import io.quiver.core.InferenceException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * One version of one model as the registry serves it: its state and the instance answering for it.
 * Both live in one immutable {@link Status}, replaced atomically, so a request sees either the old
 * instance or the new one, never a version half way through a swap.
 */
public final class ModelVersion {
  private static final Logger LOG = Logger.getLogger(ModelVersion.class);
  static final String UNLOADED = "unloaded";

  /**
   * A version's state at one moment.
   *
   * @param reason why it is not ready; empty when it is
   * @param instance the instance answering, when READY
   */
  public record Status(ModelState state, String reason, ModelInstance instance) {}

  private final String modelName;
  private final String version;
  private final ModelStatistics statistics = new ModelStatistics();
  private volatile Status status = new Status(ModelState.LOADING, "", null);
  /** Set at shutdown: whatever finishes loading afterwards is closed, not served. */
  private boolean closed;

  ModelVersion(String modelName, String version) {
    this.modelName = modelName;
    this.version = version;
  }

  public String modelName() {
    return modelName;
  }

  /** The version label, or null for an unversioned model. */
  public String version() {
    return version;
  }

  public Status status() {
    return status;
  }

  public ModelState state() {
    return status.state();
  }

  /** Why the version is not ready; empty when it is. */
  public String reason() {
    return status.reason();
  }

  public boolean isReady() {
    return status.state() == ModelState.READY;
  }

  /** Whether the version was unloaded (and not loaded since). */
  public boolean isUnloaded() {
    Status now = status;
    return now.state() == ModelState.UNAVAILABLE && UNLOADED.equals(now.reason());
  }

  /** Requests accepted by the instance serving now and not yet answered (queued or running). */
  public int requestsInFlight() {
    ModelInstance instance = status.instance();
    return instance == null ? 0 : instance.scheduler().inFlight();
  }

  /** Requests waiting in the queue of the instance serving now. */
  public int requestsQueued() {
    ModelInstance instance = status.instance();
    return instance == null ? 0 : instance.scheduler().queued();
  }

  /** Triton's statistics for this version, kept across reloads. */
  public ModelStatistics statistics() {
    return statistics;
  }

  /** Describes this version for messages: {@code iris} or {@code iris version 2}. */
  public String describe() {
    return version == null ? modelName : modelName + " version " + version;
  }

  /**
   * The instance serving now, with a reference taken for a request: the caller must release it.
   *
   * @throws InferenceException.ModelNotFound when the version was unloaded
   * @throws InferenceException.ModelNotReady when it is loading or failed
   */
  ModelInstance acquire() {
    while (true) {
      Status now = status;
      if (now.state() != ModelState.READY) {
        throw unavailable(now);
      }
      if (now.instance().tryAcquire()) {
        return now.instance();
      }
      // retired between the read and the acquire: a swap has just put its successor in place
      Thread.onSpinWait();
    }
  }

  /** The error a request gets from a version that cannot serve it. */
  InferenceException unavailable(Status now) {
    if (now.state() == ModelState.UNAVAILABLE && UNLOADED.equals(now.reason())) {
      return new InferenceException.ModelNotFound(
          "Model with name %s is unloaded; load it again through the repository API.".formatted(describe()));
    }
    String why = now.reason().isEmpty() ? now.state().name() : now.state() + ": " + now.reason();
    return new InferenceException.ModelNotReady("Model with name %s is not ready (%s).".formatted(describe(), why));
  }

  /** The error for this version as it is now. */
  public InferenceException unavailable() {
    return unavailable(status);
  }

  /**
   * Puts a freshly loaded instance in place. The one it replaces is retired and returned, so the
   * caller can wait for its requests to drain; null when there was none.
   */
  synchronized ModelInstance serve(ModelInstance fresh) {
    if (closed) {
      fresh.retire();
      return null;
    }
    ModelInstance previous = status.instance();
    status = new Status(ModelState.READY, "", fresh);
    if (previous != null) {
      previous.retire();
    }
    return previous;
  }

  /** Marks a version that is not serving as loading again. */
  synchronized void loading() {
    if (!closed && status.state() != ModelState.READY) {
      status = new Status(ModelState.LOADING, "", null);
    }
  }

  /** Records a failed load; a version still serving an older instance keeps serving it. */
  synchronized void failed(String why) {
    if (!closed && status.state() != ModelState.READY) {
      status = new Status(ModelState.FAILED, why, null);
    }
  }

  /**
   * Stops serving: later requests are refused at once, those running finish on the instance, which
   * is freed after them; returns the retired instance (or null) so the caller can wait for that.
   */
  synchronized ModelInstance unload(String why) {
    ModelInstance previous = status.instance();
    status = new Status(ModelState.UNAVAILABLE, why, null);
    if (previous != null) {
      previous.retire();
    }
    return previous;
  }

  /** Unloads for good: nothing loaded after this is served. */
  synchronized ModelInstance close(String why) {
    closed = true;
    return unload(why);
  }

  /** Waits up to {@code timeout} for a retired instance's requests, then logs what still runs. */
  void awaitDrained(ModelInstance retired, Duration timeout, String why) {
    if (retired == null) {
      return;
    }
    if (retired.awaitClosed(timeout)) {
      LOG.infof("Unloaded model %s (%s)", describe(), why);
    } else {
      LOG.warnf(
          "%s: %d requests still running after %s; its memory is freed when they finish",
          describe(), retired.requestsInFlight(), timeout);
    }
  }
}
