package io.quiver.core.tensor;

import java.util.Locale;
import java.util.Optional;

/** The Open Inference Protocol's tensor element types, with their size in bytes. */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  BF16(2),
  FP32(4),
  FP64(8),
  /** Variable-length byte strings; each element is stored as a 4-byte little-endian length and its bytes. */
  BYTES(0);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element; 0 for {@link #BYTES}, whose elements vary in length. */
  public int byteSize() {
    return byteSize;
  }

  public boolean isNumeric() {
    return this != BOOL && this != BYTES;
  }

  public boolean isFloatingPoint() {
    return this == FP16 || this == BF16 || this == FP32 || this == FP64;
  }

  /** Parses a protocol datatype name, case-insensitively, as KServe and Triton accept it. */
  public static Optional<DataType> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
