package io.quiver.runtime.llamacpp;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelRuntime;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Serves GGUF files, the format most local language models are published in, through llama.cpp
 * (java-llama.cpp 4.2.0, llama.cpp b4916, CPU): completions and chat completions on OpenAI's
 * routes, greedy continuations on KServe's.
 */
@ApplicationScoped
public class LlamaCppRuntime implements ModelRuntime {
  private static final Logger LOG = Logger.getLogger(LlamaCppRuntime.class);

  private final Optional<Path> nativeDir;

  LlamaCppRuntime(@ConfigProperty(name = "quiver.llamacpp.native-dir") Optional<Path> nativeDir) {
    this.nativeDir = nativeDir;
  }

  @Override
  public String format() {
    return "llamacpp";
  }

  @Override
  public boolean recognises(ModelSource source) {
    return ggufFile(source).isPresent();
  }

  /** The file the settings name, else the folder's one {@code .gguf} file. */
  private static Optional<Path> ggufFile(ModelSource source) {
    if (source.settings().file() != null) {
      return source.findFile();
    }
    try (Stream<Path> files = Files.list(source.directory())) {
      List<Path> gguf = files.filter(file -> file.getFileName().toString().endsWith(".gguf")).toList();
      return gguf.size() == 1 ? source.fileInside(gguf.getFirst().getFileName().toString()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public LoadedModel load(ModelSource source) throws IOException {
    Path file = ggufFile(source).orElseThrow(() -> new IllegalArgumentException("no single .gguf file in the model folder; name one with \"file\""));
    GgufHeader header = GgufHeader.read(file);
    if (!header.tokenizesAnyText()) {
      throw new IllegalArgumentException(
          "the GGUF vocabulary (SentencePiece) has no byte tokens <0x00>..<0xFF>: llama.cpp would abort the server on the first character outside it");
    }
    LlamaNatives.prepare(nativeDir);
    ModelSettings settings = source.settings();
    int slots = settings.intParameter("max_num_seqs").orElse(4);
    int context = settings.intParameter("context_length").orElse((int) Math.min(header.contextLength() > 0 ? header.contextLength() : 2048, 4096));
    ModelParameters parameters =
        new ModelParameters()
            .setModel(file.toString())
            .setParallel(slots)
            .enableContBatching()
            // llama.cpp splits its context among the slots: each sequence gets context_length
            .setCtxSize(context * slots)
            // llama.cpp's one decode loop serves every slot: it may use every core
            .setThreads(source.alone().threadsPerCall());
    LOG.infof("GGUF model %s: llama.cpp with %d slots of %d tokens", source.describe(), slots, context);
    return new LlamaCppModel(source.name(), new LlamaModel(parameters), slots, settings.queueSize(256), context);
  }
}
