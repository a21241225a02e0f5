package io.quiver.core.registry;

import io.quiver.core.InferenceException;
import io.quiver.core.QuiverConfig;
import io.quiver.core.registry.ModelRepository.ModelFolder;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jboss.logging.Logger;

/**
 * The models being served: name and version to a {@link ModelVersion}. Loads run in parallel and a
 * failure touches no other model; a reload swaps versions in atomically and keeps a working version
 * serving when its replacement fails; an unload waits for in-flight requests before freeing memory.
 */
@ApplicationScoped
public class ModelRegistry {
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

  private final ModelRepository repository;
  private final ModelLoader loader;
  private final QuiverConfig config;
  private final ConcurrentMap<String, ServedModel> models = new ConcurrentHashMap<>();

  ModelRegistry(ModelRepository repository, ModelLoader loader, QuiverConfig config) {
    this.repository = repository;
    this.loader = loader;
    this.config = config;
  }

  /** One row of the repository index. {@code version} is null for unversioned models. */
  public record IndexEntry(String name, String version, ModelState state, String reason) {}

  /** Loads every model in the repository, in parallel, and returns when all have finished. */
  public void loadAll() {
    List<String> names = repository.modelNames();
    if (names.isEmpty()) {
      LOG.warnf("No models found in the model repository %s", repository.root());
    }
    try (ExecutorService loads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String name : names) {
        loads.submit(() -> loadQuietly(name));
      }
    }
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
   *
   * @throws InferenceException.ModelNotFound when the folder does not exist
   * @throws InferenceException.ModelFailure naming the versions that failed to load
   */
  public void load(String name) {
    ModelFolder folder;
    try {
      folder = repository.folder(name);
    } catch (InferenceException.ModelNotFound e) {
      ServedModel gone = models.remove(name);
      if (gone != null) {
        unloadVersions(gone, gone.versions(), "its folder was removed from the repository");
      }
      throw e;
    }
    List<String> labels = folder.versioned() ? folder.versions() : Arrays.asList((String) null);
    ServedModel model =
        models.computeIfAbsent(
            name,
            key ->
                new ServedModel(
                    key,
                    labels.stream().map(label -> ModelVersion.loading(key, label)).toList(),
                    folder.versioned()));
    model.lifecycle.lock();
    try {
      List<ModelVersion> loaded = loadVersions(folder, labels);
      swapIn(model, loaded, folder.versioned());
    } finally {
      model.lifecycle.unlock();
    }
  }

  private List<ModelVersion> loadVersions(ModelFolder folder, List<String> labels) {
    List<Future<ModelVersion>> pending = new ArrayList<>();
    try (ExecutorService loads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String label : labels) {
        pending.add(loads.submit(() -> loadVersion(folder, label)));
      }
    }
    return pending.stream().map(Future::resultNow).toList();
  }

  private ModelVersion loadVersion(ModelFolder folder, String label) {
    ModelVersion version = ModelVersion.loading(folder.name(), label);
    long started = System.nanoTime();
    try {
      ModelSettings settings = repository.settings(folder, label);
      Path directory = folder.versionDirectory(label);
      repository.requireNoEscapingLinks(folder.directory());
      ModelSource source = new ModelSource(folder.name(), label, directory, settings);
      LoadedModel model = loader.load(source);
      int concurrency =
          settings.maxConcurrency() > 0
              ? settings.maxConcurrency()
              : config.maxConcurrency().orElse(Runtime.getRuntime().availableProcessors());
      version.ready(model, settings, concurrency, config.maxQueueSize());
      LOG.infof(
          "Loaded model %s (%s) in %d ms",
          version.describe(),
          model.metadata().platform(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (Exception | LinkageError e) {
      String reason = Objects.requireNonNullElse(e.getMessage(), e.getClass().getName());
      version.failed(reason);
      LOG.errorf("Model %s failed to load: %s", version.describe(), reason);
      LOG.debug("Load failure", e);
    }
    return version;
  }

  /**
   * Puts freshly loaded versions in place of the old. A version whose reload failed keeps its old,
   * working instance; versions that left the folder are unloaded.
   */
  private void swapIn(ServedModel model, List<ModelVersion> loaded, boolean versioned) {
    Map<String, ModelVersion> old = byLabel(model.versions());
    List<ModelVersion> serving = new ArrayList<>();
    List<ModelVersion> retired = new ArrayList<>(model.versions());
    List<String> failures = new ArrayList<>();
    for (ModelVersion fresh : loaded) {
      ModelVersion previous = old.get(String.valueOf(fresh.version()));
      if (fresh.state() == ModelState.FAILED) {
        failures.add("%s: %s".formatted(fresh.describe(), fresh.reason()));
        if (previous != null && previous.isReady()) {
          LOG.warnf("Keeping the running %s: its reload failed", previous.describe());
          serving.add(previous);
          retired.remove(previous);
          continue;
        }
      }
      serving.add(fresh);
    }
    model.replaceVersions(serving, versioned);
    unloadVersions(model, retired, "replaced by a reload");
    if (!failures.isEmpty()) {
      throw new InferenceException.ModelFailure(
          "Failed to load model %s: %s".formatted(model.name(), String.join("; ", failures)), null);
    }
  }

  private static Map<String, ModelVersion> byLabel(List<ModelVersion> versions) {
    Map<String, ModelVersion> byLabel = new TreeMap<>();
    for (ModelVersion version : versions) {
      byLabel.put(String.valueOf(version.version()), version);
    }
    return byLabel;
  }

  /**
   * Stops serving a model: waits for its in-flight requests, then frees its memory. It stays in
   * the index as UNAVAILABLE until loaded again.
   *
   * @throws InferenceException.ModelNotFound when the model is unknown
   */
  public void unload(String name) {
    ServedModel model = models.get(name);
    if (model == null) {
      throw InferenceException.ModelNotFound.model(name);
    }
    model.lifecycle.lock();
    try {
      unloadVersions(model, model.versions(), "unloaded");
    } finally {
      model.lifecycle.unlock();
    }
  }

  private void unloadVersions(ServedModel model, List<ModelVersion> versions, String why) {
    for (ModelVersion version : versions) {
      boolean wasReady = version.isReady();
      version.unload(config.drainTimeout(), why);
      if (wasReady) {
        LOG.infof("Unloaded model %s (%s)", version.describe(), why);
      }
    }
  }

  /** Unloads every model, waiting for in-flight requests; for shutdown. */
  public void unloadAll() {
    try (ExecutorService unloads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String name : models.keySet()) {
        unloads.submit(() -> unload(name));
      }
    }
  }

  /**
   * The version a request addresses: the given one, or the model's default.
   *
   * @throws InferenceException.ModelNotFound for an unknown model or version
   */
  public ModelVersion resolve(String name, String version) {
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
   * The version a request addresses, which must be ready to serve.
   *
   * @throws InferenceException.ModelNotFound for an unknown model or version
   * @throws InferenceException.ModelNotReady naming the state and its reason otherwise
   */
  public ModelVersion resolveReady(String name, String version) {
    ModelVersion found = resolve(name, version);
    if (!found.isReady()) {
      throw found.notReady();
    }
    return found;
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

  /** Names of the models known to the registry, sorted. */
  public List<String> modelNames() {
    return models.keySet().stream().sorted().toList();
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
