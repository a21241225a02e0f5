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
import org.jboss.logging.Logger;

/**
 * A booster answering with what Python's {@code Booster.predict} returns: one value per row
 * (regression, binary classification) or one per class (multi:softprob). Tensors are named as
 * KServe's xgbserver names them, {@code input-0} and {@code output-0}.
 *
 * <p>Requests of up to {@link #JAVA_MAX_TREE_VISITS} tree visits (rows times trees) are evaluated
 * by Quiver's own tree evaluator when the model has one: the same bits, without the native call's
 * fixed cost (about 200 µs, the time of some 7,000 tree visits in Java). Larger ones go to
 * XGBoost's multi-threaded predictor.
 */
final class XGBoostModel implements RowBatchedModel {
  static final String INPUT = "input-0";
  static final String OUTPUT = "output-0";
  static final long JAVA_MAX_TREE_VISITS = 65_536;
  private static final Logger LOG = Logger.getLogger(XGBoostModel.class);

  private final Booster booster;
  private final XGBoostTrees trees;
  private final int features;
  private final int outputsPerRow;
  private final int javaMaxRows;
  private final ModelMetadata metadata;

  /**
   * @param trees the booster's trees for Quiver's evaluator, or null to answer every request with
   *     XGBoost's predictor; dropped (with a warning) unless they answer probe rows exactly as
   *     XGBoost does
   */
  XGBoostModel(String name, Booster booster, XGBoostTrees trees) throws XGBoostError {
    this.booster = booster;
    this.features = Math.toIntExact(booster.getNumFeature());
    this.outputsPerRow = booster.inplace_predict(missingRow(features), 1, features, Float.NaN)[0].length;
    this.trees = trees != null && agree(name, trees) ? trees : null;
    this.javaMaxRows = this.trees == null ? 0 : (int) Math.max(1, JAVA_MAX_TREE_VISITS / Math.max(1, this.trees.treeCount()));
    this.metadata =
        new ModelMetadata(
            "xgboost",
            List.of(new TensorSpec(INPUT, DataType.FP32, new long[] {-1, features}, Accepts.ANY_NUMERIC)),
            List.of(TensorSpec.of(OUTPUT, DataType.FP32, outputShape(-1, outputsPerRow))));
  }

  private boolean agree(String name, XGBoostTrees trees) throws XGBoostError {
    if (trees.features() != features || trees.outputsPerRow() != outputsPerRow) {
      LOG.warnf("Model %s: Quiver's tree evaluator reads the model differently from XGBoost; XGBoost answers every request", name);
      return false;
    }
    int rows = 256;
    float[] probe = trees.probeRows(rows, 20261202L);
    float[] ours = trees.predict(probe, rows);
    float[] theirs = predictNatively(probe, rows);
    for (int i = 0; i < ours.length; i++) {
      if (Float.floatToIntBits(ours[i]) != Float.floatToIntBits(theirs[i])) {
        LOG.warnf(
            "Model %s: Quiver's tree evaluator answers %s where XGBoost answers %s (probe row %d); XGBoost answers every request",
            name, ours[i], theirs[i], i / outputsPerRow);
        return false;
      }
    }
    return true;
  }

  private static float[] missingRow(int features) {
    float[] row = new float[features];
    Arrays.fill(row, Float.NaN);
    return row;
  }

  private static long[] outputShape(long rows, int perRow) {
    return perRow == 1 ? new long[] {rows} : new long[] {rows, perRow};
  }

  /** The most rows Quiver's evaluator takes in one request; 0 when XGBoost answers every request. */
  int javaMaxRows() {
    return javaMaxRows;
  }

  /** Quiver's evaluator for this booster, or null when XGBoost answers every request. */
  XGBoostTrees trees() {
    return trees;
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
    float[] predictions = rows <= javaMaxRows ? trees.predict(values, rows) : predictNatively(values, rows);
    ByteBuffer data = ByteBuffer.allocate(predictions.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(predictions);
    return List.of(Tensor.of(OUTPUT, DataType.FP32, outputShape(rows, outputsPerRow), data));
  }

  /** XGBoost's own predictor, flattened row-major. */
  float[] predictNatively(float[] values, int rows) throws XGBoostError {
    float[] flat = new float[rows * outputsPerRow];
    if (rows > 0) {
      float[][] predictions = booster.inplace_predict(values, rows, features, Float.NaN);
      for (int row = 0; row < rows; row++) {
        System.arraycopy(predictions[row], 0, flat, row * outputsPerRow, outputsPerRow);
      }
    }
    return flat;
  }

  @Override
  public void close() {
    booster.dispose();
  }
}
