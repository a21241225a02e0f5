package io.quiver.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import io.quiver.core.spi.NativeLibraries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Puts ONNX Runtime's native libraries in a private folder, checked against the jar's bytes, and
 * tells ONNX Runtime to load them from there. Left to itself it extracts them into a fresh
 * temporary folder on every start (28 MB for the CPU build, over 600 MB with CUDA).
 */
final class OnnxNatives {
  private static final String PATH_PROPERTY = "onnxruntime.native.path";
  private static final List<String> LIBRARIES =
      List.of(
          "onnxruntime",
          "onnxruntime4j_jni",
          "onnxruntime_providers_shared",
          "onnxruntime_providers_cuda",
          "onnxruntime_providers_tensorrt");

  private OnnxNatives() {}

  /**
   * Extracts the libraries (once per release) and sets the loader's path, unless the user already
   * set it.
   *
   * @throws IllegalStateException when the folder is not safe to load code from
   */
  static synchronized void prepare(Optional<Path> configured) {
    if (System.getProperty(PATH_PROPERTY) != null) {
      return;
    }
    String release = OrtEnvironment.class.getPackage().getImplementationVersion();
    Path folder = NativeLibraries.folder(configured, "onnxruntime-" + (release == null ? "unknown" : release));
    String resourceFolder = "/ai/onnxruntime/native/" + NativeLibraries.platform("linux", "osx", "win", "x64", "-") + "/";
    try {
      for (String library : LIBRARIES) {
        String file = System.mapLibraryName(library);
        URL resource = OnnxNatives.class.getResource(resourceFolder + file);
        if (resource != null) {
          NativeLibraries.extract(resource, folder, file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract ONNX Runtime's native libraries to " + folder, e);
    }
    System.setProperty(PATH_PROPERTY, folder.toString());
  }
}
