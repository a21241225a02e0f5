package io.quiver.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Static API keys from a file: one a line, the key's SHA-256 as hex, then its scopes, separated by
 * spaces ({@code #} starts a comment). Only digests are kept; a presented key is hashed and
 * compared with every entry in constant time, so neither the file nor the timing gives a key away.
 */
final class ApiKeys {
  private record Entry(byte[] digest, String name, Set<String> scopes) {}

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = entries;
  }

  static ApiKeys none() {
    return new ApiKeys(List.of());
  }

  /**
   * Reads the file.
   *
   * @throws IllegalArgumentException naming the line that is not a digest and scopes
   */
  static ApiKeys read(Path file) throws IOException {
    List<Entry> entries = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (!fields[0].matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException("%s line %d: expected a SHA-256 hex digest, then scopes".formatted(file, i + 1));
      }
      String hex = fields[0].toLowerCase(java.util.Locale.ROOT);
      Set<String> scopes = Set.of(java.util.Arrays.copyOfRange(fields, 1, fields.length));
      // named by the digest's first characters, which say nothing about the key
      entries.add(new Entry(HexFormat.of().parseHex(hex), "api-key:" + hex.substring(0, 8), scopes));
    }
    return new ApiKeys(entries);
  }

  /** The caller a presented key stands for, or null when it is no key of the file. */
  Caller find(String key) {
    byte[] digest = sha256(key);
    Caller found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), digest) && found == null) {
        found = new Caller(entry.name(), entry.scopes());
      }
    }
    return found;
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
