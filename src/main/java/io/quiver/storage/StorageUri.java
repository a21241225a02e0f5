package io.quiver.storage;

import java.net.URI;
import java.util.Locale;

/**
 * A model location as KServe's storage initializer takes it: a local path, or {@code
 * scheme://authority/path} with scheme {@code file}, {@code pvc}, {@code http}, {@code https},
 * {@code gs} or {@code hf} ({@code hf://org/repo[:revision]}).
 */
record StorageUri(String text, String scheme, String authority, String path) {

  static StorageUri parse(String text) {
    int separator = text.indexOf("://");
    if (separator < 0) {
      return new StorageUri(text, "", "", text);
    }
    String scheme = text.substring(0, separator).toLowerCase(Locale.ROOT);
    String rest = text.substring(separator + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    if (authority.isEmpty() && !scheme.equals("file")) {
      throw new IllegalArgumentException("storage URI %s names no bucket, host or repository".formatted(text));
    }
    return new StorageUri(text, scheme, authority, path);
  }

  URI uri() {
    return URI.create(text);
  }
}
