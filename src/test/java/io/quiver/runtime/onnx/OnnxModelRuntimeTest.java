package io.quiver.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ONNX runtime on its own: session settings, device choice, and freeing the session. */
class OnnxModelRuntimeTest {
  private static final Path IRIS = Path.of("src/test/resources/repository/iris-onnx");

  private static OnnxConfig config(OnnxConfig.Device device) {
    return OnnxRuntimes.config(device);
  }

  private static ModelSource source(Map<String, String> parameters) {
    return new ModelSource("iris-onnx", null, IRIS, ModelSettings.NONE.withParameters(parameters));
  }

  private static InferenceRequest oneRow() {
    TensorBuilder row = new TensorBuilder(DataType.FP32, 4);
    for (double v : new double[] {5.1, 3.5, 1.4, 0.2}) {
      row.addDouble(v);
    }
    return new InferenceRequest("r", "iris-onnx", null, List.of(row.build("input-0", new long[] {1, 4})), List.of(), Map.of());
  }

  @Test
  void autoFallsBackToTheCpuAndAnswers() throws Exception {
    OnnxModelRuntime runtime = new OnnxModelRuntime(new OnnxSessions(config(OnnxConfig.Device.AUTO)));
    assertTrue(runtime.recognises(source(Map.of())));
    try (LoadedModel model = runtime.load(source(Map.of()))) {
      List<Tensor> outputs = ((InferenceResult.Outputs) model.infer(List.of(oneRow())).getFirst()).tensors();
      assertEquals("label", outputs.get(0).name());
      assertEquals(0, outputs.get(0).getLong(0), "a setosa row");
    }
  }

  @Test
  void perModelParametersAreChecked() {
    OnnxModelRuntime runtime = new OnnxModelRuntime(new OnnxSessions(config(OnnxConfig.Device.CPU)));
    assertEquals("optimization_level must be none, basic, extended or all; got 'max'",
        assertThrows(IllegalArgumentException.class, () -> runtime.load(source(Map.of("optimization_level", "max")))).getMessage());
    assertEquals("device must be cpu, cuda or auto; got 'tpu'",
        assertThrows(IllegalArgumentException.class, () -> runtime.load(source(Map.of("device", "tpu")))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> runtime.load(source(Map.of("intra_op_threads", "many"))))
        .getMessage().contains("parameter 'intra_op_threads' must be an integer"));
  }

  @Test
  void closingFreesTheSession() throws Exception {
    LoadedModel model = new OnnxModelRuntime(new OnnxSessions(config(OnnxConfig.Device.CPU))).load(source(Map.of("intra_op_threads", "2")));
    model.close();
    InferenceResult result = model.infer(List.of(oneRow())).getFirst();
    assertInstanceOf(InferenceResult.Failed.class, result, "a closed session cannot run");
  }

  @Test
  void nativesComeFromOneStableFolder() throws Exception {
    new OnnxModelRuntime(new OnnxSessions(config(OnnxConfig.Device.CPU))).load(source(Map.of())).close();
    Path folder = Path.of(System.getProperty("onnxruntime.native.path"));
    assertTrue(Files.isRegularFile(folder.resolve(System.mapLibraryName("onnxruntime"))), folder.toString());
    assertTrue(Files.isRegularFile(folder.resolve(System.mapLibraryName("onnxruntime4j_jni"))), folder.toString());
  }
}
