package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.InferenceException.InvalidInput;
import java.util.Arrays;
import java.util.List;

/**
 * The rows an estimator is asked about: a numeric {@link Matrix}, or columns that may hold text (as
 * a pandas DataFrame or a numpy object array would). Columns may carry names. A numeric table is
 * only a view of its matrix, so numeric pipelines never copy their input.
 */
public final class Table {
  private final int rows;
  private final List<String> names;
  private final Matrix matrix;
  private final Object[][] columns;

  private Table(int rows, List<String> names, Matrix matrix, Object[][] columns) {
    this.rows = rows;
    this.names = names;
    this.matrix = matrix;
    this.columns = columns;
  }

  public static Table of(Matrix matrix) {
    return new Table(matrix.rows(), null, matrix, null);
  }

  /**
   * A table of columns, each an array of {@code rows} Doubles or Strings.
   *
   * @param names the column names, or null for positional columns
   */
  public static Table ofColumns(int rows, List<String> names, Object[][] columns) {
    return new Table(rows, names == null ? null : List.copyOf(names), null, columns);
  }

  public int rows() {
    return rows;
  }

  public int columnCount() {
    return matrix != null ? matrix.columns() : columns.length;
  }

  /** The values of one column: Doubles, or Strings where the request sent text. */
  public Object[] column(int index) {
    if (columns != null) {
      return columns[index];
    }
    Object[] values = new Object[rows];
    for (int r = 0; r < rows; r++) {
      values[r] = matrix.get(r, index);
    }
    return values;
  }

  /** The position of a named column. */
  public int indexOf(String name) {
    int index = names == null ? -1 : names.indexOf(name);
    if (index < 0) {
      throw new InvalidInput(
          "The model selects a column named '%s', but the request %s."
              .formatted(name, names == null ? "has no column names" : "only has " + names));
    }
    return index;
  }

  /** The given columns, in the given order. */
  public Table select(int[] indices) {
    Object[][] selected = new Object[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      selected[i] = column(indices[i]);
    }
    List<String> selectedNames =
        names == null ? null : Arrays.stream(indices).mapToObj(names::get).toList();
    return new Table(rows, selectedNames, null, selected);
  }

  /** The table as numbers; text that does not read as a number is refused. */
  public Matrix numeric() {
    if (matrix != null) {
      return matrix;
    }
    int width = columns.length;
    double[] values = new double[rows * width];
    for (int c = 0; c < width; c++) {
      Object[] column = columns[c];
      for (int r = 0; r < rows; r++) {
        values[r * width + c] = number(column[r], c);
      }
    }
    return new Matrix(rows, width, values);
  }

  private double number(Object value, int column) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    String text = ((String) value).trim();
    try {
      return switch (text) {
        case "", "nan", "NaN", "None" -> Double.NaN;
        default -> Double.parseDouble(text);
      };
    } catch (NumberFormatException e) {
      String where = names == null ? "column " + column : "column '" + names.get(column) + "'";
      throw new InvalidInput(
          "The model takes numbers in %s, got the text \"%s\".".formatted(where, shorten(text)));
    }
  }

  private static String shorten(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
