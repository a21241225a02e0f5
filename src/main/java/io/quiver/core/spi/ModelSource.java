package io.quiver.core.spi;

import io.quiver.core.registry.triton.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model version's files as the registry hands them to a runtime.
 *
 * @param name the model name
 * @param version the version folder's name, or null for an unversioned model
 * @param directory the folder holding the model files (the version folder when versioned)
 * @param settings the model's settings
 * @param concurrency how many requests the server runs on this model at once: a runtime sizes
 *     its own threads per call from it, so that together they fit the machine's cores
 * @param tritonConfig the model's Triton configuration (config.pbtxt), or null
 */
public record ModelSource(
    String name, String version, Path directory, ModelSettings settings, int concurrency, ModelConfig tritonConfig) {

  /** A source for a model run one request at a time. */
  public ModelSource(String name, String version, Path directory, ModelSettings settings) {
    this(name, version, directory, settings, 1, null);
  }

  /** The same model with its files in another folder (downloaded from where its settings say). */
  public ModelSource inDirectory(Path newDirectory) {
    return new ModelSource(name, version, newDirectory, settings, concurrency, tritonConfig);
  }

  /** The same model run one call at a time: a call may use every core. */
  public ModelSource alone() {
    return new ModelSource(name, version, directory, settings, 1, tritonConfig);
  }

  /** The same files with other settings. */
  public ModelSource withSettings(ModelSettings newSettings) {
    return new ModelSource(name, version, directory, newSettings, concurrency, tritonConfig);
  }

  /**
   * The threads one call of this model may use by default: the machine's cores shared among the
   * calls the server runs on it at once (at least one).
   */
  public int threadsPerCall() {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, concurrency));
  }

  /**
   * The model file: the one the settings name, else the first of {@code conventionalNames} present.
   * A file that resolves outside the model folder (by {@code ..} or a link) counts as absent.
   */
  public Optional<Path> findFile(String... conventionalNames) {
    if (settings.file() != null) {
      return insideDirectory(directory.resolve(settings.file()));
    }
    for (String name : conventionalNames) {
      Optional<Path> file = insideDirectory(directory.resolve(name));
      if (file.isPresent()) {
        return file;
      }
    }
    return Optional.empty();
  }

  /**
   * The model file as {@link #findFile} finds it.
   *
   * @throws IllegalArgumentException naming the files looked for, when there is none
   */
  public Path requireFile(String... conventionalNames) {
    return findFile(conventionalNames)
        .orElseThrow(
            () -> {
              List<String> names = settings.file() != null ? List.of(settings.file()) : List.of(conventionalNames);
              String wanted =
                  names.size() == 1
                      ? names.getFirst()
                      : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
              return new IllegalArgumentException("no " + wanted + " in the model folder");
            });
  }

  /**
   * A file at a path relative to the model folder, whatever the settings name; absent when it
   * resolves outside the folder.
   */
  public Optional<Path> fileInside(String relativePath) {
    return insideDirectory(directory.resolve(relativePath));
  }

  private Optional<Path> insideDirectory(Path file) {
    try {
      if (Files.isRegularFile(file) && file.toRealPath().startsWith(directory.toRealPath())) {
        return Optional.of(file);
      }
    } catch (IOException e) {
      // unreadable: treated as absent
    }
    return Optional.empty();
  }

  /** The first bytes of a file, for recognising formats by content. */
  public static byte[] head(Path file, int bytes) {
    try (var in = Files.newInputStream(file)) {
      return in.readNBytes(bytes);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** A description for log lines and error messages, e.g. {@code iris (version 2)}. */
  public String describe() {
    return version == null ? name : "%s (version %s)".formatted(name, version);
  }
}
