package io.quiver.runtime.tensorflow;

import io.quiver.core.tensor.DataType;
import java.util.Map;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/** TensorFlow's datatypes that TensorFlow for Java can pass, and their protocol names. */
final class TensorFlowTypes {
  private static final Map<org.tensorflow.proto.DataType, DataType> PROTOCOL =
      Map.of(
          org.tensorflow.proto.DataType.DT_FLOAT, DataType.FP32,
          org.tensorflow.proto.DataType.DT_DOUBLE, DataType.FP64,
          org.tensorflow.proto.DataType.DT_HALF, DataType.FP16,
          org.tensorflow.proto.DataType.DT_BFLOAT16, DataType.BF16,
          org.tensorflow.proto.DataType.DT_INT32, DataType.INT32,
          org.tensorflow.proto.DataType.DT_INT64, DataType.INT64,
          org.tensorflow.proto.DataType.DT_UINT8, DataType.UINT8,
          org.tensorflow.proto.DataType.DT_UINT16, DataType.UINT16,
          org.tensorflow.proto.DataType.DT_BOOL, DataType.BOOL,
          org.tensorflow.proto.DataType.DT_STRING, DataType.BYTES);

  private static final Map<DataType, Class<? extends TType>> JAVA =
      Map.of(
          DataType.FP32, TFloat32.class,
          DataType.FP64, TFloat64.class,
          DataType.FP16, TFloat16.class,
          DataType.BF16, TBfloat16.class,
          DataType.INT32, TInt32.class,
          DataType.INT64, TInt64.class,
          DataType.UINT8, TUint8.class,
          DataType.UINT16, TUint16.class,
          DataType.BOOL, TBool.class,
          DataType.BYTES, TString.class);

  private TensorFlowTypes() {}

  /** The protocol's datatype for a TensorFlow one, or null when TensorFlow for Java cannot pass it. */
  static DataType protocol(org.tensorflow.proto.DataType type) {
    return PROTOCOL.get(type);
  }

  static Class<? extends TType> java(DataType type) {
    return JAVA.get(type);
  }
}
