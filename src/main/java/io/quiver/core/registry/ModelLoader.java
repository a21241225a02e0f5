package io.quiver.core.registry;

import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Picks the runtime for a model folder, found among the runtime beans, and loads the model with it. */
@ApplicationScoped
class ModelLoader {
  /** The runtime that serves custom Java models (a model's settings name their class). */
  static final String CUSTOM_FORMAT = "custom";

  private final List<ModelRuntime> runtimes;

  ModelLoader(Instance<ModelRuntime> runtimes) {
    // Folders that wrap another format's file (MLflow) are recognised before that format.
    this.runtimes =
        runtimes.stream().sorted(Comparator.comparingInt(ModelRuntime::precedence).reversed()).toList();
  }

  /**
   * Loads one model version.
   *
   * @throws Exception whose message says why the model cannot be served
   */
  LoadedModel load(ModelSource source) throws Exception {
    return runtimeFor(source).load(source);
  }

  private ModelRuntime runtimeFor(ModelSource source) {
    String format =
        source.settings().implementation() != null ? CUSTOM_FORMAT : source.settings().format();
    if (format != null) {
      return runtimes.stream()
          .filter(runtime -> runtime.format().equalsIgnoreCase(format))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "the model's settings ask for format '%s', which this server does not serve (formats: %s)"
                          .formatted(format, formats())));
    }
    return runtimes.stream()
        .filter(runtime -> runtime.recognises(source))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no runtime recognises the files %s; formats served: %s. Name the format in model-settings.json if the file name is unconventional."
                        .formatted(fileNames(source.directory()), formats())));
  }

  private List<String> formats() {
    return runtimes.stream().map(ModelRuntime::format).sorted().toList();
  }

  private static List<String> fileNames(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(path -> path.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
