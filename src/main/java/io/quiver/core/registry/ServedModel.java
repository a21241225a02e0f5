package io.quiver.core.registry;

import io.quiver.core.InferenceException;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** A model the registry knows, with its versions (one unnamed version when unversioned). */
public final class ServedModel {
  private final String name;
  /** Serialises loads and unloads of this model; requests never take it. */
  final ReentrantLock lifecycle = new ReentrantLock();
  /** The versions and whether they are numbered, replaced together. */
  private volatile Versions versions = new Versions(List.of(), false);

  private record Versions(List<ModelVersion> list, boolean numbered) {}

  ServedModel(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** The versions, lowest first. */
  public List<ModelVersion> versions() {
    return versions.list();
  }

  public boolean isVersioned() {
    return versions.numbered();
  }

  /** Whether every version has been unloaded. */
  boolean isUnloaded() {
    List<ModelVersion> current = versions.list();
    return !current.isEmpty() && current.stream().allMatch(ModelVersion::isUnloaded);
  }

  /** The version labels a caller may ask for; empty for an unversioned model. */
  public List<String> versionLabels() {
    Versions current = versions;
    return current.numbered() ? current.list().stream().map(ModelVersion::version).toList() : List.of();
  }

  /**
   * The version requests without a version go to: the highest ready one, else the highest.
   *
   * @throws InferenceException.ModelNotReady before the model's folder has been read
   */
  public ModelVersion defaultVersion() {
    List<ModelVersion> current = versions.list();
    if (current.isEmpty()) {
      throw new InferenceException.ModelNotReady("Model with name %s is not ready (LOADING).".formatted(name));
    }
    for (int i = current.size() - 1; i >= 0; i--) {
      if (current.get(i).isReady()) {
        return current.get(i);
      }
    }
    return current.getLast();
  }

  /** The version with that label, or null. */
  public ModelVersion version(String label) {
    for (ModelVersion version : versions.list()) {
      if (label.equals(version.version())) {
        return version;
      }
    }
    return null;
  }

  /**
   * Records that the model's folder cannot be served at all, saying why; versions already serving
   * (the folder changed under them) go on serving.
   */
  void refused(String why) {
    lifecycle.lock();
    try {
      if (versions().isEmpty() || versions().stream().noneMatch(ModelVersion::isReady)) {
        ModelVersion only = new ModelVersion(name, null);
        only.failed(why);
        replaceVersions(List.of(only), false);
      }
    } finally {
      lifecycle.unlock();
    }
  }

  void replaceVersions(List<ModelVersion> newVersions, boolean numbered) {
    this.versions = new Versions(List.copyOf(newVersions), numbered);
  }
}
