package io.quiver.runtime.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.ModelSettings;
import io.quiver.core.spi.ModelSource;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import io.quiver.support.Expected;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Quiver's XGBoost tree evaluator against XGBoost itself: on every fixture booster it supports, the
 * same float bits as xgboost4j's predictor for thousands of rows, missing and infinite values
 * included; the boosters it does not support are answered by xgboost4j. Either way the answers
 * are those Python's XGBoost recorded for the fixture.
 */
class XGBoostTreesTest {
  private final XGBoostModelRuntime runtime = new XGBoostModelRuntime();

  @ParameterizedTest
  @CsvSource({
    "repository/iris-xgboost, iris-xgboost, true",
    "repository/xgb-formats/1, xgb-formats, true",
    "repository/xgb-formats/2, xgb-formats, true",
    "repository/xgb-formats/3, xgb-formats, true",
    "repository/xgb-binary, xgb-binary, true",
    "xgboost/regression-missing, xgboost-regression-missing, true",
    "xgboost/poisson, xgboost-poisson, true",
    "xgboost/logitraw, xgboost-logitraw, true",
    "xgboost/logistic-base-score, xgboost-logistic-base-score, true",
    "xgboost/random-forest, xgboost-random-forest, true",
    "xgboost/dart, xgboost-dart, false",
    "xgboost/categorical, xgboost-categorical, false",
  })
  void answersAsXGBoostDoes(String folder, String fixture, boolean evaluatedInJava) throws Exception {
    try (XGBoostModel model = (XGBoostModel) runtime.load(new ModelSource("m", null, Path.of("src/test/resources", folder), ModelSettings.NONE))) {
      if (evaluatedInJava) {
        assertNotNull(model.trees(), "Quiver's evaluator serves " + folder);
        assertSameBits(model, model.trees());
      } else {
        assertNull(model.trees(), "xgboost4j serves " + folder);
      }
      Expected expected = Expected.of(fixture);
      JsonNode input = expected.input("input-0");
      InferenceResult result = model.infer(List.of(request(input))).getFirst();
      Tensor output = ((InferenceResult.Outputs) result).tensors().getFirst();
      JsonNode want = expected.output("output-0").get("data");
      for (int i = 0; i < want.size(); i++) {
        Expected.assertClose(want.get(i).asDouble(), output.getDouble(i), fixture + "[" + i + "]");
      }
    }
  }

  /** Thousands of rows: probe rows at the split conditions and their neighbours, and random ones. */
  private static void assertSameBits(XGBoostModel model, XGBoostTrees trees) throws Exception {
    int rows = 2_000;
    float[] probes = trees.probeRows(rows, 7);
    float[] random = new float[rows * trees.features()];
    Random values = new Random(3);
    for (int i = 0; i < random.length; i++) {
      random[i] = values.nextInt(10) == 0 ? Float.NaN : (float) (values.nextGaussian() * 3);
    }
    for (float[] x : List.of(probes, random)) {
      float[] ours = trees.predict(x, rows);
      float[] theirs = model.predictNatively(x, rows);
      for (int i = 0; i < ours.length; i++) {
        assertEquals(Float.floatToIntBits(theirs[i]), Float.floatToIntBits(ours[i]), "prediction " + i + ": " + theirs[i] + " against " + ours[i]);
      }
    }
  }

  private static InferenceRequest request(JsonNode input) {
    JsonNode data = input.get("data");
    TensorBuilder tensor = new TensorBuilder(DataType.FP32, data.size());
    data.forEach(value -> tensor.addDouble(value.isNull() ? Double.NaN : value.asDouble()));
    long[] shape = {input.get("shape").get(0).asLong(), input.get("shape").get(1).asLong()};
    return new InferenceRequest("r", "m", null, List.of(tensor.build("input-0", shape)), List.of(), Map.of());
  }
}
