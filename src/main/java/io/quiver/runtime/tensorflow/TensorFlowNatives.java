package io.quiver.runtime.tensorflow;

import io.quiver.core.spi.NativeLibraries;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Optional;
import org.tensorflow.TensorFlow;

/**
 * Prepares TensorFlow's native library, which JavaCPP unpacks from the {@code tensorflow-core-native}
 * jar on first use. It goes to a private folder, whose owner and permissions are checked as {@link
 * NativeLibraries} checks all of Quiver's, instead of JavaCPP's shared default ({@code
 * ~/.javacpp/cache}); JavaCPP itself compares the files with the jar's by size and date.
 */
final class TensorFlowNatives {
  private static final String CACHE_PROPERTY = "org.bytedeco.javacpp.cachedir";
  private static final String POM = "/META-INF/maven/org.tensorflow/tensorflow-core-native/pom.properties";
  private static final String LIBRARY = "/org/tensorflow/internal/c_api/linux-x86_64/libtensorflow_cc.so.2";

  private TensorFlowNatives() {}

  /**
   * Points JavaCPP at the private folder and loads TensorFlow.
   *
   * @return TensorFlow's version
   * @throws IllegalStateException when the build lacks the native library or the folder is unsafe
   */
  static synchronized String prepare(Optional<Path> configured) {
    if (TensorFlowNatives.class.getResource(LIBRARY) == null) {
      throw new IllegalStateException(
          "this build has no TensorFlow native library: build Quiver with the tensorflow profile (./mvnw package -Ptensorflow) to serve SavedModels");
    }
    if (System.getProperty(CACHE_PROPERTY) == null) {
      System.setProperty(CACHE_PROPERTY, NativeLibraries.folder(configured, "tensorflow-" + release()).toString());
    }
    return TensorFlow.version();
  }

  /** The native jar's release, so that each release unpacks into a folder of its own. */
  private static String release() {
    Properties properties = new Properties();
    try (InputStream in = TensorFlowNatives.class.getResourceAsStream(POM)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version", "unknown");
  }
}
