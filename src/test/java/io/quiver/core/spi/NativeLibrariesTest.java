package io.quiver.core.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Native libraries are loaded only from a private folder, and only as the jar holds them. */
class NativeLibrariesTest {
  private static final URL LIBRARY =
      NativeLibrariesTest.class.getResource("/ai/onnxruntime/native/linux-x64/" + System.mapLibraryName("onnxruntime"));

  private static byte[] jarBytes() throws Exception {
    try (InputStream in = LIBRARY.openStream()) {
      return in.readAllBytes();
    }
  }

  @Test
  void aPlantedLibraryOfTheRightSizeIsReplaced(@TempDir Path temp) throws Exception {
    Path folder = NativeLibraries.folder(Optional.of(temp.resolve("natives")), "unused");
    byte[] real = jarBytes();
    Path planted = folder.resolve(System.mapLibraryName("onnxruntime"));
    Files.write(planted, new byte[real.length]);

    Path extracted = NativeLibraries.extract(LIBRARY, folder, System.mapLibraryName("onnxruntime"));

    assertEquals(planted, extracted);
    assertArrayEquals(real, Files.readAllBytes(extracted));
  }

  @Test
  void newFoldersArePrivate(@TempDir Path temp) throws Exception {
    Path folder = NativeLibraries.folder(Optional.of(temp.resolve("a/b")), "unused");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
  }

  @Test
  void aFolderOthersCanWriteIsRefused(@TempDir Path temp) throws Exception {
    Path shared = Files.createDirectory(temp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> NativeLibraries.folder(Optional.of(shared), "unused"));
    assertTrue(error.getMessage().contains("writable by other users"), error.getMessage());
  }

  @Test
  void aFolderBelowAParentOthersCanWriteIsRefused(@TempDir Path temp) throws Exception {
    Path parent = Files.createDirectory(temp.resolve("open"));
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
    IllegalStateException error =
        assertThrows(
            IllegalStateException.class, () -> NativeLibraries.folder(Optional.of(parent.resolve("natives")), "unused"));
    assertTrue(error.getMessage().contains(parent + " is writable by other users"), error.getMessage());
  }

  @Test
  void aFolderOfAnotherUserIsRefused(@TempDir Path temp) throws Exception {
    Path folder = NativeLibraries.folder(Optional.of(temp.resolve("mine")), "unused");
    long me = NativeLibraries.currentUid();
    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> NativeLibraries.requireSafe(folder, me + 1));
    assertTrue(error.getMessage().contains("belongs to user " + me), error.getMessage());
  }

  @Test
  void aLinkIsRefused(@TempDir Path temp) throws Exception {
    Path real = NativeLibraries.folder(Optional.of(temp.resolve("real")), "unused");
    Path link = Files.createSymbolicLink(temp.resolve("link"), real);
    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> NativeLibraries.folder(Optional.of(link), "unused"));
    assertTrue(error.getMessage().contains("not a plain folder"), error.getMessage());
  }
}
