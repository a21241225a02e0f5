package io.quiver.runtime.sklearn.estimator;

/**
 * A dense row-major matrix of doubles: what scikit-learn's numeric estimators take and give.
 *
 * @param rows the number of rows (samples)
 * @param columns the number of columns (features)
 * @param values the elements, row after row
 */
public record Matrix(int rows, int columns, double[] values) {

  public Matrix {
    if (values.length != rows * columns) {
      throw new IllegalArgumentException(
          "a %d x %d matrix needs %d values, got %d".formatted(rows, columns, rows * columns, values.length));
    }
  }

  public static Matrix zeros(int rows, int columns) {
    return new Matrix(rows, columns, new double[rows * columns]);
  }

  public double get(int row, int column) {
    return values[row * columns + column];
  }

  /** This matrix times {@code weights} transposed, plus {@code bias} on every row. */
  public Matrix timesTransposed(double[][] weights, double[] bias) {
    int outputs = weights.length;
    double[] result = new double[rows * outputs];
    for (int r = 0; r < rows; r++) {
      int offset = r * columns;
      for (int o = 0; o < outputs; o++) {
        double[] w = weights[o];
        double sum = 0;
        for (int c = 0; c < columns; c++) {
          sum += values[offset + c] * w[c];
        }
        result[r * outputs + o] = sum + bias[o];
      }
    }
    return new Matrix(rows, outputs, result);
  }
}
