package io.quiver.protocol.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.protobuf.ByteString;
import io.quiver.support.Expected;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The protocol's raw tensor layout, written out independently of the server's code. */
final class RawTensors {
  private RawTensors() {}

  static ByteString encode(String datatype, JsonNode values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (JsonNode v : values) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      switch (datatype) {
        case "BOOL" -> b.put((byte) (v.asBoolean() ? 1 : 0));
        case "INT8", "UINT8" -> b.put((byte) v.asInt());
        case "INT16" -> b.putShort((short) v.asInt());
        case "INT32" -> b.putInt(v.asInt());
        case "INT64" -> b.putLong(v.asLong());
        case "FP16" -> b.putShort(Float.floatToFloat16((float) v.asDouble()));
        case "FP32" -> b.putFloat((float) v.asDouble());
        case "FP64" -> b.putDouble(v.asDouble());
        case "BYTES" -> {
          byte[] text = v.asText().getBytes(StandardCharsets.UTF_8);
          out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(text.length).array());
          out.writeBytes(text);
          continue;
        }
        default -> throw new AssertionError(datatype);
      }
      out.write(b.array(), 0, b.position());
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  static JsonNode decode(String datatype, ByteString raw) {
    ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    ArrayNode values = Expected.JSON.createArrayNode();
    while (b.hasRemaining()) {
      switch (datatype) {
        case "BOOL" -> values.add(b.get() != 0);
        case "INT8" -> values.add(b.get());
        case "UINT8" -> values.add(b.get() & 0xFF);
        case "INT16" -> values.add(b.getShort());
        case "INT32" -> values.add(b.getInt());
        case "INT64" -> values.add(b.getLong());
        case "FP16" -> values.add((double) Float.float16ToFloat(b.getShort()));
        case "FP32" -> values.add((double) b.getFloat());
        case "FP64" -> values.add(b.getDouble());
        case "BYTES" -> {
          byte[] text = new byte[b.getInt()];
          b.get(text);
          values.add(new String(text, StandardCharsets.UTF_8));
        }
        default -> throw new AssertionError(datatype);
      }
    }
    return values;
  }
}
