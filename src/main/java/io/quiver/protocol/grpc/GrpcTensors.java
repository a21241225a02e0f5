package io.quiver.protocol.grpc;

import com.google.protobuf.ByteString;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Shapes;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.protocol.grpc.api.InferTensorContents;
import java.nio.ByteBuffer;

/**
 * Tensors to and from gRPC: {@code raw_*_contents} bytes are wrapped as they are (already
 * little-endian, row-major), typed {@code contents} are read and written element by element without
 * boxing.
 */
final class GrpcTensors {
  private GrpcTensors() {}

  static DataType datatype(String name, String text) {
    return DataType.parse(text)
        .orElseThrow(
            () -> new InvalidInput("Input '%s' has an unknown datatype '%s'.".formatted(name, text)));
  }

  /** Wraps raw bytes without copying. */
  static Tensor fromRaw(String name, DataType datatype, long[] shape, ByteString raw) {
    try {
      return Tensor.of(name, datatype, shape, raw.asReadOnlyByteBuffer());
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("Input '%s': %s.".formatted(name, e.getMessage()));
    }
  }

  /** Reads the typed contents field that belongs to the datatype. */
  static Tensor fromContents(String name, DataType datatype, long[] shape, InferTensorContents contents) {
    int count = countFor(datatype, contents, name);
    TensorBuilder builder = new TensorBuilder(datatype, count);
    try {
      switch (datatype) {
        case BOOL -> {
          for (int i = 0; i < count; i++) {
            builder.addBoolean(contents.getBoolContents(i));
          }
        }
        case INT8, INT16, INT32 -> {
          for (int i = 0; i < count; i++) {
            builder.addLong(contents.getIntContents(i));
          }
        }
        case INT64 -> {
          for (int i = 0; i < count; i++) {
            builder.addLong(contents.getInt64Contents(i));
          }
        }
        case UINT8, UINT16, UINT32 -> {
          for (int i = 0; i < count; i++) {
            builder.addLong(Integer.toUnsignedLong(contents.getUintContents(i)));
          }
        }
        case UINT64 -> {
          for (int i = 0; i < count; i++) {
            builder.addUnsignedBits(contents.getUint64Contents(i));
          }
        }
        case FP32 -> {
          for (int i = 0; i < count; i++) {
            builder.addDouble(contents.getFp32Contents(i));
          }
        }
        case FP64 -> {
          for (int i = 0; i < count; i++) {
            builder.addDouble(contents.getFp64Contents(i));
          }
        }
        case BYTES -> {
          for (int i = 0; i < count; i++) {
            builder.addBytes(contents.getBytesContents(i).toByteArray());
          }
        }
        case FP16, BF16 -> throw new IllegalStateException("checked by countFor");
      }
      return builder.build(name, shape);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(
          "Input '%s': %s (shape %s)."
              .formatted(name, e.getMessage(), Shapes.format(shape)));
    }
  }

  private static int countFor(DataType datatype, InferTensorContents contents, String name) {
    return switch (datatype) {
      case BOOL -> contents.getBoolContentsCount();
      case INT8, INT16, INT32 -> contents.getIntContentsCount();
      case INT64 -> contents.getInt64ContentsCount();
      case UINT8, UINT16, UINT32 -> contents.getUintContentsCount();
      case UINT64 -> contents.getUint64ContentsCount();
      case FP32 -> contents.getFp32ContentsCount();
      case FP64 -> contents.getFp64ContentsCount();
      case BYTES -> contents.getBytesContentsCount();
      case FP16, BF16 ->
          throw new InvalidInput(
              "Input '%s' is %s, which typed contents cannot carry: send it in raw_input_contents."
                  .formatted(name, datatype));
    };
  }

  /** Whether a datatype can only travel as raw bytes. */
  static boolean needsRaw(DataType datatype) {
    return datatype == DataType.FP16 || datatype == DataType.BF16;
  }

  static ByteString toRaw(Tensor tensor) {
    return ByteString.copyFrom(tensor.data());
  }

  static InferTensorContents toContents(Tensor tensor) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    int count = Math.toIntExact(tensor.elementCount());
    ByteBuffer data = tensor.data();
    switch (tensor.datatype()) {
      case BOOL -> {
        for (int i = 0; i < count; i++) {
          contents.addBoolContents(data.get(i) != 0);
        }
      }
      case INT8, INT16, INT32 -> {
        for (int i = 0; i < count; i++) {
          contents.addIntContents((int) tensor.getLong(i));
        }
      }
      case INT64 -> {
        for (int i = 0; i < count; i++) {
          contents.addInt64Contents(data.getLong(i * 8));
        }
      }
      case UINT8, UINT16, UINT32 -> {
        for (int i = 0; i < count; i++) {
          contents.addUintContents((int) tensor.getLong(i));
        }
      }
      case UINT64 -> {
        for (int i = 0; i < count; i++) {
          contents.addUint64Contents(data.getLong(i * 8));
        }
      }
      case FP32 -> {
        for (int i = 0; i < count; i++) {
          contents.addFp32Contents(data.getFloat(i * 4));
        }
      }
      case FP64 -> {
        for (int i = 0; i < count; i++) {
          contents.addFp64Contents(data.getDouble(i * 8));
        }
      }
      case BYTES -> {
        for (int i = 0; i < count; i++) {
          contents.addBytesContents(ByteString.copyFrom(tensor.bytesAt(i)));
        }
      }
      case FP16, BF16 -> throw new IllegalStateException(tensor.datatype() + " travels raw");
    }
    return contents.build();
  }
}
