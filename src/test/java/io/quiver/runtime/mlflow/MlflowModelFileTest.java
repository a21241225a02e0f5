package io.quiver.runtime.mlflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MLmodel files as MLflow writes them, and broken ones, which must fail with a reason. */
class MlflowModelFileTest {
  private static final Path FIXTURES = Path.of("src/test/resources/mlflow");

  @Test
  void theFlavorAndTheSignatureColumnsAreRead() throws Exception {
    MlflowModelFile sklearn = MlflowModelFile.read(FIXTURES.resolve("sklearn/MLmodel"));
    assertEquals("sklearn", sklearn.format());
    assertEquals("model.pkl", sklearn.file());
    assertEquals(
        List.of("sepal_length", "sepal_width", "petal_length", "petal_width"),
        sklearn.columns().stream().map(TensorSpec::name).toList());
    assertEquals(DataType.FP64, sklearn.columns().getFirst().datatype());

    MlflowModelFile xgboost = MlflowModelFile.read(FIXTURES.resolve("xgboost/MLmodel"));
    assertEquals("xgboost", xgboost.format());
    assertEquals(DataType.FP32, xgboost.columns().getFirst().datatype());

    MlflowModelFile onnx = MlflowModelFile.read(FIXTURES.resolve("onnx/MLmodel"));
    assertEquals("onnx", onnx.format());
    assertTrue(onnx.columns().isEmpty(), "a tensor signature leaves the model's own inputs");
  }

  @Test
  void aPythonFunctionWrappingAServedFlavorIsServed(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("MLmodel");
    Files.writeString(
        file,
        """
        flavors:
          python_function:
            loader_module: mlflow.lightgbm
            data: model.lgb
        """);
    MlflowModelFile mlmodel = MlflowModelFile.read(file);
    assertEquals("lightgbm", mlmodel.format());
    assertEquals("model.lgb", mlmodel.file());
  }

  @Test
  void brokenFilesFailSayingWhy(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("MLmodel");

    Files.writeString(file, "flavors: [unclosed\n");
    assertThrows(Exception.class, () -> MlflowModelFile.read(file));

    Files.writeString(file, "artifact_path: model\n");
    assertEquals("MLmodel has no flavors", assertThrows(IllegalArgumentException.class, () -> MlflowModelFile.read(file)).getMessage());

    Files.writeString(file, "flavors:\n  tensorflow:\n    saved_model_dir: tfmodel\n");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> MlflowModelFile.read(file)).getMessage().contains("no flavor Quiver serves"));

    Files.writeString(file, "flavors:\n  sklearn:\n    serialization_format: pickle\n");
    assertEquals(
        "the sklearn flavor names no pickled_model",
        assertThrows(IllegalArgumentException.class, () -> MlflowModelFile.read(file)).getMessage());

    Files.writeString(file, "flavors:\n  sklearn:\n    pickled_model: model.skops\n    serialization_format: skops\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MlflowModelFile.read(file)).getMessage().contains("skops"));
  }
}
