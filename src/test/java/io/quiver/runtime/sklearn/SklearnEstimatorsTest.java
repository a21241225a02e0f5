package io.quiver.runtime.sklearn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.runtime.sklearn.pickle.PickleFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scikit-learn fixture, computed in Java, against what scikit-learn itself answered for the
 * same rows (recorded by examples/make_sklearn_models.py): labels exactly, doubles within 1e-9
 * relative.
 */
class SklearnEstimatorsTest {
  private static final Path MODELS = Path.of("src/test/resources/sklearn");
  private static final Path PROTOCOLS = Path.of("src/test/resources/sklearn-protocols");
  private static final Path EXPECTED = Path.of("src/test/resources/expected");
  private static final double TOLERANCE = 1e-9;
  // numpy's json writes NaN for missing values
  private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(EXPECTED)) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.startsWith("sklearn-"))
          .map(name -> name.substring("sklearn-".length(), name.length() - ".json".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  /** Each fixture model as pickle.dump wrote it at protocols 2 to 5. */
  static Stream<Arguments> protocolVariants() throws IOException {
    try (Stream<Path> cases = Files.list(PROTOCOLS)) {
      return cases
          .sorted()
          .flatMap(
              folder ->
                  Stream.of(2, 3, 4, 5)
                      .map(protocol -> Arguments.of(folder.getFileName().toString(), protocol)))
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void answersAsScikitLearnDoes(String fixture) throws Exception {
    assertAnswersAsRecorded(fixture, modelFile(fixture));
  }

  @ParameterizedTest(name = "{0} at protocol {1}")
  @MethodSource("protocolVariants")
  void readsEveryPickleProtocol(String fixture, int protocol) throws Exception {
    assertAnswersAsRecorded(fixture, PROTOCOLS.resolve(fixture).resolve("protocol-" + protocol + ".pkl"));
  }

  private static void assertAnswersAsRecorded(String fixture, Path file) throws Exception {
    JsonNode expected = JSON.readTree(EXPECTED.resolve("sklearn-" + fixture + ".json").toFile());
    LoadedModel model = SklearnModelRuntime.load(PickleFiles.read(file), false);
    List<Tensor> inputs = new ArrayList<>();
    expected.get("inputs").forEach(input -> inputs.add(tensor(input)));
    List<RequestedOutput> outputs = new ArrayList<>();
    expected.get("outputs").forEach(output -> outputs.add(new RequestedOutput(output.get("name").asText(), Map.of())));
    InferenceRequest request = new InferenceRequest("r", fixture, null, inputs, outputs, Map.of());

    InferenceResult result = model.infer(List.of(request)).getFirst();

    List<Tensor> answered = assertInstanceOf(InferenceResult.Outputs.class, result, result::toString).tensors();
    for (int i = 0; i < outputs.size(); i++) {
      assertTensor(expected.get("outputs").get(i), answered.get(i), fixture);
    }
  }

  private static Path modelFile(String fixture) throws IOException {
    try (Stream<Path> files = Files.list(MODELS.resolve(fixture))) {
      return files.findFirst().orElseThrow();
    }
  }

  static Tensor tensor(JsonNode json) {
    DataType datatype = DataType.parse(json.get("datatype").asText()).orElseThrow();
    List<Long> shape = new ArrayList<>();
    json.get("shape").forEach(dim -> shape.add(dim.asLong()));
    TensorBuilder builder = new TensorBuilder(datatype, json.get("data").size());
    for (JsonNode value : json.get("data")) {
      if (datatype == DataType.BYTES) {
        builder.addBytes(value.asText().getBytes(StandardCharsets.UTF_8));
      } else {
        builder.addDouble(value.asDouble());
      }
    }
    return builder.build(json.get("name").asText(), shape.stream().mapToLong(Long::longValue).toArray());
  }

  private static void assertTensor(JsonNode expected, Tensor actual, String fixture) {
    String what = fixture + " " + expected.get("name").asText();
    assertEquals(expected.get("name").asText(), actual.name(), what);
    assertEquals(expected.get("datatype").asText(), actual.datatype().name(), what + " datatype");
    List<Long> shape = new ArrayList<>();
    expected.get("shape").forEach(dim -> shape.add(dim.asLong()));
    assertEquals(shape, Stream.of(actual.shape()).flatMapToLong(java.util.Arrays::stream).boxed().toList(), what + " shape");
    JsonNode data = expected.get("data");
    for (int i = 0; i < data.size(); i++) {
      String element = what + "[" + i + "]";
      switch (actual.datatype()) {
        case BYTES -> assertEquals(data.get(i).asText(), actual.stringAt(i), element);
        case FP64, FP32 -> assertClose(data.get(i).asDouble(), actual.getDouble(i), element);
        default -> assertEquals(data.get(i).asLong(), actual.getLong(i), element);
      }
    }
  }

  private static void assertClose(double expected, double actual, String what) {
    double scale = Math.max(Math.abs(expected), Math.abs(actual));
    assertTrue(
        expected == actual || Math.abs(expected - actual) <= TOLERANCE * Math.max(scale, 1e-300),
        "%s: scikit-learn gave %s, Quiver %s".formatted(what, expected, actual));
  }
}
