package io.quiver.runtime.sklearn.estimator;

import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.spi.TensorSpec.Accepts;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.runtime.sklearn.pickle.NdArray;
import io.quiver.runtime.sklearn.pickle.PyObject;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a scikit-learn model takes, as KServe's sklearnserver takes it: one tensor {@code input-0}
 * of shape [rows, features] (numbers, or BYTES where the model encodes text), or, for a
 * ColumnTransformer that selects columns by name, one tensor of shape [rows] per named column.
 */
public final class InputSchema {
  static final String INPUT = "input-0";

  private final List<TensorSpec> inputs;
  private final boolean named;

  private InputSchema(List<TensorSpec> inputs, boolean named) {
    this.inputs = List.copyOf(inputs);
    this.named = named;
  }

  public static InputSchema of(PyObject model) {
    PyObject first = firstStep(model);
    if (first.simpleName().equals("ColumnTransformer") && columnsByName(first)) {
      List<TensorSpec> specs = new ArrayList<>();
      for (Object name : first.array("feature_names_in_").toObjects()) {
        DataType datatype = takesText(transformerOf(first, String.valueOf(name))) ? DataType.BYTES : DataType.FP64;
        specs.add(new TensorSpec(String.valueOf(name), datatype, new long[] {-1}, Accepts.ANY));
      }
      return new InputSchema(specs, true);
    }
    long features = first.has("n_features_in_") ? first.integer("n_features_in_") : -1;
    DataType datatype = takesText(first) ? DataType.BYTES : DataType.FP64;
    return new InputSchema(List.of(new TensorSpec(INPUT, datatype, new long[] {-1, features}, Accepts.ANY)), false);
  }

  private static PyObject firstStep(PyObject model) {
    PyObject first = model;
    while (first.simpleName().equals("Pipeline")) {
      List<PyObject> steps = Estimators.steps(first);
      if (steps.isEmpty()) {
        throw new IllegalArgumentException("the pipeline has no steps");
      }
      first = steps.getFirst();
    }
    return first;
  }

  private static boolean columnsByName(PyObject columnTransformer) {
    return columnTransformer.has("feature_names_in_") && ColumnTransformer.selectsByName(columnTransformer);
  }

  /** The fitted transformer a named column goes to, or null when it is passed through or dropped. */
  private static PyObject transformerOf(PyObject columnTransformer, String column) {
    for (Object entry : columnTransformer.list("transformers_")) {
      Object[] triple = (Object[]) entry;
      boolean selected = column.equals(triple[2]) || (triple[2] instanceof List<?> list && list.contains(column));
      if (selected && triple[1] instanceof PyObject transformer) {
        return transformer;
      }
    }
    return null;
  }

  /** Whether a first step takes text: encoders of text categories, text imputers, or tables of them. */
  private static boolean takesText(PyObject step) {
    if (step == null) {
      return false;
    }
    return switch (step.simpleName()) {
      case "OneHotEncoder", "OrdinalEncoder" ->
          step.list("categories_").stream().anyMatch(categories -> !isNumeric((NdArray) categories));
      case "SimpleImputer" -> !isNumeric(step.array("statistics_"));
      case "Pipeline" -> takesText(firstStep(step));
      case "ColumnTransformer" ->
          step.list("transformers_").stream()
              .anyMatch(entry -> ((Object[]) entry)[1] instanceof PyObject transformer && takesText(transformer));
      default -> false;
    };
  }

  private static boolean isNumeric(NdArray array) {
    return "fiub".indexOf(array.dtype().kind()) >= 0;
  }

  public List<TensorSpec> inputs() {
    return inputs;
  }

  /** The request's rows as the estimator takes them. */
  public Table table(InferenceRequest request) {
    if (!named) {
      Tensor input = request.input(INPUT);
      int rows = Math.toIntExact(input.dim(0));
      int columns = Math.toIntExact(input.dim(1));
      if (input.datatype() == DataType.BYTES) {
        Object[][] values = new Object[columns][rows];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < columns; c++) {
            values[c][r] = input.stringAt(r * columns + c);
          }
        }
        return Table.ofColumns(rows, null, values);
      }
      return Table.of(new Matrix(rows, columns, doubles(input)));
    }
    int rows = -1;
    Object[][] columns = new Object[inputs.size()][];
    List<String> names = new ArrayList<>(inputs.size());
    for (int c = 0; c < inputs.size(); c++) {
      Tensor column = request.input(inputs.get(c).name());
      int length = Math.toIntExact(column.dim(0));
      if (rows >= 0 && length != rows) {
        throw new InvalidInput(
            "Every column must have the same number of rows: '%s' has %d, '%s' %d."
                .formatted(inputs.getFirst().name(), rows, column.name(), length));
      }
      rows = length;
      columns[c] = values(column);
      names.add(column.name());
    }
    return Table.ofColumns(rows, names, columns);
  }

  private static double[] doubles(Tensor tensor) {
    double[] values = new double[Math.toIntExact(tensor.elementCount())];
    if (tensor.datatype() == DataType.FP64) {
      DoubleBuffer buffer = tensor.data().asDoubleBuffer();
      buffer.get(values);
      return values;
    }
    for (int i = 0; i < values.length; i++) {
      values[i] = tensor.getDouble(i);
    }
    return values;
  }

  private static Object[] values(Tensor column) {
    Object[] values = new Object[Math.toIntExact(column.elementCount())];
    if (column.datatype() == DataType.BYTES) {
      for (int i = 0; i < values.length; i++) {
        values[i] = column.stringAt(i);
      }
      return values;
    }
    double[] numbers = doubles(column);
    for (int i = 0; i < values.length; i++) {
      values[i] = numbers[i];
    }
    return values;
  }
}
