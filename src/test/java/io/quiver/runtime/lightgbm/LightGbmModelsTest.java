package io.quiver.runtime.lightgbm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LightGBM models evaluated by Quiver's own evaluator against what LightGBM itself predicted for the
 * same rows (recorded by io.quiver.fixtures.LightGbmFixtures): bit for bit.
 */
class LightGbmModelsTest {
  private static final Path MODELS = Path.of("src/test/resources/lightgbm");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final LightGbmModelRuntime runtime = new LightGbmModelRuntime();

  static Stream<String> cases() throws IOException {
    try (Stream<Path> folders = Files.list(MODELS)) {
      return folders.map(folder -> folder.getFileName().toString()).sorted().toList().stream();
    }
  }

  private static ModelSource source(Path folder) {
    return new ModelSource("m", null, folder, ModelSettings.NONE);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void predictsWhatLightGbmPredicted(String fixture) throws Exception {
    JsonNode expected = JSON.readTree(Path.of("src/test/resources/expected/lightgbm-" + fixture + ".json").toFile());
    assertTrue(runtime.recognises(source(MODELS.resolve(fixture))));
    LoadedModel model = runtime.load(source(MODELS.resolve(fixture)));
    JsonNode input = expected.get("inputs").get(0);
    TensorBuilder rows = new TensorBuilder(DataType.FP64, input.get("data").size());
    input.get("data").forEach(v -> rows.addDouble(v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble()));
    long[] shape = {input.get("shape").get(0).asLong(), input.get("shape").get(1).asLong()};
    InferenceRequest request = new InferenceRequest("r", "m", null, List.of(rows.build("input-0", shape)), List.of(), Map.of());

    InferenceResult result = model.infer(List.of(request)).getFirst();

    Tensor output = assertInstanceOf(InferenceResult.Outputs.class, result, result::toString).tensors().getFirst();
    JsonNode want = expected.get("outputs").get(0);
    assertEquals(want.get("shape").toString(), JSON.valueToTree(output.shape()).toString());
    for (int i = 0; i < want.get("data").size(); i++) {
      // The same double arithmetic in the same order: equal to the last bit.
      assertEquals(want.get("data").get(i).asDouble(), output.getDouble(i), 0.0, fixture + "[" + i + "]");
    }
  }

  @Test
  void recognisesLightGbmByContentNotName(@TempDir Path folder) throws Exception {
    Files.copy(Path.of("src/test/resources/repository/xgb-formats/1/model.bst"), folder.resolve("model.bst"));
    assertFalse(runtime.recognises(source(folder)), "XGBoost's binary booster under the same name");
  }

  @Test
  void corruptModelsFailWithAReason(@TempDir Path folder) throws Exception {
    String whole = Files.readString(MODELS.resolve("binary/model.txt"));
    Files.writeString(folder.resolve("model.txt"), whole.replace("decision_type=", "decision_typo="));
    IllegalArgumentException missingField = assertThrows(IllegalArgumentException.class, () -> runtime.load(source(folder)));
    assertTrue(missingField.getMessage().contains("decision_type"), missingField.getMessage());
    Files.writeString(folder.resolve("model.txt"), whole.replace("objective=binary", "objective=pairwise_magic"));
    IllegalArgumentException objective = assertThrows(IllegalArgumentException.class, () -> runtime.load(source(folder)));
    assertTrue(objective.getMessage().contains("pairwise_magic"), objective.getMessage());
  }
}
