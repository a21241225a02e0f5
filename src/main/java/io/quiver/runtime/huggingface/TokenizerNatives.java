package io.quiver.runtime.huggingface;

import io.quiver.core.spi.NativeLibraries;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * Puts the Hugging Face tokenizers library (Rust) in a private folder, checked against the jar's
 * bytes, and points DJL's binding at it. Left to itself DJL extracts it into {@code ~/.djl.ai},
 * accepting whatever a file of the right name there holds.
 */
final class TokenizerNatives {
  /** DJL's setting for the library file to load, read before any extraction. */
  private static final String PATH_PROPERTY = "RUST_LIBRARY_PATH";

  private TokenizerNatives() {}

  static synchronized void prepare(Optional<Path> configured) {
    System.setProperty("ai.djl.offline", "true");
    if (System.getProperty(PATH_PROPERTY) != null) {
      return;
    }
    String library = System.mapLibraryName("tokenizers");
    String platform = NativeLibraries.platform("linux", "osx", "win", "x86_64", "-");
    URL url = NativeLibraries.resource("/native/lib/" + platform + "/cpu/" + library, "the tokenizers library");
    Path folder = NativeLibraries.folder(configured, "tokenizers-" + release());
    try {
      System.setProperty(PATH_PROPERTY, NativeLibraries.extract(url, folder, library).toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract the tokenizers library to " + folder, e);
    }
  }

  /** The library's release, as the jar records it (e.g. 0.21.0-0.36.0). */
  private static String release() {
    Properties properties = new Properties();
    try (InputStream in = TokenizerNatives.class.getResourceAsStream("/native/lib/tokenizers.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the tokenizers library's version", e);
    }
    return properties.getProperty("version", "unknown");
  }
}
