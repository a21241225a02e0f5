package io.quiver.runtime.pmml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceException;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PMML models (written by examples/make_pmml_models.py from models scikit-learn fitted) evaluated
 * through PMML4S, against what scikit-learn predicted.
 */
class PmmlModelsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PmmlModelRuntime runtime = new PmmlModelRuntime();

  private static ModelSource source(Path folder) {
    return new ModelSource("m", null, folder, ModelSettings.NONE);
  }

  private static JsonNode expected(String fixture) throws Exception {
    return JSON.readTree(Path.of("src/test/resources/expected/pmml-" + fixture + ".json").toFile());
  }

  private static InferenceRequest request(JsonNode expected) {
    JsonNode input = expected.get("inputs").get(0);
    DataType datatype = DataType.parse(input.get("datatype").asText()).orElseThrow();
    TensorBuilder rows = new TensorBuilder(datatype, input.get("data").size());
    for (JsonNode value : input.get("data")) {
      if (datatype == DataType.BYTES) {
        rows.addBytes(value.asText().getBytes(StandardCharsets.UTF_8));
      } else {
        rows.addDouble(value.asDouble());
      }
    }
    long[] shape = {input.get("shape").get(0).asLong(), input.get("shape").get(1).asLong()};
    return new InferenceRequest("r", "m", null, List.of(rows.build("input-0", shape)), List.of(), Map.of());
  }

  private static List<Tensor> infer(LoadedModel model, InferenceRequest request) {
    InferenceResult result = model.infer(List.of(request)).getFirst();
    return assertInstanceOf(InferenceResult.Outputs.class, result, result::toString).tensors();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "iris-tree", "iris-logistic", "diabetes-regression", "categorical-regression", "jpmml-logistic", "jpmml-linear"
      })
  void answersAsScikitLearnDid(String fixture) throws Exception {
    JsonNode expected = expected(fixture);
    LoadedModel model = runtime.load(source(Path.of("src/test/resources/pmml", fixture)));
    assertEquals(
        expected.get("inputs").get(0).get("datatype").asText(), model.metadata().inputs().getFirst().datatype().name());

    List<Tensor> outputs = infer(model, request(expected));

    assertEquals(expected.get("outputs").size(), outputs.size());
    for (int o = 0; o < outputs.size(); o++) {
      JsonNode want = expected.get("outputs").get(o);
      Tensor got = outputs.get(o);
      assertEquals(want.get("name").asText(), got.name());
      assertEquals(want.get("datatype").asText(), got.datatype().name(), got.name());
      for (int i = 0; i < want.get("data").size(); i++) {
        String what = fixture + " " + got.name() + "[" + i + "]";
        if (got.datatype() == DataType.BYTES) {
          assertEquals(want.get("data").get(i).asText(), got.stringAt(i), what);
        } else {
          double sklearn = want.get("data").get(i).asDouble();
          assertEquals(sklearn, got.getDouble(i), 1e-9 * Math.max(1, Math.abs(sklearn)), what);
        }
      }
    }
  }

  @Test
  void concurrentRequestsGetTheSameAnswers() throws Exception {
    JsonNode expected = expected("iris-logistic");
    LoadedModel model = runtime.load(source(Path.of("src/test/resources/pmml/iris-logistic")));
    InferenceRequest request = request(expected);
    double want = infer(model, request).get(2).getDouble(0);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> answers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        answers.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    if (infer(model, request).get(2).getDouble(0) != want) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> answer : answers) {
        assertTrue(answer.get());
      }
    } finally {
      threads.shutdown();
    }
  }

  @Test
  void textWhereANumberBelongsIsRefused() throws Exception {
    LoadedModel model = runtime.load(source(Path.of("src/test/resources/pmml/categorical-regression")));
    TensorBuilder row = new TensorBuilder(DataType.BYTES, 2);
    row.addBytes("red".getBytes(StandardCharsets.UTF_8));
    row.addBytes("large".getBytes(StandardCharsets.UTF_8));
    InferenceRequest request =
        new InferenceRequest("r", "m", null, List.of(row.build("input-0", new long[] {1, 2})), List.of(), Map.of());
    InferenceResult result = model.infer(List.of(request)).getFirst();
    InferenceResult.Failed failed = assertInstanceOf(InferenceResult.Failed.class, result);
    assertEquals(400, InferenceException.httpStatus(failed.error()));
    assertTrue(failed.error().getMessage().contains("large"), failed.error().getMessage());
  }

  @Test
  void targetsAreNamedAsTheirFieldsBeforeTheOutputFields() throws Exception {
    LoadedModel model = runtime.load(source(Path.of("src/test/resources/pmml/jpmml-logistic")));
    assertEquals(
        List.of("y", "probability(0)", "probability(1)", "probability(2)"),
        model.metadata().outputs().stream().map(output -> output.name()).toList());
    assertEquals(DataType.INT64, model.metadata().outputs().getFirst().datatype());
  }

  @Test
  void aNulByteInATagFailsTheLoadAtOnceWithTheReason(@TempDir Path folder) throws Exception {
    // PMML4S's own parser loops forever on this, printing the same error line
    String whole = Files.readString(Path.of("src/test/resources/pmml/iris-tree/model.pmml"));
    int quote = whole.indexOf("name=\"") + "name=".length();
    Files.writeString(folder.resolve("model.pmml"), whole.substring(0, quote) + "\0" + whole.substring(quote + 1));
    IllegalArgumentException error =
        assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(20),
            () -> assertThrows(IllegalArgumentException.class, () -> runtime.load(source(folder))));
    assertTrue(error.getMessage().startsWith("model.pmml is not well-formed XML (line "), error.getMessage());
  }

  @Test
  void aDocumentTypeDeclarationIsRefused(@TempDir Path folder) throws Exception {
    String whole = Files.readString(Path.of("src/test/resources/pmml/iris-tree/model.pmml"));
    int root = whole.indexOf("<PMML");
    Files.writeString(
        folder.resolve("model.pmml"),
        whole.substring(0, root) + "<!DOCTYPE PMML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n" + whole.substring(root));
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> runtime.load(source(folder)));
    assertTrue(error.getMessage().contains("DTD"), error.getMessage());
  }

  @Test
  void aCorruptFileFailsItsLoad(@TempDir Path folder) throws Exception {
    String whole = Files.readString(Path.of("src/test/resources/pmml/iris-tree/model.pmml"));
    Files.writeString(folder.resolve("model.pmml"), whole.substring(0, whole.length() / 2));
    assertThrows(Exception.class, () -> runtime.load(source(folder)));
  }
}
