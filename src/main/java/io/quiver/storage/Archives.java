package io.quiver.storage;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks {@code .tar}, {@code .tar.gz}/{@code .tgz} and {@code .zip} archives into a folder: regular
 * files and folders only (no links, devices or entries that would land outside it).
 */
final class Archives {
  private Archives() {}

  static boolean isArchive(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".tar.gz") || lower.endsWith(".tgz") || lower.endsWith(".tar") || lower.endsWith(".zip");
  }

  static void unpack(Path archive, String name, Path into) throws IOException {
    String lower = name.toLowerCase(Locale.ROOT);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
      if (lower.endsWith(".zip")) {
        unzip(in, into);
      } else {
        untar(lower.endsWith(".tar") ? in : new GZIPInputStream(in), into);
      }
    }
  }

  private static void untar(InputStream in, Path into) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        if (entry.isDirectory()) {
          Files.createDirectories(inside(into, entry.getName()));
        } else if (entry.isFile()) {
          write(tar, inside(into, entry.getName()));
        } else {
          throw new IOException("the archive holds %s, which is neither a file nor a folder".formatted(entry.getName()));
        }
      }
    }
  }

  private static void unzip(InputStream in, Path into) throws IOException {
    try (ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        if (entry.isDirectory()) {
          Files.createDirectories(inside(into, entry.getName()));
        } else {
          write(zip, inside(into, entry.getName()));
        }
      }
    }
  }

  private static void write(InputStream in, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.copy(in, file);
  }

  /** Where an entry goes; refused when its name would leave the folder. */
  static Path inside(Path folder, String name) throws IOException {
    Path target = folder.resolve(name).normalize();
    if (!target.startsWith(folder)) {
      throw new IOException("the entry %s would land outside the model folder".formatted(name));
    }
    return target;
  }
}
