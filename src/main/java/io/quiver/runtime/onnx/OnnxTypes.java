package io.quiver.runtime.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import io.quiver.core.tensor.DataType;

/** ONNX element types against the protocol's datatypes, for those ONNX Runtime's Java API can pass. */
final class OnnxTypes {
  private OnnxTypes() {}

  /**
   * The protocol datatype of an ONNX element type.
   *
   * @throws IllegalArgumentException for types the Java API cannot pass (unsigned 16/32/64-bit,
   *     complex, 4- and 8-bit floats)
   */
  static DataType datatype(OnnxTensorType type, String tensor) {
    return switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
      default ->
          throw new IllegalArgumentException(
              "tensor '%s' has element type %s, which ONNX Runtime's Java API cannot pass"
                  .formatted(tensor, type));
    };
  }

  /** The Java API's type for a protocol datatype that {@link #datatype} produced. */
  static OnnxJavaType javaType(DataType datatype) {
    return switch (datatype) {
      case BOOL -> OnnxJavaType.BOOL;
      case UINT8 -> OnnxJavaType.UINT8;
      case INT8 -> OnnxJavaType.INT8;
      case INT16 -> OnnxJavaType.INT16;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      case FP16 -> OnnxJavaType.FLOAT16;
      case BF16 -> OnnxJavaType.BFLOAT16;
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case BYTES -> OnnxJavaType.STRING;
      case UINT16, UINT32, UINT64 ->
          throw new IllegalArgumentException(datatype + " has no ONNX Runtime Java type");
    };
  }
}
