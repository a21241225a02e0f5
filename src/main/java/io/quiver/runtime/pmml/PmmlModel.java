package io.quiver.runtime.pmml;

import io.quiver.core.InferenceException.InvalidInput;
import io.quiver.core.InferenceRequest;
import io.quiver.core.spi.ModelMetadata;
import io.quiver.core.spi.RowBatchedModel;
import io.quiver.core.spi.TensorSpec;
import io.quiver.core.spi.TensorSpec.Accepts;
import io.quiver.core.tensor.DataType;
import io.quiver.core.tensor.Tensor;
import io.quiver.core.tensor.TensorBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.pmml4s.metadata.Field;
import org.pmml4s.metadata.OutputField;
import org.pmml4s.model.Model;

/**
 * A PMML model answering as KServe's pmmlserver (JPMML-Evaluator): the rows of {@code input-0} are
 * the model's input fields in order; each target field, named as the field, and every field of the
 * model's Output element becomes an output tensor of its own, one value per row (and in v1, one
 * object per row keyed by field).
 */
final class PmmlModel implements RowBatchedModel {
  static final String INPUT = "input-0";

  private final Model model;
  private final boolean[] textInput;
  private final String[] outputNames;
  private final DataType[] outputTypes;
  private final ModelMetadata metadata;

  PmmlModel(Model model) {
    this.model = model;
    Field[] inputs = model.inputFields();
    this.textInput = new boolean[inputs.length];
    boolean anyText = false;
    for (int i = 0; i < inputs.length; i++) {
      textInput[i] = !isNumeric(inputs[i].dataType());
      anyText |= textInput[i];
    }
    List<OutputField> fields = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Field target : model.targetFields()) {
      fields.add(OutputField.predictedValue(target));
      names.add(target.name());
    }
    // Without an Output element only the targets are answered, as JPMML-Evaluator answers
    // (PMML4S would make up fields of its own).
    OutputField[] declaredFields = model.output().isDefined() ? model.outputFields() : new OutputField[0];
    for (OutputField declared : declaredFields) {
      if (!names.contains(declared.name())) {
        fields.add(declared);
        names.add(declared.name());
      }
    }
    OutputField[] outputs = fields.toArray(OutputField[]::new);
    model.setOutputFields(outputs);
    this.outputNames = names.toArray(String[]::new);
    this.outputTypes = new DataType[outputs.length];
    List<TensorSpec> outputSpecs = new ArrayList<>();
    for (int o = 0; o < outputs.length; o++) {
      outputTypes[o] = datatype(outputs[o].dataType());
      outputSpecs.add(TensorSpec.of(outputNames[o], outputTypes[o], -1));
    }
    this.metadata =
        new ModelMetadata(
            "pmml",
            List.of(
                new TensorSpec(
                    INPUT, anyText ? DataType.BYTES : DataType.FP64, new long[] {-1, inputs.length}, Accepts.ANY)),
            outputSpecs,
            true);
  }

  private static boolean isNumeric(org.pmml4s.common.DataType type) {
    return type == org.pmml4s.common.DataType.DOUBLE()
        || type == org.pmml4s.common.DataType.FLOAT()
        || type == org.pmml4s.common.DataType.INTEGER()
        || type == org.pmml4s.common.DataType.REAL();
  }

  private static DataType datatype(org.pmml4s.common.DataType type) {
    if (type == org.pmml4s.common.DataType.INTEGER()) {
      return DataType.INT64;
    }
    if (type == org.pmml4s.common.DataType.BOOLEAN()) {
      return DataType.BOOL;
    }
    return isNumeric(type) ? DataType.FP64 : DataType.BYTES;
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public List<Tensor> predict(InferenceRequest request) {
    Tensor input = request.input(INPUT);
    int rows = Math.toIntExact(input.dim(0));
    int columns = textInput.length;
    TensorBuilder[] builders = new TensorBuilder[outputNames.length];
    for (int o = 0; o < builders.length; o++) {
      builders[o] = new TensorBuilder(outputTypes[o], rows);
    }
    for (int r = 0; r < rows; r++) {
      Object[] row = new Object[columns];
      for (int c = 0; c < columns; c++) {
        row[c] = value(input, r * columns + c, c, textInput[c]);
      }
      Object[] answers = model.predict((Object) row);
      for (int o = 0; o < builders.length; o++) {
        add(builders[o], answers[o], outputNames[o]);
      }
    }
    List<Tensor> outputs = new ArrayList<>(builders.length);
    for (int o = 0; o < builders.length; o++) {
      outputs.add(builders[o].build(outputNames[o], new long[] {rows}));
    }
    return outputs;
  }

  /** An input value as PMML4S takes it: a String for text fields, a Double for numeric ones. */
  private static Object value(Tensor input, int index, int column, boolean text) {
    if (text) {
      return input.textAt(index);
    }
    try {
      return input.numberAt(index);
    } catch (NumberFormatException e) {
      throw new InvalidInput("Column %d takes numbers, got the text \"%s\".".formatted(column, input.stringAt(index)));
    }
  }

  /** Adds one answer; a missing one is NaN for doubles and empty for text. */
  private static void add(TensorBuilder builder, Object value, String output) {
    switch (builder.datatype()) {
      case BYTES -> builder.addBytes(String.valueOf(value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
      case FP64 -> builder.addDouble(value instanceof Number n ? n.doubleValue() : Double.NaN);
      default -> {
        if (value == null) {
          throw new IllegalStateException("the model gave no value for its " + builder.datatype() + " output " + output);
        }
        if (value instanceof Boolean flag) {
          builder.addBoolean(flag);
        } else {
          builder.addLong(((Number) value).longValue());
        }
      }
    }
  }

  @Override
  public void close() {
    // Plain JVM objects: the garbage collector frees them.
  }
}
