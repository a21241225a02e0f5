package io.quiver.runtime.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The XGBoost runtime on its own: recognising files by content, and freeing the booster. */
class XGBoostModelRuntimeTest {
  private final XGBoostModelRuntime runtime = new XGBoostModelRuntime();

  private static ModelSource source(Path directory) {
    return new ModelSource("m", null, directory, ModelSettings.NONE);
  }

  @Test
  void recognisesXGBoostByContentNotName(@TempDir Path directory) throws Exception {
    Files.copy(Path.of("src/test/resources/repository/xgb-formats/1/model.bst"), directory.resolve("model.bst"));
    assertTrue(runtime.recognises(source(directory)), "legacy binary booster");
    Files.writeString(directory.resolve("model.bst"), "tree\nversion=v4\nnum_class=1\n");
    assertFalse(runtime.recognises(source(directory)), "LightGBM's text model under the same name");
    Files.delete(directory.resolve("model.bst"));
    Files.writeString(directory.resolve("model.json"), "{\"format\": \"tensorflow.js layers model\"}");
    assertFalse(runtime.recognises(source(directory)), "a model.json that is not a booster");
  }

  @Test
  void closingDisposesTheBooster() throws Exception {
    LoadedModel model = runtime.load(source(Path.of("src/test/resources/repository/iris-xgboost")));
    // More rows than Quiver's own evaluator takes: the booster answers.
    int rows = ((XGBoostModel) model).javaMaxRows() + 1;
    TensorBuilder table = new TensorBuilder(DataType.FP32, rows * 4);
    for (int r = 0; r < rows; r++) {
      for (double v : new double[] {5.1, 3.5, 1.4, 0.2}) {
        table.addDouble(v);
      }
    }
    InferenceRequest request =
        new InferenceRequest("r", "m", null, List.of(table.build("input-0", new long[] {rows, 4})), List.of(), Map.of());
    InferenceResult before = model.infer(List.of(request)).getFirst();
    assertEquals(3, ((InferenceResult.Outputs) before).tensors().getFirst().dim(1));
    model.close();
    assertInstanceOf(InferenceResult.Failed.class, model.infer(List.of(request)).getFirst(), "a disposed booster cannot predict");
  }
}
