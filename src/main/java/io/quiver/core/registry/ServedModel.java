package io.quiver.core.registry;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** A model the registry knows, with its versions (one unnamed version when unversioned). */
public final class ServedModel {
  private final String name;
  /** Serialises loads and unloads of this model; requests never take it. */
  final ReentrantLock lifecycle = new ReentrantLock();
  private volatile List<ModelVersion> versions;
  private volatile boolean versioned;

  ServedModel(String name, List<ModelVersion> versions, boolean versioned) {
    this.name = name;
    this.versions = List.copyOf(versions);
    this.versioned = versioned;
  }

  public String name() {
    return name;
  }

  /** The versions, lowest first. */
  public List<ModelVersion> versions() {
    return versions;
  }

  public boolean isVersioned() {
    return versioned;
  }

  /** The version labels a caller may ask for; empty for an unversioned model. */
  public List<String> versionLabels() {
    return versioned ? versions.stream().map(ModelVersion::version).toList() : List.of();
  }

  /** The version requests without a version go to: the highest ready one, else the highest. */
  public ModelVersion defaultVersion() {
    List<ModelVersion> current = versions;
    for (int i = current.size() - 1; i >= 0; i--) {
      if (current.get(i).isReady()) {
        return current.get(i);
      }
    }
    return current.getLast();
  }

  /** The version with that label, or null. */
  public ModelVersion version(String label) {
    for (ModelVersion version : versions) {
      if (label.equals(version.version())) {
        return version;
      }
    }
    return null;
  }

  void replaceVersions(List<ModelVersion> newVersions, boolean nowVersioned) {
    this.versions = List.copyOf(newVersions);
    this.versioned = nowVersioned;
  }
}
