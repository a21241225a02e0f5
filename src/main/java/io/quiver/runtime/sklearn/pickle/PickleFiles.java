package io.quiver.runtime.sklearn.pickle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import net.razorvine.pickle.PickleException;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Opens a pickle or joblib file, compressed or not: joblib's zlib, gzip, bz2, xz, lzma and lz4
 * compressors are recognised by their first bytes, as joblib itself recognises them.
 */
public final class PickleFiles {
  private PickleFiles() {}

  /**
   * Reads the object a file holds.
   *
   * @throws IOException for unreadable or corrupt files
   * @throws UnsafePickleException when the pickle refers to a class outside the allow-list
   */
  public static Object read(Path file) throws IOException {
    try (InputStream in = decompressed(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      return new SafeUnpickler().load(in);
    } catch (PickleException e) {
      // razorvine wraps what an object's __setstate__ refused in a message of its own
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof IllegalArgumentException refused) {
          throw new IllegalArgumentException(refused.getMessage(), e);
        }
      }
      throw e;
    }
  }

  private static InputStream decompressed(BufferedInputStream in) throws IOException {
    in.mark(8);
    byte[] head = in.readNBytes(6);
    in.reset();
    if (head.length < 2) {
      throw new IOException("the file is empty");
    }
    int first = head[0] & 0xFF;
    int second = head[1] & 0xFF;
    if (first == 0x78 && (first * 256 + second) % 31 == 0) {
      return new InflaterInputStream(in);
    }
    if (first == 0x1F && second == 0x8B) {
      return new GZIPInputStream(in);
    }
    if (startsWith(head, 'B', 'Z', 'h')) {
      return new BZip2CompressorInputStream(in);
    }
    if (startsWith(head, 0xFD, '7', 'z', 'X', 'Z', 0x00)) {
      return new XZInputStream(in);
    }
    if (startsWith(head, 0x5D, 0x00, 0x00)) {
      return new LZMAInputStream(in);
    }
    if (startsWith(head, 0x04, 0x22, 0x4D, 0x18)) {
      return new FramedLZ4CompressorInputStream(in);
    }
    return in;
  }

  private static boolean startsWith(byte[] head, int... magic) {
    if (head.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((head[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
