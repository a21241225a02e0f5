package io.quiver.storage;

import io.quiver.core.spi.ModelStorage;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * KServe's storage initializer, built in: remote models are downloaded once into a cache folder,
 * into a fresh folder first and renamed into place when complete, so a partial download never
 * becomes a model; later loads of the same URI use the cached copy. Local paths, {@code file://}
 * and {@code pvc://} (a claim mounted under {@code quiver.storage.pvc-root}) are used in place.
 */
@ApplicationScoped
public class ModelCache implements ModelStorage {
  private static final Logger LOG = Logger.getLogger(ModelCache.class);

  private final Optional<Path> configuredRoot;
  private final Path pvcRoot;
  private final Map<String, RemoteStore> stores;
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  ModelCache(StorageConfig config) {
    this.configuredRoot = config.cacheDir();
    this.pvcRoot = config.pvcRoot();
    this.stores = RemoteStore.of(config, System.getenv());
  }

  @Override
  public Path materialise(String text) throws IOException {
    StorageUri uri = StorageUri.parse(text.trim());
    switch (uri.scheme()) {
      case "" -> {
        return Path.of(uri.path());
      }
      case "file" -> {
        return Path.of(uri.uri());
      }
      case "pvc" -> {
        return pvcRoot.resolve(uri.authority()).resolve(uri.path());
      }
      default -> {
        RemoteStore store = stores.get(uri.scheme());
        if (store == null) {
          throw new IllegalArgumentException(
              "storage URI %s: scheme %s:// is not supported (local paths, file://, pvc://, http://, https://, s3://, gs://, hf://)"
                  .formatted(text, uri.scheme()));
        }
        return cached(uri, store);
      }
    }
  }

  private Path cached(StorageUri uri, RemoteStore store) throws IOException {
    Path root = configuredRoot.orElseGet(ModelCache::defaultRoot);
    Files.createDirectories(root);
    String key = sha256(uri.text());
    Path target = root.resolve(key);
    synchronized (locks.computeIfAbsent(key, k -> new Object())) {
      if (Files.isDirectory(target)) {
        return target;
      }
      Path partial = Files.createTempDirectory(root, ".partial-" + key.substring(0, 8));
      try {
        long started = System.nanoTime();
        store.download(uri, partial);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.infof("Downloaded %s in %d ms", uri.text(), (System.nanoTime() - started) / 1_000_000);
        return target;
      } catch (IOException | RuntimeException e) {
        deleteTree(partial);
        throw new IOException("cannot download %s: %s".formatted(uri.text(), e.getMessage()), e);
      }
    }
  }

  /** {@code $XDG_CACHE_HOME/quiver/models}, or {@code ~/.cache/quiver/models}. */
  private static Path defaultRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return cache.resolve("quiver").resolve("models");
  }

  private static void deleteTree(Path folder) {
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      LOG.warnf("Cannot delete the partial download %s: %s", folder, e.getMessage());
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
