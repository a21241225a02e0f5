package io.quiver.runtime.llamacpp;

import de.kherud.llama.LlamaModel;
import de.kherud.llama.args.LogFormat;
import io.quiver.core.spi.NativeLibraries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Puts llama.cpp's JNI library in a private folder, checked against the jar's bytes, and points
 * java-llama.cpp's loader at it; left to itself the loader extracts it into the shared temporary
 * folder. llama.cpp's own log lines go to the server's log at debug level.
 */
final class LlamaNatives {
  private static final Logger LOG = Logger.getLogger("llama.cpp");
  private static final String PATH_PROPERTY = "de.kherud.llama.lib.path";
  private static boolean prepared;

  private LlamaNatives() {}

  static synchronized void prepare(Optional<Path> configured) {
    if (prepared) {
      return;
    }
    if (System.getProperty(PATH_PROPERTY) == null) {
      String library = System.mapLibraryName("jllama");
      String platform = NativeLibraries.platform("Linux", "Mac", "Windows", "x86_64", "/");
      URL url = NativeLibraries.resource("/de/kherud/llama/" + platform + "/" + library, "java-llama.cpp");
      String release = LlamaModel.class.getPackage().getImplementationVersion();
      Path folder = NativeLibraries.folder(configured, "llama-" + (release == null ? "4.2.0" : release));
      try {
        NativeLibraries.extract(url, folder, library);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot extract llama.cpp to " + folder, e);
      }
      System.setProperty(PATH_PROPERTY, folder.toString());
    }
    LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> LOG.debug(message.strip()));
    prepared = true;
  }
}
