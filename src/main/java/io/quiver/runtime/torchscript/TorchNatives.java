package io.quiver.runtime.torchscript;

import ai.djl.engine.Engine;
import ai.djl.util.Platform;
import io.quiver.core.spi.NativeLibraries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Puts libtorch and DJL's JNI library where DJL's PyTorch engine looks for them, in a private
 * folder, checked against the jars' bytes, before the engine starts; DJL then finds them present
 * and neither extracts nor downloads anything. Left to itself it extracts into {@code ~/.djl.ai},
 * accepting whatever a file of the right name there holds.
 */
final class TorchNatives {
  /** DJL's setting for the folder it keeps engines in. */
  private static final String CACHE_PROPERTY = "ENGINE_CACHE_DIR";

  private TorchNatives() {}

  /**
   * Extracts the libraries (once per release) and points DJL at them, offline.
   *
   * @throws IllegalStateException when the folder is not safe to load code from, or the jars are missing
   */
  static synchronized void prepare(Optional<Path> configured) {
    System.setProperty("ai.djl.offline", "true");
    if (System.getProperty(CACHE_PROPERTY) != null) {
      return;
    }
    // The libtorch build DJL will pick among those on the class path: CUDA where it sees a GPU
    // (the gpu profile carries both), the CPU one otherwise.
    Platform platform = Platform.detectPlatform("pytorch");
    if (platform.isPlaceholder()) {
      throw new IllegalStateException("no libtorch on the class path suits this machine (" + platform + ")");
    }
    String version = platform.getVersion();
    String flavor = platform.getFlavor();
    String classifier = platform.getClassifier();
    String djl = Engine.getDjlVersion();
    Path root = NativeLibraries.folder(configured, "djl-pytorch-" + version + "-" + djl);
    // DJL's own layout: <cache>/pytorch/<libtorch version>-<flavor>-<platform>/
    Path engine = NativeLibraries.folder(Optional.of(root.resolve("pytorch").resolve(version + "-" + flavor + "-" + classifier)), "");
    try {
      for (String library : platform.getLibraries()) {
        NativeLibraries.extract(NativeLibraries.resource("/pytorch/" + flavor + "/" + classifier + "/" + library, "libtorch"), engine, library);
      }
      String jni = System.mapLibraryName("djl_torch");
      NativeLibraries.extract(NativeLibraries.resource("/jnilib/" + classifier + "/" + flavor + "/" + jni, "DJL's PyTorch JNI"), engine, djl + "-" + jni);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract libtorch to " + engine, e);
    }
    System.setProperty(CACHE_PROPERTY, root.toString());
  }
}
