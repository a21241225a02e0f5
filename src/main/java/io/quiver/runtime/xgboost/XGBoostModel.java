package io.quiver.runtime.xgboost;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.RowBatchedModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.spi.TensorSpec.Accepts;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A booster answering with what Python's {@code Booster.predict} returns: one value per row
 * (regression, binary classification) or one per class (multi:softprob). Tensors are named as
 * KServe's xgbserver names them, {@code input-0} and {@code output-0}.
 */
final class XGBoostModel implements RowBatchedModel {
  static final String INPUT = "input-0";
  static final String OUTPUT = "output-0";

  private final Booster booster;
  private final int features;
  private final int outputsPerRow;
  private final ModelMetadata metadata;

  XGBoostModel(Booster booster) throws XGBoostError {
    this.booster = booster;
    this.features = Math.toIntExact(booster.getNumFeature());
    this.outputsPerRow = predict(missingRow(features), 1)[0].length;
    this.metadata =
        new ModelMetadata(
            "xgboost",
            List.of(new TensorSpec(INPUT, DataType.FP32, new long[] {-1, features}, Accepts.ANY_NUMERIC)),
            List.of(TensorSpec.of(OUTPUT, DataType.FP32, outputShape(-1, outputsPerRow))));
  }

  private static float[] missingRow(int features) {
    float[] row = new float[features];
    Arrays.fill(row, Float.NaN);
    return row;
  }

  private static long[] outputShape(long rows, int perRow) {
    return perRow == 1 ? new long[] {rows} : new long[] {rows, perRow};
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) throws XGBoostError {
    Tensor input = request.inputs().getFirst();
    int rows = Math.toIntExact(input.dim(0));
    float[] values = new float[rows * features];
    input.data().asFloatBuffer().get(values);
    float[][] predictions = predict(values, rows);
    ByteBuffer data = ByteBuffer.allocate(rows * outputsPerRow * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : predictions) {
      for (float value : row) {
        data.putFloat(value);
      }
    }
    return List.of(Tensor.of(OUTPUT, DataType.FP32, outputShape(rows, outputsPerRow), data.flip()));
  }

  private float[][] predict(float[] values, int rows) throws XGBoostError {
    if (rows == 0) {
      return new float[0][];
    }
    return booster.inplace_predict(values, rows, features, Float.NaN);
  }

  @Override
  public void close() {
    booster.dispose();
  }
}
