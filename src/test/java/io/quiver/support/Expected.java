package io.quiver.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Inputs and the outputs the library that made a fixture model computed for them, recorded by
 * examples/make_models.py in src/test/resources/expected.
 */
public final class Expected {
  /** Reads the fixtures as Python's json module wrote them: NaN and the infinities as bare literals. */
  public static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  /** Floats must match the producing library to this relative tolerance. */
  public static final double TOLERANCE = 1e-5;

  private final JsonNode document;

  private Expected(JsonNode document) {
    this.document = document;
  }

  public static Expected of(String fixture) {
    try {
      return new Expected(JSON.readTree(Path.of("src/test/resources/expected", fixture + ".json").toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The recorded inputs as an Open Inference Protocol request's "inputs" array. */
  public ArrayNode inputs() {
    return (ArrayNode) document.get("inputs").deepCopy();
  }

  public List<JsonNode> outputs() {
    List<JsonNode> outputs = new ArrayList<>();
    document.get("outputs").forEach(outputs::add);
    return outputs;
  }

  public JsonNode input(String name) {
    return find(document.get("inputs"), name);
  }

  public JsonNode output(String name) {
    return find(document.get("outputs"), name);
  }

  private static JsonNode find(JsonNode tensors, String name) {
    for (JsonNode tensor : tensors) {
      if (tensor.get("name").asText().equals(name)) {
        return tensor;
      }
    }
    throw new AssertionError("fixture has no tensor " + name);
  }

  /** A v2 request body carrying the recorded inputs. */
  public ObjectNode request() {
    ObjectNode request = JSON.createObjectNode();
    request.set("inputs", inputs());
    return request;
  }

  /** Rows of the input, as v1 instances: [[f, f, f, f], ...]. */
  public ArrayNode instances(String input) {
    JsonNode tensor = input(input);
    int rows = tensor.get("shape").get(0).asInt();
    int width = tensor.get("data").size() / rows;
    ArrayNode instances = JSON.createArrayNode();
    for (int r = 0; r < rows; r++) {
      ArrayNode row = instances.addArray();
      for (int c = 0; c < width; c++) {
        row.add(tensor.get("data").get(r * width + c));
      }
    }
    return instances;
  }

  /** Asserts a response output tensor (name, datatype, shape, flat data) equals the recorded one. */
  public static void assertTensor(JsonNode expected, JsonNode actual) {
    assertEquals(expected.get("name").asText(), actual.get("name").asText());
    assertEquals(expected.get("datatype").asText(), actual.get("datatype").asText(), "datatype of " + expected.get("name"));
    assertEquals(expected.get("shape"), actual.get("shape"), "shape of " + expected.get("name"));
    assertValues(expected.get("data"), actual.get("data"), expected.get("name").asText());
  }

  /** Element-wise equality: exact for integers, booleans and strings; 1e-5 relative for floats. */
  public static void assertValues(JsonNode expected, JsonNode actual, String what) {
    List<JsonNode> want = flatten(expected);
    List<JsonNode> got = flatten(actual);
    assertEquals(want.size(), got.size(), "element count of " + what);
    for (int i = 0; i < want.size(); i++) {
      JsonNode w = want.get(i);
      JsonNode g = got.get(i);
      if (w.isFloatingPointNumber() || g.isFloatingPointNumber()) {
        assertClose(w.asDouble(), g.asDouble(), what + "[" + i + "]");
      } else if (w.isIntegralNumber() && g.isIntegralNumber()) {
        assertEquals(w.bigIntegerValue(), g.bigIntegerValue(), what + "[" + i + "]");
      } else {
        assertEquals(w, g, what + "[" + i + "]");
      }
    }
  }

  public static void assertClose(double expected, double actual, String what) {
    double scale = Math.max(Math.abs(expected), Math.abs(actual));
    assertTrue(
        Math.abs(expected - actual) <= TOLERANCE * Math.max(scale, 1e-30) || expected == actual,
        "%s: expected %s, got %s".formatted(what, expected, actual));
  }

  public static List<JsonNode> flatten(JsonNode node) {
    List<JsonNode> flat = new ArrayList<>();
    collect(node, flat);
    return flat;
  }

  private static void collect(JsonNode node, List<JsonNode> flat) {
    if (node.isArray()) {
      node.forEach(child -> collect(child, flat));
    } else {
      flat.add(node);
    }
  }
}
