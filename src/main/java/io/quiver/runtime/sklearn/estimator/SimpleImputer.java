package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;

/**
 * SimpleImputer: missing values replaced by the fitted {@code statistics_} of their column; columns
 * that had no value at fit time (statistic NaN) are dropped, as scikit-learn drops them. Text
 * statistics (most frequent or constant strings) keep the column as text for an encoder after it.
 */
final class SimpleImputer implements Transformer {
  private final Object[] statistics;
  private final boolean numeric;
  private final Object missing;
  private final int[] kept;

  SimpleImputer(PyObject model) {
    if (model.flag("add_indicator")) {
      throw new IllegalArgumentException("SimpleImputer with add_indicator=True is not supported");
    }
    NdArray fitted = model.array("statistics_");
    this.statistics = fitted.toObjects();
    this.numeric = "fiub".indexOf(fitted.dtype().kind()) >= 0;
    this.missing = model.get("missing_values", null);
    List<Integer> keep = new ArrayList<>();
    for (int f = 0; f < statistics.length; f++) {
      if (!Categories.isMissing(statistics[f]) || model.flag("keep_empty_features")) {
        keep.add(f);
      }
    }
    this.kept = keep.stream().mapToInt(Integer::intValue).toArray();
  }

  private boolean isMissing(Object value) {
    if (missing == null || (missing instanceof Double d && d.isNaN())) {
      return Categories.isMissing(value) || "nan".equals(value) || "NaN".equals(value);
    }
    if (missing instanceof Number number && value instanceof Number given) {
      return number.doubleValue() == given.doubleValue();
    }
    return String.valueOf(missing).equals(String.valueOf(value));
  }

  @Override
  public Table transform(Table rows) {
    return numeric && (missing == null || missing instanceof Number) ? imputeNumbers(rows.numeric()) : imputeValues(rows);
  }

  private Table imputeNumbers(Matrix x) {
    double missingNumber = missing == null ? Double.NaN : ((Number) missing).doubleValue();
    double[] out = new double[x.rows() * kept.length];
    for (int r = 0; r < x.rows(); r++) {
      for (int k = 0; k < kept.length; k++) {
        double value = x.get(r, kept[k]);
        boolean absent = Double.isNaN(missingNumber) ? Double.isNaN(value) : value == missingNumber;
        double fill = ((Number) statistics[kept[k]]).doubleValue();
        out[r * kept.length + k] = absent ? (Double.isNaN(fill) ? 0 : fill) : value;
      }
    }
    return Table.of(new Matrix(x.rows(), kept.length, out));
  }

  private Table imputeValues(Table rows) {
    Object[][] columns = new Object[kept.length][];
    for (int k = 0; k < kept.length; k++) {
      int f = kept[k];
      Object[] values = rows.column(f).clone();
      Object fill = Categories.isMissing(statistics[f]) ? 0.0 : statistics[f];
      for (int r = 0; r < values.length; r++) {
        if (isMissing(values[r])) {
          values[r] = fill;
        }
      }
      columns[k] = values;
    }
    return Table.ofColumns(rows.rows(), null, columns);
  }
}
