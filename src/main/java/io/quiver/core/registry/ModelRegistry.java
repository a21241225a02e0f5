package io.quiver.core.registry;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceObserver;
import io.quiver.core.QuiverConfig;
import io.quiver.core.registry.ModelRepository.ModelFolder;
import io.quiver.core.registry.triton.ModelConfig;
import io.quiver.core.scheduler.BatchPolicy;
import io.quiver.core.scheduler.ModelScheduler;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelStorage;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The models being served: name and version to a {@link ModelVersion}. Loads run in parallel and a
 * failure touches no other model; a reload puts each new instance in its version's place
 * atomically and keeps a working instance serving when its replacement fails; an unload refuses
 * new requests at once and frees the instance after the ones running have finished.
 */
@ApplicationScoped
public class ModelRegistry {
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

  private final ModelRepository repository;
  private final ModelLoader loader;
  private final ModelStorage storage;
  private final QuiverConfig config;
  private final List<InferenceObserver> observers;
  private final ConcurrentMap<String, ServedModel> models = new ConcurrentHashMap<>();
  private volatile boolean closing;

  ModelRegistry(
      ModelRepository repository,
      ModelLoader loader,
      ModelStorage storage,
      QuiverConfig config,
      Instance<InferenceObserver> observers) {
    this.repository = repository;
    this.loader = loader;
    this.storage = storage;
    this.config = config;
    this.observers = observers.stream().toList();
  }

  /** One row of the repository index. {@code version} is null for unversioned models. */
  public record IndexEntry(String name, String version, ModelState state, String reason) {}

  /**
   * Loads every model in the repository, in parallel, without waiting: the returned stage
   * completes when all have finished (loaded, failed or timed out).
   */
  public CompletableFuture<Void> loadAll() {
    List<String> names = repository.modelNames();
    if (names.isEmpty()) {
      LOG.warnf("No models found in the model repository %s", repository.root());
    }
    ExecutorService loads = Executors.newVirtualThreadPerTaskExecutor();
    CompletableFuture<?>[] all =
        names.stream()
            .map(name -> CompletableFuture.runAsync(() -> loadQuietly(name), loads))
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).whenComplete((done, error) -> loads.shutdown());
  }

  private void loadQuietly(String name) {
    try {
      load(name);
    } catch (InferenceException e) {
      // the failure is logged and recorded on the model's versions
    }
  }

  /**
   * Loads a model from its folder, or reloads it: picks up new, changed and removed versions.
   * Blocks until its versions have loaded (or failed); runtime code runs on threads of its own.
   *
   * @throws InferenceException.ModelNotFound when the folder does not exist
   * @throws InferenceException.ModelFailure naming the versions that failed to load
   */
  public void load(String name) {
    ModelRepository.requireValidName(name);
    ModelFolder folder;
    try {
      folder = repository.folder(name);
    } catch (InferenceException.ModelNotFound e) {
      ServedModel gone = models.remove(name);
      if (gone != null) {
        unloadVersions(gone.versions(), "its folder was removed from the repository", false);
      }
      throw e;
    } catch (InferenceException e) {
      // e.g. a folder that links outside the repository: the index shows why it is not served
      LOG.errorf("Model %s cannot be loaded: %s", name, e.getMessage());
      models.computeIfAbsent(name, ServedModel::new).refused(e.getMessage());
      throw e;
    }
    ServedModel model = models.computeIfAbsent(name, ServedModel::new);
    model.lifecycle.lock();
    try {
      if (closing) {
        throw new InferenceException.Unavailable("The server is shutting down; %s was not loaded.".formatted(name));
      }
      reload(model, folder);
    } finally {
      model.lifecycle.unlock();
    }
  }

  private void reload(ServedModel model, ModelFolder folder) {
    List<String> labels = folder.versioned() ? folder.versions() : Arrays.asList((String) null);
    Map<String, ModelVersion> existing = new HashMap<>();
    model.versions().forEach(version -> existing.put(String.valueOf(version.version()), version));
    List<ModelVersion> slots = new ArrayList<>();
    for (String label : labels) {
      ModelVersion slot = existing.remove(String.valueOf(label));
      slots.add(slot != null ? slot : new ModelVersion(model.name(), label));
    }
    // New versions show as LOADING at once; those still serving keep serving while they reload.
    slots.forEach(ModelVersion::loading);
    model.replaceVersions(slots, folder.versioned());
    List<CompletableFuture<LoadOutcome>> loads = new ArrayList<>();
    for (ModelVersion slot : slots) {
      loads.add(loadInstance(folder, slot));
    }
    List<String> failures = new ArrayList<>();
    Map<ModelVersion, ModelInstance> retired = new HashMap<>();
    for (int i = 0; i < slots.size(); i++) {
      ModelVersion slot = slots.get(i);
      LoadOutcome outcome = loads.get(i).join();
      if (outcome.instance() != null) {
        retired.put(slot, slot.serve(outcome.instance()));
      } else {
        failures.add("%s: %s".formatted(slot.describe(), outcome.failure()));
        if (slot.isReady()) {
          LOG.warnf("Keeping the running %s: its reload failed", slot.describe());
        }
        slot.failed(outcome.failure());
      }
    }
    unloadVersions(List.copyOf(existing.values()), "removed from the repository", false);
    retired.forEach((slot, instance) -> slot.awaitDrained(instance, config.drainTimeout(), "replaced by a reload"));
    if (!failures.isEmpty()) {
      throw new InferenceException.ModelFailure(
          "Failed to load model %s: %s".formatted(model.name(), String.join("; ", failures)), null);
    }
  }

  /** A load's result: an instance to serve, or why there is none. */
  private record LoadOutcome(ModelInstance instance, String failure) {}

  private CompletableFuture<LoadOutcome> loadInstance(ModelFolder folder, ModelVersion slot) {
    String label = slot.version();
    ModelSettings settings;
    try {
      settings = repository.settings(folder, label);
      repository.requireNoEscapingLinks(folder.directory());
    } catch (Exception e) {
      return CompletableFuture.completedFuture(failed(slot, LoadFailures.reason(e, repository.root()), e));
    }
    int concurrency =
        settings.maxConcurrency() > 0
            ? settings.maxConcurrency()
            : config.maxConcurrency().orElse(Runtime.getRuntime().availableProcessors());
    Path directory = folder.versionDirectory(label);
    ModelSource source =
        new ModelSource(
            folder.name(), label, directory, settings, concurrency, folder.triton() == null ? null : folder.triton().config());
    long started = System.nanoTime();
    // a model stored elsewhere is downloaded as part of its load, within the same time limit
    String storageUri = settings.parameter(ModelRepository.STORAGE_URI).orElse(null);
    return TimedLoad.run(
            () -> loader.load(storageUri == null ? source : source.inDirectory(storage.materialise(storageUri))),
            config.loadTimeout(),
            slot.describe())
        .handle(
            (model, error) -> {
              if (error != null) {
                return failed(slot, LoadFailures.reason(error, repository.root()), error);
              }
              try {
                ModelInstance instance = instance(slot, folder.triton(), model, settings, concurrency);
                LOG.infof(
                    "Loaded model %s (%s) in %d ms",
                    slot.describe(), instance.metadata().platform(), (System.nanoTime() - started) / 1_000_000);
                return new LoadOutcome(instance, null);
              } catch (RuntimeException e) {
                model.close();
                return failed(slot, LoadFailures.reason(e, repository.root()), e);
              }
            });
  }

  private static LoadOutcome failed(ModelVersion slot, String reason, Throwable error) {
    LOG.errorf("Model %s failed to load: %s", slot.describe(), reason);
    LOG.debugf(error, "Model %s failed to load", slot.describe());
    return new LoadOutcome(null, reason);
  }

  private ModelInstance instance(
      ModelVersion slot, TritonConfig triton, LoadedModel model, ModelSettings settings, int concurrency) {
    BatchPolicy batching = settings.batching(config.batching());
    ModelConfig effective;
    LoadedModel served = model;
    if (triton != null) {
      triton.requireMatches(model.metadata());
      served = triton.reshaped(model);
      effective = triton.effective(slot.modelName(), served.metadata());
    } else {
      effective = TritonConfig.inferred(slot.modelName(), model.metadata(), batching, concurrency);
    }
    ModelScheduler scheduler =
        new ModelScheduler(
            slot.describe(),
            served,
            concurrency,
            settings.queueSize(config.maxQueueSize()),
            batching,
            config.inlineBelowMicros() * 1000L,
            (requests, computeNanos, answerNanos) -> executed(slot, requests, computeNanos, answerNanos));
    int maxRows = triton != null ? effective.getMaxBatchSize() : 0;
    return new ModelInstance(slot, served, settings, effective, maxRows, scheduler);
  }

  private void executed(ModelVersion slot, int requests, long computeNanos, long answerNanos) {
    slot.statistics().execution(requests, 0, computeNanos, answerNanos);
    for (InferenceObserver observer : observers) {
      observer.executed(slot.modelName(), slot.version(), requests, computeNanos);
    }
  }

  /**
   * Stops serving a model: refuses new requests at once, waits for those in flight, then frees its
   * memory. It stays in the index as UNAVAILABLE, and requests for it get 404, until loaded again.
   *
   * @throws InferenceException.ModelNotFound when the model is unknown
   */
  public void unload(String name) {
    ServedModel model = model(name);
    model.lifecycle.lock();
    try {
      unloadVersions(model.versions(), ModelVersion.UNLOADED, false);
    } finally {
      model.lifecycle.unlock();
    }
  }

  private void unloadVersions(List<ModelVersion> versions, String why, boolean forGood) {
    Map<ModelVersion, ModelInstance> retired = new HashMap<>();
    for (ModelVersion version : versions) {
      retired.put(version, forGood ? version.close(why) : version.unload(why));
    }
    retired.forEach((version, instance) -> version.awaitDrained(instance, config.drainTimeout(), why));
  }

  /**
   * Unloads every model for shutdown, waiting for in-flight requests. Loads still running are not
   * waited for: whatever they produce is closed, not served.
   */
  public void unloadAll() {
    closing = true;
    List<ModelVersion> versions = models.values().stream().flatMap(model -> model.versions().stream()).toList();
    unloadVersions(versions, "the server is shutting down", true);
  }

  /**
   * An instance of the version a request addresses (the given one, or the model's default), with
   * a reference taken: the caller must {@link ModelInstance#release} it when done.
   *
   * @throws InferenceException.ModelNotFound for an unknown or unloaded model, or an unknown version
   * @throws InferenceException.ModelNotReady when the version is loading or failed
   */
  public ModelInstance acquire(String name, String version) {
    return resolve(name, version).acquire();
  }

  /**
   * The version a request addresses: the given one, or the model's default.
   *
   * @throws InferenceException.ModelNotFound for an unknown model or version, or one unloaded
   */
  public ModelVersion resolve(String name, String version) {
    ModelVersion found = find(name, version);
    if (found.isUnloaded()) {
      throw found.unavailable();
    }
    return found;
  }

  private ModelVersion find(String name, String version) {
    ServedModel model = model(name);
    if (version == null || version.isEmpty()) {
      return model.defaultVersion();
    }
    ModelVersion found = model.isVersioned() ? model.version(version) : null;
    if (found == null) {
      throw new InferenceException.ModelNotFound(
          model.isVersioned()
              ? "Model with name %s has no version %s (versions: %s)."
                  .formatted(name, version, String.join(", ", model.versionLabels()))
              : "Model with name %s is not versioned; call it without a version.".formatted(name));
    }
    return found;
  }

  /**
   * The instance serving the version a request addresses now, for reading what it was loaded with
   * (its metadata, its settings): one snapshot, no reference taken.
   *
   * @throws InferenceException.ModelNotFound for an unknown or unloaded model, or an unknown version
   * @throws InferenceException.ModelNotReady naming the state and its reason otherwise
   */
  public ModelInstance ready(String name, String version) {
    ModelVersion found = resolve(name, version);
    ModelVersion.Status status = found.status();
    if (status.state() != ModelState.READY) {
      throw found.unavailable(status);
    }
    return status.instance();
  }

  /**
   * A known model.
   *
   * @throws InferenceException.ModelNotFound when unknown
   */
  public ServedModel model(String name) {
    ServedModel model = name == null ? null : models.get(name);
    if (model == null) {
      throw InferenceException.ModelNotFound.model(name);
    }
    return model;
  }

  /** Names of the models served or being loaded (not those unloaded), sorted. */
  public List<String> modelNames() {
    return models.values().stream()
        .filter(model -> !model.isUnloaded())
        .map(ServedModel::name)
        .sorted()
        .toList();
  }

  /**
   * The versions a statistics request means: every served one (no name), one model's (no
   * version), or one.
   *
   * @throws InferenceException.ModelNotFound for an unknown or unloaded model, or an unknown version
   */
  public List<ModelVersion> versions(String name, String version) {
    if (name == null || name.isEmpty()) {
      return versions().stream().filter(v -> !v.isUnloaded()).toList();
    }
    ModelVersion addressed = resolve(name, version);
    return version == null || version.isEmpty() ? model(name).versions() : List.of(addressed);
  }

  /** Every version of every model the registry knows, unloaded ones included. */
  public List<ModelVersion> versions() {
    return models.values().stream().flatMap(model -> model.versions().stream()).toList();
  }

  /** Every model in the registry or the repository folder, with its versions' states. */
  public List<IndexEntry> index() {
    Map<String, List<IndexEntry>> rows = new TreeMap<>();
    for (String name : repository.modelNames()) {
      rows.put(name, List.of(new IndexEntry(name, null, ModelState.UNAVAILABLE, "")));
    }
    for (ServedModel model : models.values()) {
      rows.put(
          model.name(),
          model.versions().stream()
              .map(v -> new IndexEntry(model.name(), v.version(), v.state(), v.reason()))
              .toList());
    }
    return rows.values().stream().flatMap(List::stream).toList();
  }
}
