package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;

/**
 * OneHotEncoder and OrdinalEncoder: each feature's value looked up in its fitted categories, then
 * written as indicator columns or as the category's position. Unknown values are refused, ignored
 * or given a fixed code, as the encoder's {@code handle_unknown} says.
 */
final class CategoryEncoder implements Transformer {
  private final List<Categories> features = new ArrayList<>();
  private final boolean oneHot;
  private final String handleUnknown;
  /** OneHotEncoder: the category dropped per feature, or -1. */
  private final int[] dropped;
  /** OrdinalEncoder: the code for unknown and for missing values. */
  private final double unknownCode;
  private final double missingCode;

  private CategoryEncoder(PyObject model, boolean oneHot) {
    for (Object categories : model.list("categories_")) {
      features.add(new Categories((NdArray) categories));
    }
    this.oneHot = oneHot;
    this.handleUnknown = String.valueOf(model.get("handle_unknown", "error"));
    if (model.flag("_infrequent_enabled")) {
      throw new IllegalArgumentException("encoders grouping infrequent categories are not supported");
    }
    this.dropped = new int[features.size()];
    Object drop = model.get("drop_idx_", null);
    for (int f = 0; f < dropped.length; f++) {
      Object index = drop instanceof NdArray array ? array.get(f) : null;
      dropped[f] = index instanceof Number number ? number.intValue() : -1;
    }
    this.unknownCode = number(model.get("unknown_value", null));
    this.missingCode = number(model.get("encoded_missing_value", null));
  }

  private static double number(Object value) {
    return value instanceof Number number ? number.doubleValue() : Double.NaN;
  }

  static CategoryEncoder oneHot(PyObject model) {
    return new CategoryEncoder(model, true);
  }

  static CategoryEncoder ordinal(PyObject model) {
    return new CategoryEncoder(model, false);
  }

  private int width() {
    if (!oneHot) {
      return features.size();
    }
    int width = 0;
    for (int f = 0; f < features.size(); f++) {
      width += features.get(f).size() - (dropped[f] >= 0 ? 1 : 0);
    }
    return width;
  }

  @Override
  public Table transform(Table rows) {
    if (rows.columnCount() != features.size()) {
      throw new InvalidInput(
          "The encoder was fitted on %d columns, got %d.".formatted(features.size(), rows.columnCount()));
    }
    int width = width();
    double[] out = new double[rows.rows() * width];
    int column = 0;
    for (int f = 0; f < features.size(); f++) {
      Categories categories = features.get(f);
      Object[] values = rows.column(f);
      for (int r = 0; r < values.length; r++) {
        int index = categories.indexOf(values[r]);
        if (index == Categories.UNKNOWN && handleUnknown.equals("error")) {
          throw new InvalidInput(
              "Found unknown category '%s' in column %d, which the model's encoder refuses."
                  .formatted(values[r], f));
        }
        if (oneHot) {
          setIndicator(out, r * width + column, index, dropped[f]);
        } else {
          out[r * width + f] = code(values[r], index);
        }
      }
      column += oneHot ? categories.size() - (dropped[f] >= 0 ? 1 : 0) : 1;
    }
    return Table.of(new Matrix(rows.rows(), width, out));
  }

  private static void setIndicator(double[] out, int start, int index, int dropped) {
    if (index == Categories.UNKNOWN || index == dropped) {
      return;
    }
    out[start + (dropped >= 0 && index > dropped ? index - 1 : index)] = 1;
  }

  private double code(Object value, int index) {
    if (index == Categories.UNKNOWN) {
      return unknownCode;
    }
    return Categories.isMissing(value) ? missingCode : index;
  }
}
