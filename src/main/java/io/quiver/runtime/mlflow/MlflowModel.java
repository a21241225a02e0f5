package io.quiver.runtime.mlflow;

import io.quiver.core.InferenceException;
import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.InferenceResult;
import io.quiver.core.spi.LoadedModel;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An MLflow model: the flavor's model, taking the inputs the MLmodel signature names. A column
 * signature makes one [rows] tensor per column, which this passes on by name or, for a model that
 * takes one [rows, features] tensor, side by side in signature order.
 */
final class MlflowModel implements LoadedModel {
  private final LoadedModel flavor;
  private final List<TensorSpec> columns;
  private final ModelMetadata metadata;

  MlflowModel(LoadedModel flavor, List<TensorSpec> columns) {
    this.flavor = flavor;
    this.columns = List.copyOf(columns);
    ModelMetadata inner = flavor.metadata();
    if (!columns.isEmpty() && !takesColumnsByName(inner) && !takesOneTable(inner)) {
      throw new IllegalArgumentException(
          "the signature's %d columns fit none of the model's inputs %s".formatted(columns.size(), inner.inputs()));
    }
    this.metadata =
        new ModelMetadata("mlflow", columns.isEmpty() ? inner.inputs() : columns, inner.outputs(), inner.outputsAreColumns());
  }

  private boolean takesColumnsByName(ModelMetadata inner) {
    List<String> names = columns.stream().map(TensorSpec::name).toList();
    return inner.inputs().stream().allMatch(input -> names.contains(input.name()));
  }

  private boolean takesOneTable(ModelMetadata inner) {
    if (inner.inputs().size() != 1 || inner.inputs().getFirst().shape().length != 2) {
      return false;
    }
    long width = inner.inputs().getFirst().shape()[1];
    return width == -1 || width == columns.size();
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<InferenceResult> infer(List<InferenceRequest> batch) {
    if (columns.isEmpty()) {
      return flavor.infer(batch);
    }
    InferenceResult[] results = new InferenceResult[batch.size()];
    List<InferenceRequest> translated = new ArrayList<>(batch.size());
    List<Integer> positions = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      try {
        translated.add(batch.get(i).withInputs(flavorInputs(batch.get(i))));
        positions.add(i);
      } catch (InferenceException e) {
        results[i] = new InferenceResult.Failed(e);
      }
    }
    List<InferenceResult> answered = translated.isEmpty() ? List.of() : flavor.infer(translated);
    for (int i = 0; i < answered.size(); i++) {
      results[positions.get(i)] = answered.get(i);
    }
    return Arrays.asList(results);
  }

  /** The request's columns as the flavor's model takes them. */
  private List<Tensor> flavorInputs(InferenceRequest request) {
    List<TensorSpec> inputs = flavor.metadata().inputs();
    if (takesColumnsByName(flavor.metadata())) {
      List<Tensor> tensors = new ArrayList<>(inputs.size());
      for (TensorSpec input : inputs) {
        Tensor column = request.input(input.name());
        tensors.add(input.accepts() == TensorSpec.Accepts.ANY ? column : converted(List.of(column), input.datatype(), input.name(), 1));
      }
      return tensors;
    }
    TensorSpec table = inputs.getFirst();
    List<Tensor> values = columns.stream().map(column -> request.input(column.name())).toList();
    return List.of(converted(values, table.datatype(), table.name(), values.size()));
  }

  /** Columns side by side as one [rows, columns] tensor (or one [rows] tensor) of a datatype. */
  private static Tensor converted(List<Tensor> values, DataType datatype, String name, int width) {
    long rows = values.getFirst().dim(0);
    for (Tensor column : values) {
      if (column.dim(0) != rows) {
        throw new InvalidInput(
            "Every column must have the same number of rows: '%s' has %d, '%s' %d."
                .formatted(values.getFirst().name(), rows, column.name(), column.dim(0)));
      }
    }
    TensorBuilder builder = new TensorBuilder(datatype, (int) rows * width);
    for (int r = 0; r < rows; r++) {
      for (Tensor column : values) {
        add(builder, column, r);
      }
    }
    return builder.build(name, width == 1 && values.size() == 1 ? new long[] {rows} : new long[] {rows, width});
  }

  private static void add(TensorBuilder builder, Tensor column, int row) {
    if (builder.datatype() == DataType.BYTES) {
      builder.addBytes(column.textAt(row).getBytes(StandardCharsets.UTF_8));
      return;
    }
    double value;
    try {
      value = column.numberAt(row);
    } catch (NumberFormatException e) {
      throw new InvalidInput(
          "Column '%s' takes numbers, got the text \"%s\".".formatted(column.name(), column.stringAt(row)));
    }
    try {
      builder.addDouble(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("Column '%s': %s".formatted(column.name(), e.getMessage()));
    }
  }

  @Override
  public void close() {
    flavor.close();
  }
}
