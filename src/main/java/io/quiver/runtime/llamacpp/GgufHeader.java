package io.quiver.runtime.llamacpp;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What Quiver checks in a GGUF file's metadata before llama.cpp reads it: the architecture, the
 * context length it was trained for, and whether a SentencePiece vocabulary has its 256 byte
 * tokens. Without them llama.cpp (b4916) aborts the whole process on the first text with a
 * character outside the vocabulary, so such a file is refused.
 */
record GgufHeader(String architecture, long contextLength, String tokenizer, boolean byteTokens) {
  private static final int MAGIC = 0x46554747; // "GGUF", little-endian
  private static final long MAX_STRING = 1 << 24;
  private static final long MAX_ARRAY = 1 << 26;

  /**
   * Reads the metadata.
   *
   * @throws IllegalArgumentException naming what is wrong when the file is no GGUF or is malformed
   */
  static GgufHeader read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      Reader reader = new Reader(new DataInputStream(in));
      if (reader.u32() != MAGIC) {
        throw new IllegalArgumentException(file.getFileName() + " is not a GGUF file");
      }
      long version = reader.u32();
      if (version < 2 || version > 3) {
        throw new IllegalArgumentException("GGUF version %d is not supported (2 or 3)".formatted(version));
      }
      reader.u64(); // tensor count
      long entries = reader.u64();
      Map<String, Object> values = new HashMap<>();
      Set<String> tokens = new HashSet<>();
      for (long i = 0; i < entries; i++) {
        String key = reader.string();
        int type = (int) reader.u32();
        if (key.equals("tokenizer.ggml.tokens") && type == 9) {
          reader.strings(tokens);
        } else {
          values.put(key, reader.value(type));
        }
      }
      String architecture = String.valueOf(values.getOrDefault("general.architecture", ""));
      Object context = values.get(architecture + ".context_length");
      boolean bytes = true;
      for (int b = 0; b < 256 && bytes; b++) {
        bytes = tokens.contains("<0x%02X>".formatted(b));
      }
      return new GgufHeader(
          architecture, context instanceof Number n ? n.longValue() : 0, String.valueOf(values.getOrDefault("tokenizer.ggml.model", "")), bytes);
    } catch (EOFException e) {
      throw new IllegalArgumentException(file.getFileName() + " ends inside its GGUF metadata");
    }
  }

  /** Whether any text can be tokenized: byte-level BPE always; SentencePiece only with byte tokens. */
  boolean tokenizesAnyText() {
    return !tokenizer.equals("llama") || byteTokens;
  }

  /** Little-endian GGUF values, with bounds on every length. */
  private record Reader(DataInputStream in) {
    long u32() throws IOException {
      return Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
    }

    long u64() throws IOException {
      return Long.reverseBytes(in.readLong());
    }

    String string() throws IOException {
      long length = u64();
      if (length < 0 || length > MAX_STRING) {
        throw new IllegalArgumentException("a GGUF string of %d bytes".formatted(length));
      }
      return new String(in.readNBytes((int) length), StandardCharsets.UTF_8);
    }

    void strings(Set<String> into) throws IOException {
      int type = (int) u32();
      long count = count();
      for (long i = 0; i < count; i++) {
        Object value = value(type);
        if (value instanceof String text) {
          into.add(text);
        }
      }
    }

    long count() throws IOException {
      long count = u64();
      if (count < 0 || count > MAX_ARRAY) {
        throw new IllegalArgumentException("a GGUF array of %d elements".formatted(count));
      }
      return count;
    }

    Object value(int type) throws IOException {
      return switch (type) {
        case 0, 1, 7 -> (long) in.readByte();
        case 2, 3 -> (long) Short.reverseBytes(in.readShort());
        case 4 -> u32();
        case 5 -> (long) Integer.reverseBytes(in.readInt());
        case 6 -> Float.intBitsToFloat(Integer.reverseBytes(in.readInt()));
        case 8 -> string();
        case 9 -> {
          int elementType = (int) u32();
          long count = count();
          for (long i = 0; i < count; i++) {
            value(elementType);
          }
          yield "";
        }
        case 10, 11 -> u64();
        case 12 -> Double.longBitsToDouble(Long.reverseBytes(in.readLong()));
        default -> throw new IllegalArgumentException("unknown GGUF value type " + type);
      };
    }
  }
}
