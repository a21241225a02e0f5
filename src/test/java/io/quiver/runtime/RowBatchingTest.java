package io.quiver.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.core.InferenceRequest;
import io.quiver.core.InferenceRequest.RequestedOutput;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.runtime.lightgbm.LightGbmModelRuntime;
import io.quiver.runtime.onnx.OnnxRuntimes;
import io.quiver.runtime.pmml.PmmlModelRuntime;
import io.quiver.runtime.sklearn.SklearnModelRuntime;
import io.quiver.runtime.sklearn.pickle.PickleFiles;
import io.quiver.runtime.xgboost.XGBoostModelRuntime;
import io.quiver.support.Expected;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests handed to a runtime as one batch are answered exactly as when each runs alone, on every
 * runtime that stacks rows: several requests of different row counts, requests asking for different
 * outputs, and one bad request among good ones.
 */
class RowBatchingTest {
  private static final Path REPOSITORY = Path.of("src/test/resources/repository");

  private static LoadedModel load(String fixture) throws Exception {
    return switch (fixture) {
      case "iris-onnx", "mixed-types", "all-types" -> OnnxRuntimes.cpu().load(source(REPOSITORY.resolve(fixture)));
      case "mlp" -> OnnxRuntimes.cpu().load(source(Path.of("src/test/resources/benchmark-models/mlp")));
      case "iris-xgboost" -> new XGBoostModelRuntime().load(source(REPOSITORY.resolve(fixture)));
      case "lightgbm-multiclass" -> new LightGbmModelRuntime().load(source(Path.of("src/test/resources/lightgbm/multiclass")));
      case "pmml-iris-tree" -> new PmmlModelRuntime().load(source(Path.of("src/test/resources/pmml/iris-tree")));
      case "pmml-categorical-regression" ->
          new PmmlModelRuntime().load(source(Path.of("src/test/resources/pmml/categorical-regression")));
      default -> {
        String name = fixture.substring("sklearn-".length());
        yield SklearnModelRuntime.load(PickleFiles.read(Path.of("src/test/resources/sklearn", name, "model.joblib")), false);
      }
    };
  }

  private static ModelSource source(Path folder) {
    return new ModelSource("m", null, folder, ModelSettings.NONE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "iris-onnx", "mixed-types", "all-types", "mlp", "iris-xgboost", "lightgbm-multiclass", "sklearn-random-forest-classifier",
        "sklearn-column-transformer-named", "pmml-iris-tree"
      })
  void stackedRequestsAreAnsweredAsEachAlone(String fixture) throws Exception {
    Expected expected = Expected.of(fixture);
    try (LoadedModel model = load(fixture)) {
      List<Tensor> all = tensors(expected.inputs());
      long rows = all.getFirst().dim(0);
      List<InferenceRequest> batch = new ArrayList<>();
      // rows [0,1), [1, rows - 1) and [rows - 1, rows): three requests of different sizes, plus
      // the whole table asking for only its first output, which cannot stack with the others
      for (int[] range : new int[][] {{0, 1}, {1, (int) rows - 1}, {(int) rows - 1, 1}}) {
        batch.add(request(all, range[0], range[1], List.of()));
      }
      String firstOutput = model.metadata().outputs().getFirst().name();
      batch.add(request(all, 0, (int) rows, List.of(new RequestedOutput(firstOutput, Map.of()))));

      List<InferenceResult> together = model.infer(batch);

      for (int i = 0; i < batch.size(); i++) {
        List<Tensor> alone = outputs(model.infer(List.of(batch.get(i))).getFirst());
        List<Tensor> stacked = outputs(together.get(i));
        assertEquals(alone.size(), stacked.size(), fixture + " request " + i);
        for (int o = 0; o < alone.size(); o++) {
          assertSameTensor(alone.get(o), stacked.get(o), fixture + " request " + i);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"pmml-categorical-regression"})
  void oneBadRequestFailsAloneAmongGoodOnes(String fixture) throws Exception {
    Expected expected = Expected.of(fixture);
    try (LoadedModel model = load(fixture)) {
      List<Tensor> good = tensors(expected.inputs());
      TensorBuilder bad = new TensorBuilder(DataType.BYTES, 2);
      bad.addBytes("red".getBytes(StandardCharsets.UTF_8));
      bad.addBytes("large".getBytes(StandardCharsets.UTF_8));
      List<InferenceRequest> batch =
          List.of(
              request(good, 0, 2, List.of()),
              new InferenceRequest("bad", "m", null, List.of(bad.build("input-0", new long[] {1, 2})), List.of(), Map.of()),
              request(good, 2, 2, List.of()));

      List<InferenceResult> results = model.infer(batch);

      assertInstanceOf(InferenceResult.Failed.class, results.get(1));
      for (int i : new int[] {0, 2}) {
        List<Tensor> alone = outputs(model.infer(List.of(batch.get(i))).getFirst());
        assertSameTensor(alone.getFirst(), outputs(results.get(i)).getFirst(), fixture + " request " + i);
      }
    }
  }

  private static InferenceRequest request(List<Tensor> inputs, int from, int count, List<RequestedOutput> outputs) {
    List<Tensor> rows = inputs.stream().map(t -> t.rows(t.name(), from, count)).toList();
    return new InferenceRequest("r" + from + "-" + count, "m", null, rows, outputs, Map.of());
  }

  private static List<Tensor> outputs(InferenceResult result) {
    return assertInstanceOf(InferenceResult.Outputs.class, result, result::toString).tensors();
  }

  private static void assertSameTensor(Tensor expected, Tensor actual, String what) {
    assertEquals(expected.name(), actual.name(), what);
    assertEquals(expected.datatype(), actual.datatype(), what);
    assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
    assertEquals(expected.data(), actual.data(), what + " " + expected.name() + ": same bytes");
  }

  /** The fixture's recorded inputs as tensors of their datatypes. */
  private static List<Tensor> tensors(JsonNode inputs) {
    List<Tensor> tensors = new ArrayList<>();
    for (JsonNode input : inputs) {
      DataType datatype = DataType.parse(input.get("datatype").asText()).orElseThrow();
      TensorBuilder builder = new TensorBuilder(datatype, input.get("data").size());
      for (JsonNode value : Expected.flatten(input.get("data"))) {
        switch (datatype) {
          case BYTES -> builder.addBytes(value.asText().getBytes(StandardCharsets.UTF_8));
          case BOOL -> builder.addBoolean(value.asBoolean());
          default -> {
            if (value.isIntegralNumber()) {
              builder.addBigInteger(value.bigIntegerValue());
            } else {
              builder.addDouble(value.asDouble());
            }
          }
        }
      }
      long[] shape = new long[input.get("shape").size()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = input.get("shape").get(d).asLong();
      }
      tensors.add(builder.build(input.get("name").asText(), shape));
    }
    return tensors;
  }
}
