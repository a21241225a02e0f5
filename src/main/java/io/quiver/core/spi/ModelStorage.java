package io.quiver.core.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns where a model lives into a local folder: a local path or {@code file://} as it is, a
 * remote store ({@code http(s)://}, {@code gs://}, {@code hf://}, ...) downloaded once into a cache.
 * The registry loads from the folder and never knows where it came from.
 */
public interface ModelStorage {

  /**
   * The local folder holding what {@code uri} names.
   *
   * @throws IOException or IllegalArgumentException with the reason, when it cannot be had
   */
  Path materialise(String uri) throws IOException;
}
