package io.quiver.runtime.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Puts ONNX Runtime's native libraries in one stable folder and tells ONNX Runtime to load them
 * from there. Left to itself it extracts them into a fresh temporary folder on every start (28 MB
 * for the CPU build, over 600 MB with CUDA), which costs start-up time and leaves folders behind.
 */
final class OnnxNatives {
  private static final Logger LOG = Logger.getLogger(OnnxNatives.class);
  private static final String PATH_PROPERTY = "onnxruntime.native.path";
  private static final List<String> LIBRARIES =
      List.of(
          "onnxruntime",
          "onnxruntime4j_jni",
          "onnxruntime_providers_shared",
          "onnxruntime_providers_cuda",
          "onnxruntime_providers_tensorrt");

  private OnnxNatives() {}

  /** Extracts the libraries once and sets the loader's path, unless the user already set it. */
  static synchronized void prepare(Path directory) {
    if (System.getProperty(PATH_PROPERTY) != null) {
      return;
    }
    String resourceFolder = "/ai/onnxruntime/native/" + platform() + "/";
    try {
      Files.createDirectories(directory);
      for (String library : LIBRARIES) {
        String file = System.mapLibraryName(library);
        URL resource = OnnxNatives.class.getResource(resourceFolder + file);
        if (resource != null) {
          extract(resource, directory.resolve(file));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warnf(
          "Cannot use %s for ONNX Runtime's native libraries (%s); it will extract them itself",
          directory, e.getMessage());
      return;
    }
    System.setProperty(PATH_PROPERTY, directory.toString());
  }

  private static void extract(URL resource, Path target) throws IOException {
    long size = resource.openConnection().getContentLengthLong();
    if (Files.isRegularFile(target) && Files.size(target) == size) {
      return;
    }
    // Write beside the target, then rename: concurrent servers never see a half-written library.
    Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
    try (InputStream in = resource.openStream()) {
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.contains("mac") ? "osx" : os.contains("win") ? "win" : "linux";
    String archPart = arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : "x64";
    return osPart + "-" + archPart;
  }
}
