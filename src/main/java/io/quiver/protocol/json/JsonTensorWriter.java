package io.quiver.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.quiver.core.tensor.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Writes tensor elements as JSON values, flat or nested by shape. Floats are written as the double
 * they widen to, as KServe's Python servers print them, so responses match KServe's digit for digit.
 * NaN and the infinities, which JSON cannot hold, are written as {@code null}: what KServe's
 * servers answer (FastAPI's ORJSONResponse; orjson writes non-finite floats as null).
 */
public final class JsonTensorWriter {
  private static final Base64.Encoder BASE64 = Base64.getEncoder();
  private JsonTensorWriter() {}

  /** Writes all elements as one flat array. */
  public static void writeFlat(JsonGenerator json, Tensor tensor) throws IOException {
    json.writeStartArray();
    writeElements(json, tensor, 0, Math.toIntExact(tensor.elementCount()), false);
    json.writeEndArray();
  }

  /**
   * Writes elements {@code [from, from + count)} nested by {@code shape[axis..]}: one array per
   * dimension, as numpy's {@code tolist()} would.
   */
  public static void writeNested(JsonGenerator json, Tensor tensor, int axis, int from)
      throws IOException {
    writeNested(json, tensor, axis, from, false);
  }

  /**
   * {@link #writeNested(JsonGenerator, Tensor, int, int)}, with BYTES elements as {@code {"b64":
   * "..."}} objects when {@code base64} is set (TensorFlow Serving's binary values).
   */
  public static void writeNested(JsonGenerator json, Tensor tensor, int axis, int from, boolean base64)
      throws IOException {
    if (axis == tensor.rank()) {
      writeElements(json, tensor, from, 1, base64);
      return;
    }
    int stride = 1;
    for (int i = axis + 1; i < tensor.rank(); i++) {
      stride = Math.multiplyExact(stride, Math.toIntExact(tensor.dim(i)));
    }
    json.writeStartArray();
    if (axis == tensor.rank() - 1) {
      writeElements(json, tensor, from, Math.toIntExact(tensor.dim(axis)), base64);
    } else {
      for (int i = 0; i < tensor.dim(axis); i++) {
        writeNested(json, tensor, axis + 1, from + i * stride, base64);
      }
    }
    json.writeEndArray();
  }

  private static void writeElements(JsonGenerator json, Tensor tensor, int from, int count, boolean base64)
      throws IOException {
    ByteBuffer data = tensor.data();
    int end = from + count;
    switch (tensor.datatype()) {
      case BOOL -> {
        for (int i = from; i < end; i++) {
          json.writeBoolean(data.get(i) != 0);
        }
      }
      case UINT8 -> {
        for (int i = from; i < end; i++) {
          json.writeNumber(data.get(i) & 0xFF);
        }
      }
      case INT8 -> {
        for (int i = from; i < end; i++) {
          json.writeNumber(data.get(i));
        }
      }
      case UINT16 -> {
        for (int i = from; i < end; i++) {
          json.writeNumber(data.getShort(i * 2) & 0xFFFF);
        }
      }
      case INT16 -> {
        for (int i = from; i < end; i++) {
          json.writeNumber(data.getShort(i * 2));
        }
      }
      case UINT32 -> {
        for (int i = from; i < end; i++) {
          json.writeNumber(Integer.toUnsignedLong(data.getInt(i * 4)));
        }
      }
      case INT32 -> {
        for (int i = from; i < end; i++) {
          json.writeNumber(data.getInt(i * 4));
        }
      }
      case UINT64 -> {
        for (int i = from; i < end; i++) {
          long bits = data.getLong(i * 8);
          if (bits >= 0) {
            json.writeNumber(bits);
          } else {
            json.writeNumber(new BigInteger(Long.toUnsignedString(bits)));
          }
        }
      }
      case INT64 -> {
        for (int i = from; i < end; i++) {
          json.writeNumber(data.getLong(i * 8));
        }
      }
      case FP16 -> {
        for (int i = from; i < end; i++) {
          writeFloat(json, Float.float16ToFloat(data.getShort(i * 2)));
        }
      }
      case BF16 -> {
        for (int i = from; i < end; i++) {
          writeFloat(json, Float.intBitsToFloat(data.getShort(i * 2) << 16));
        }
      }
      case FP32 -> {
        for (int i = from; i < end; i++) {
          writeFloat(json, data.getFloat(i * 4));
        }
      }
      case FP64 -> {
        for (int i = from; i < end; i++) {
          writeFloat(json, data.getDouble(i * 8));
        }
      }
      case BYTES -> {
        for (int i = from; i < end; i++) {
          if (base64) {
            json.writeStartObject();
            json.writeStringField("b64", BASE64.encodeToString(tensor.copyBytesAt(i)));
            json.writeEndObject();
          } else {
            json.writeString(StandardCharsets.UTF_8.decode(tensor.bytesAt(i)).toString());
          }
        }
      }
    }
  }

  /** A floating-point value; null for NaN and the infinities. */
  public static void writeFloat(JsonGenerator json, double value) throws IOException {
    if (Double.isFinite(value)) {
      json.writeNumber(value);
    } else {
      json.writeNull();
    }
  }
}
