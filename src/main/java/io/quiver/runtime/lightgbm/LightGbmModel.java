package io.quiver.runtime.lightgbm;

import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.RowBatchedModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.spi.TensorSpec.Accepts;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A LightGBM model answering as KServe's lgbserver: {@code input-0} of shape [rows, features],
 * {@code output-0} with what LightGBM's {@code predict} returns (a value per row, or a probability
 * per class and row).
 */
final class LightGbmModel implements RowBatchedModel {
  static final String INPUT = "input-0";
  static final String OUTPUT = "output-0";

  private final LightGbmBooster booster;
  private final ModelMetadata metadata;

  LightGbmModel(LightGbmBooster booster) {
    this.booster = booster;
    this.metadata =
        new ModelMetadata(
            "lightgbm",
            List.of(new TensorSpec(INPUT, DataType.FP64, new long[] {-1, booster.features()}, Accepts.ANY_NUMERIC)),
            List.of(TensorSpec.of(OUTPUT, DataType.FP64, outputShape(-1))));
  }

  private long[] outputShape(long rows) {
    int perRow = booster.outputsPerRow();
    return perRow == 1 ? new long[] {rows} : new long[] {rows, perRow};
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) {
    Tensor input = request.inputs().getFirst();
    int rows = Math.toIntExact(input.dim(0));
    double[] x = new double[rows * booster.features()];
    input.data().asDoubleBuffer().get(x);
    double[] y = booster.predict(x, rows);
    ByteBuffer data = ByteBuffer.allocate(y.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    data.asDoubleBuffer().put(y);
    return List.of(Tensor.of(OUTPUT, DataType.FP64, outputShape(rows), data));
  }

  @Override
  public void close() {
    // Plain Java objects: the garbage collector frees them.
  }
}
