package io.quiver.protocol.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class JsonTensorReaderTest {
  private static final JsonFactory JSON = new JsonFactory();

  @Test
  void flatAndNestedDataGiveTheSameTensor() throws IOException {
    Tensor flat = read("[1,2,3,4,5,6]", DataType.INT64, 2, 3);
    Tensor nested = read("[[1,2,3],[4,5,6]]", DataType.INT64, 2, 3);
    assertEquals(flat.data(), nested.data());
    assertEquals(6, nested.getLong(5));
  }

  @Test
  void rowsReportTheirShape() throws IOException {
    TensorBuilder builder = new TensorBuilder(DataType.FP32, 8);
    assertArrayEquals(new long[] {2, 2}, readRow("[[1,2],[3,4]]", builder));
    assertArrayEquals(new long[] {}, readRow("7", builder));
    assertArrayEquals(new long[] {0}, readRow("[]", builder));
    assertEquals(5, builder.count());
  }

  @Test
  void raggedRowsAreRejected() {
    for (String ragged : new String[] {"[[1,2],[3]]", "[[1,2],3]", "[1,[2,3]]", "[[[1]],[2]]"}) {
      InvalidInput error = assertThrows(InvalidInput.class, () -> readRow(ragged, new TensorBuilder(DataType.FP32, 4)));
      assertTrue(error.getMessage().contains("same shape"), ragged + ": " + error.getMessage());
    }
  }

  @Test
  void valuesMustSuitTheDatatype() {
    assertMessage("[true]", DataType.FP32, "FP32 cannot hold a boolean");
    assertMessage("[null]", DataType.INT32, "INT32 data cannot hold null");
    assertMessage("[{\"a\":1}]", DataType.INT32, "INT32 data cannot hold an object");
    assertMessage("[\"yes\"]", DataType.BOOL, "BOOL data must be true or false, got the string \"yes\"");
    assertMessage("[1e400]", DataType.INT64, "INT64 cannot hold Infinity");
  }

  @Test
  void bareNonFiniteLiteralsAndNullAreIeeeValues() throws IOException {
    JsonFactory python = JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
    try (JsonParser parser = python.createParser("[NaN, Infinity, -Infinity, null]")) {
      parser.nextToken();
      TensorBuilder builder = new TensorBuilder(DataType.FP32, 4);
      JsonTensorReader.readData(parser, builder, "t");
      Tensor tensor = builder.build("t", new long[] {4});
      assertTrue(Double.isNaN(tensor.getDouble(0)));
      assertEquals(Double.POSITIVE_INFINITY, tensor.getDouble(1));
      assertEquals(Double.NEGATIVE_INFINITY, tensor.getDouble(2));
      assertTrue(Double.isNaN(tensor.getDouble(3)));
    }
  }

  @Test
  void nonFiniteFloatsTravelAsStrings() throws IOException {
    Tensor tensor = read("[\"NaN\",\"Infinity\",\"-Infinity\"]", DataType.FP64, 3);
    assertTrue(Double.isNaN(tensor.getDouble(0)));
    assertEquals(Double.POSITIVE_INFINITY, tensor.getDouble(1));
    assertEquals(Double.NEGATIVE_INFINITY, tensor.getDouble(2));
  }

  @Test
  void largeIntegersKeepEveryDigit() throws IOException {
    Tensor tensor = read("[9007199254740993, 18446744073709551615]", DataType.UINT64, 2);
    assertEquals(9007199254740993L, tensor.getLong(0));
    assertEquals("18446744073709551615", Long.toUnsignedString(tensor.getLong(1)));
  }

  private static Tensor read(String json, DataType type, long... shape) throws IOException {
    try (JsonParser parser = JSON.createParser(json)) {
      parser.nextToken();
      TensorBuilder builder = new TensorBuilder(type, 4);
      JsonTensorReader.readData(parser, builder, "t");
      return builder.build("t", shape);
    }
  }

  private static long[] readRow(String json, TensorBuilder builder) throws IOException {
    try (JsonParser parser = JSON.createParser(json)) {
      parser.nextToken();
      return JsonTensorReader.readRow(parser, builder, "t");
    }
  }

  private static void assertMessage(String json, DataType type, String containing) {
    InvalidInput error = assertThrows(InvalidInput.class, () -> read(json, type, 1));
    assertTrue(error.getMessage().contains(containing), error.getMessage());
    assertTrue(error.getMessage().startsWith("Input 't': "), error.getMessage());
  }
}
