package io.quiver.core.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Where runtimes put the native libraries they carry in their jars before loading them: a folder
 * that only the server's own user can write, with every library checked against the jar's bytes
 * by SHA-256. A library that another local user could plant, or that an earlier release left
 * behind, is never loaded.
 *
 * <p>The default folder is {@code $XDG_CACHE_HOME/quiver/natives} (or {@code ~/.cache/...}), so
 * libraries are extracted once per release rather than on every start; where no home folder can
 * be used, a fresh private temporary folder is made instead.
 */
public final class NativeLibraries {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
  private static final int GROUP_OR_OTHERS_WRITE = 0022;
  private static final int STICKY = 01000;

  private NativeLibraries() {}

  /**
   * This machine as a library jar names its folders: the jar's names for Linux, macOS and Windows,
   * and for x86-64 (64-bit ARM is {@code aarch64} in every jar Quiver uses), joined by {@code
   * separator}; e.g. {@code linux-x64}.
   */
  public static String platform(String linux, String mac, String windows, String x86, String separator) {
    String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
    boolean arm = arch.equals("aarch64") || arch.equals("arm64");
    return (os.contains("mac") ? mac : os.contains("win") ? windows : linux) + separator + (arm ? "aarch64" : x86);
  }

  /**
   * The folder for one runtime's libraries, made private if it is new.
   *
   * @param configured the folder the user named, if any (checked just the same)
   * @param name a name for the library set that changes with its release, e.g. {@code onnxruntime-1.28.0}
   * @throws IllegalStateException when the folder is not safe to load code from, saying why
   */
  public static Path folder(Optional<Path> configured, String name) {
    Path folder = configured.orElseGet(() -> defaultRoot().resolve(name)).toAbsolutePath();
    try {
      createPrivate(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the native library folder " + folder, e);
    }
    requireSafe(folder, currentUid());
    return folder;
  }

  /**
   * A native library the class path carries at an absolute resource path.
   *
   * @param library what the library is, for the message when there is none
   * @throws IllegalStateException when the class path has no such resource (no build for this platform)
   */
  public static URL resource(String path, String library) {
    URL resource = NativeLibraries.class.getResource(path);
    if (resource == null) {
      throw new IllegalStateException("%s has no native build for this platform: %s is not on the class path".formatted(library, path));
    }
    return resource;
  }

  /**
   * Puts a library from the class path into the folder, unless the file there already holds exactly
   * the same bytes, and returns its path.
   *
   * @throws IllegalStateException when what the folder holds afterwards is not the jar's library
   */
  public static Path extract(URL resource, Path folder, String fileName) throws IOException {
    Path target = folder.resolve(fileName);
    byte[] wanted = sha256(resource);
    if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(sha256(target), wanted)) {
      return target;
    }
    // Written beside the target, then renamed: a concurrent server never sees half a library.
    Path partial = Files.createTempFile(folder, fileName, ".part");
    try (InputStream in = resource.openStream()) {
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(partial);
    }
    if (!Arrays.equals(sha256(target), wanted)) {
      throw new IllegalStateException(
          "%s changed while it was being written; refusing to load it".formatted(target));
    }
    return target;
  }

  /**
   * Refuses a folder that is a link, is owned by another user, or that another user could change:
   * writable by group or others, itself or through a parent that is not sticky.
   */
  static void requireSafe(Path folder, long uid) {
    if (!POSIX) {
      return;
    }
    try {
      if (Files.isSymbolicLink(folder) || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalStateException(
            "the native library folder %s is not a plain folder; refusing to load code from it".formatted(folder));
      }
      long owner = ((Number) Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
      if (owner != uid) {
        throw new IllegalStateException(
            "the native library folder %s belongs to user %d, not to this server's user %d; refusing to load code from it"
                .formatted(folder, owner, uid));
      }
      for (Path path = folder; path != null; path = path.getParent()) {
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        boolean othersMayWrite = (mode & GROUP_OR_OTHERS_WRITE) != 0;
        if (othersMayWrite && (path.equals(folder) || (mode & STICKY) == 0)) {
          throw new IllegalStateException(
              "%s is writable by other users (mode %o); refusing to load native code from %s"
                  .formatted(path, mode & 07777, folder));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the native library folder " + folder, e);
    }
  }

  private static Path defaultRoot() {
    String cache = System.getenv("XDG_CACHE_HOME");
    String home = System.getProperty("user.home");
    Path root =
        cache != null && !cache.isBlank()
            ? Path.of(cache, "quiver", "natives")
            : home != null && !home.isBlank() && !home.equals("?") ? Path.of(home, ".cache", "quiver", "natives") : null;
    if (root != null) {
      try {
        createPrivate(root);
        requireSafe(root, currentUid());
        return root;
      } catch (IOException | RuntimeException e) {
        // no usable home: a private temporary folder below
      }
    }
    try {
      return POSIX
          ? Files.createTempDirectory("quiver-natives", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
          : Files.createTempDirectory("quiver-natives");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a private folder for native libraries", e);
    }
  }

  /** Creates the folder and its missing parents readable and writable by this user only. */
  private static void createPrivate(Path folder) throws IOException {
    if (Files.isDirectory(folder)) {
      return;
    }
    if (POSIX) {
      Files.createDirectories(
          folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(folder);
    }
  }

  /** The user this process runs as: the owner of a file it creates. */
  static long currentUid() {
    if (!POSIX) {
      return -1;
    }
    try {
      Path probe = Files.createTempFile("quiver-uid", "");
      try {
        return ((Number) Files.getAttribute(probe, "unix:uid")).longValue();
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot tell which user this server runs as", e);
    }
  }

  private static byte[] sha256(URL resource) throws IOException {
    try (InputStream in = resource.openStream()) {
      return digest(in);
    }
  }

  private static byte[] sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return digest(in);
    }
  }

  private static byte[] digest(InputStream in) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buffer = new byte[1 << 16];
    for (int read; (read = in.read(buffer)) > 0; ) {
      sha256.update(buffer, 0, read);
    }
    return sha256.digest();
  }
}
