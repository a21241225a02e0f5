package io.quiver.runtime.torchscript;

import io.quiver.core.tensor.DataType;

/** Datatypes as the protocols and DJL name them. */
final class TorchTypes {
  private TorchTypes() {}

  static DataType quiver(ai.djl.ndarray.types.DataType type) {
    return switch (type) {
      case BOOLEAN -> DataType.BOOL;
      case UINT8 -> DataType.UINT8;
      case INT8 -> DataType.INT8;
      case INT16 -> DataType.INT16;
      case INT32 -> DataType.INT32;
      case INT64 -> DataType.INT64;
      case FLOAT16 -> DataType.FP16;
      case BFLOAT16 -> DataType.BF16;
      case FLOAT32 -> DataType.FP32;
      case FLOAT64 -> DataType.FP64;
      default -> throw new IllegalArgumentException("libtorch returned a " + type + " tensor, which the protocols cannot carry");
    };
  }

  static ai.djl.ndarray.types.DataType djl(DataType type) {
    return switch (type) {
      case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
      case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
      case INT8 -> ai.djl.ndarray.types.DataType.INT8;
      case INT16 -> ai.djl.ndarray.types.DataType.INT16;
      case INT32 -> ai.djl.ndarray.types.DataType.INT32;
      case INT64 -> ai.djl.ndarray.types.DataType.INT64;
      case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
      case BF16 -> ai.djl.ndarray.types.DataType.BFLOAT16;
      case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
      case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
      default -> throw new IllegalArgumentException(type + " tensors cannot go to libtorch");
    };
  }
}
