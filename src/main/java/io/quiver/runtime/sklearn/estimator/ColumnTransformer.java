package io.quiver.runtime.sklearn.estimator;

import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * ColumnTransformer: each fitted transformer (the remainder included) applied to its columns,
 * chosen by position or by name, and the results side by side in the fitted order.
 */
final class ColumnTransformer implements Transformer {
  private final List<Part> parts = new ArrayList<>();

  /** One transformer and its columns: positions, or names resolved against the request's columns. */
  private record Part(Transformer transformer, int[] positions, List<String> names) {
    Table select(Table rows) {
      if (names == null) {
        return rows.select(positions);
      }
      return rows.select(names.stream().mapToInt(rows::indexOf).toArray());
    }
  }

  ColumnTransformer(PyObject model, Function<PyObject, Transformer> transformers) {
    int featureCount = model.integer("n_features_in_");
    for (Object entry : model.list("transformers_")) {
      Object[] triple = (Object[]) entry;
      Object fitted = triple[1];
      if ("drop".equals(fitted)) {
        continue;
      }
      Transformer transformer = "passthrough".equals(fitted) ? rows -> rows : transformers.apply((PyObject) fitted);
      Part part = part(transformer, triple[2], featureCount);
      if (part.names != null ? !part.names.isEmpty() : part.positions.length > 0) {
        parts.add(part);
      }
    }
  }

  /** The column selection as scikit-learn allows it: names, positions, a boolean mask or a slice. */
  private static Part part(Transformer transformer, Object columns, int featureCount) {
    List<?> values =
        switch (columns) {
          case List<?> list -> list;
          case Object[] tuple -> List.of(tuple);
          case NdArray array -> mask(array, featureCount);
          case PyObject slice when slice.simpleName().equals("slice") -> slice(slice, featureCount);
          default -> List.of(columns);
        };
    if (!values.isEmpty() && values.getFirst() instanceof String) {
      return new Part(transformer, null, values.stream().map(String::valueOf).toList());
    }
    if (!values.isEmpty() && values.getFirst() instanceof Boolean) {
      List<?> flags = values;
      values = IntStream.range(0, flags.size()).filter(i -> Boolean.TRUE.equals(flags.get(i))).boxed().toList();
    }
    int[] positions = new int[values.size()];
    for (int i = 0; i < positions.length; i++) {
      int position = ((Number) values.get(i)).intValue();
      positions[i] = position < 0 ? featureCount + position : position;
    }
    return new Part(transformer, positions, null);
  }

  private static List<?> mask(NdArray array, int featureCount) {
    if (array.dtype().kind() != 'b') {
      return List.of(array.toObjects());
    }
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < Math.min(array.size(), featureCount); i++) {
      if (array.getLong(i) != 0) {
        positions.add(i);
      }
    }
    return positions;
  }

  private static List<Integer> slice(PyObject slice, int featureCount) {
    Object[] bounds = slice.arguments();
    int start = bound(bounds[0], 0, featureCount);
    int stop = bound(bounds[1], featureCount, featureCount);
    int step = bounds.length > 2 && bounds[2] instanceof Number n ? n.intValue() : 1;
    List<Integer> positions = new ArrayList<>();
    for (int i = start; i < stop; i += step) {
      positions.add(i);
    }
    return positions;
  }

  private static int bound(Object value, int absent, int featureCount) {
    if (!(value instanceof Number number)) {
      return absent;
    }
    int bound = number.intValue();
    return Math.clamp(bound < 0 ? featureCount + bound : bound, 0, featureCount);
  }

  @Override
  public Table transform(Table rows) {
    List<Matrix> outputs = new ArrayList<>(parts.size());
    int width = 0;
    for (Part part : parts) {
      Matrix output = part.transformer.transform(part.select(rows)).numeric();
      outputs.add(output);
      width += output.columns();
    }
    double[] values = new double[rows.rows() * width];
    int column = 0;
    for (Matrix output : outputs) {
      for (int r = 0; r < rows.rows(); r++) {
        System.arraycopy(output.values(), r * output.columns(), values, r * width + column, output.columns());
      }
      column += output.columns();
    }
    return Table.of(new Matrix(rows.rows(), width, values));
  }

  /** Whether any of the fitted transformers selects its columns by name. */
  static boolean selectsByName(PyObject model) {
    for (Object entry : model.list("transformers_")) {
      Object columns = ((Object[]) entry)[2];
      if (columns instanceof String || (columns instanceof List<?> list && !list.isEmpty() && list.getFirst() instanceof String)) {
        return true;
      }
    }
    return false;
  }
}
